"""Editors that never send a control character to the terminal, yet keep the value as is.

Textual's `Input` and `TextArea` draw their value as it is: an ESC stored in a customer's
name would reach the terminal as an escape sequence. These subclasses draw each control
character as one visible placeholder (``␛``, ``␉``, ``�`` — see
:func:`app.safe_text.one_for_one`), one character for one so the cursor still lands on
the character it edits, while `value` / `text` stays exactly what was stored or typed:
an untouched field is saved unchanged, and the form refuses to save one that still holds
control characters.

The `TextArea` one is :class:`widgets.safe_text_area.SafeTextArea`, in its own module: the
search bar is on the first frame's path, and `TextArea` (its document, tree-sitter, themes)
need not be.
"""

from __future__ import annotations

import re

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Input

from app.safe_text import one_for_one

_BREAKS = re.compile(r"[\t\r\n\v\f\u2028\u2029]+")


class SafeInput(Input):
    """An `Input` that shows control characters as placeholders; `value` is untouched.

    Pasted text with tabs or line breaks is not cut at the first line (Textual's way):
    each run of them becomes one space, and :class:`SafeInput.Cleaned` tells the form,
    which says so beside the field.
    """

    class Cleaned(Message):
        """Pasted tabs / line breaks became spaces in ``input``."""

        def __init__(self, input: SafeInput) -> None:
            super().__init__()
            self.input = input

    def _on_paste(self, event: events.Paste) -> None:
        if not _BREAKS.search(event.text.strip("\r\n")):
            return  # Input's own handler runs next
        event.prevent_default()  # not Input's: it keeps only the first line
        event.stop()
        line = _BREAKS.sub(" ", event.text.strip("\r\n"))
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(line)
        else:
            self.replace(line, *selection)
        self.post_message(self.Cleaned(self))

    @property
    def _value(self) -> Text:
        if self.password:
            return super()._value
        text = Text(one_for_one(self.value), no_wrap=True, overflow="ignore", end="")
        if self.highlighter is not None:
            text = self.highlighter(text)
        return text

    def _position_to_cell(self, position: int) -> int:
        return cell_len(one_for_one(self.value[:position]))

    def _cell_offset_to_index(self, offset: int) -> int:
        cell_offset = 0
        offset += self.scroll_offset.x
        shown = one_for_one(self.value)
        for index, char in enumerate(shown):
            width = get_character_cell_size(char)
            if cell_offset <= offset < cell_offset + width:
                return index
            cell_offset += width
        return max(0, min(offset, len(shown)))
