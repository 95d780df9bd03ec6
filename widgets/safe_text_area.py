"""A `TextArea` that never sends a control character to the terminal, yet keeps `text` as is.

The multi-line sibling of :class:`widgets.safe_input.SafeInput` (see there why), apart
so that importing the search bar's editor does not load `TextArea` on the first frame's
path.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import TextArea

from app.safe_text import one_for_one_lines


class SafeTextArea(TextArea):
    """A `TextArea` that shows control characters as placeholders; `text` is untouched.

    Tabs and line breaks keep their layout. A placeholder takes a cell where the control
    character took none, so on a line that holds one the cursor may sit a cell early:
    such a line cannot be saved anyway until the placeholders are gone.
    """

    def get_line(self, line_index: int) -> Text:
        line = self.document.get_line(line_index)
        return Text(one_for_one_lines(line), end="", no_wrap=True)
