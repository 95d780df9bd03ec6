"""Rename or delete a group from the group picker: the name dialog and the picker's part.

The picker (:class:`screens.pick_group.GroupPicker`) is given the groups workflow
(:class:`app.desk.groups.GroupAdmin`) when the desk may change groups; ``f2`` renames the
highlighted group, ``f8`` deletes it after a confirmation that names its member count.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from app.desk.intents import tidy_name
from app.safe_text import terminal_safe
from widgets.safe_input import SafeInput


class RenameGroupDialog(ModalScreen[str | None]):
    """Dismisses with the new name (tidied), or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="rename_group.cancel")]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.old_name = name

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", can_focus=False):
            title = Text(f"Rename the group “{terminal_safe(self.old_name)}”")
            yield Static(title, classes="dialog-title")
            yield SafeInput(value=self.old_name, id="name")
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Rename (enter)", id="rename", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Button.Pressed, "#rename")
    @on(Input.Submitted)
    def rename(self) -> None:
        name = tidy_name(self.query_one("#name", Input).value)
        if not name:
            self.query_one("#error", Static).update("Type the group's new name.")
            return
        if len(name) > 255:
            self.query_one("#error", Static).update("At most 255 characters.")
            return
        self.dismiss(name if name != self.old_name else None)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
