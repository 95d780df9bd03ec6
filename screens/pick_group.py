"""Choose a group to add the customer to: type to filter; a new name creates the group."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from app.models import CustomerGroup
from app.safe_text import terminal_safe
from widgets.safe_input import SafeInput

NEW = "\x00new"


class GroupPicker(ModalScreen[CustomerGroup | str | None]):
    """Dismisses with the chosen group, with a name for a new group, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pick_group.cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, groups: Sequence[CustomerGroup]) -> None:
        super().__init__()
        self.groups = sorted(groups, key=lambda g: g.name.casefold())

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Add to group", classes="dialog-title")
            yield SafeInput(placeholder="type to filter, or a new group's name", id="filter")
            yield OptionList(id="groups")

    def on_mount(self) -> None:
        self.fill("")

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def fill(self, text: str) -> None:
        needle = text.strip().casefold()
        options = [
            Option(Text(terminal_safe(group.name)), id=group.id)
            for group in self.groups
            if needle in group.name.casefold()
        ]
        if needle and not any(g.name.casefold() == needle for g in self.groups):
            new = terminal_safe(text.strip())
            options.append(Option(Text(f"+ create group “{new}”"), id=NEW))
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        option_list.highlighted = 0 if options else None

    def action_move(self, step: int) -> None:
        option_list = self.query_one(OptionList)
        if step > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    @on(Input.Submitted, "#filter")
    def submitted(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            self.choose(option_list.get_option_at_index(option_list.highlighted).id)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def choose(self, option_id: str | None) -> None:
        if option_id == NEW:
            self.dismiss(self.query_one("#filter", Input).value.strip())
            return
        group = next((g for g in self.groups if g.id == option_id), None)
        if group is not None:
            self.dismiss(group)

    def action_cancel(self) -> None:
        self.dismiss(None)
