"""The groups a customer belongs to (`a` adds, `d` removes), and their segments (read-only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from app.safe_text import terminal_safe
from app.square.models import CustomerGroup
from widgets.rows_panel import RowsPanel


def group_cells(group: CustomerGroup) -> tuple[Text, ...]:
    return (Text(terminal_safe(group.name)), Text(terminal_safe(group.id), style="dim"))


class GroupsPanel(RowsPanel[CustomerGroup]):
    NAME = "groups"
    NOUN = "group"
    OPERATIONS = ("AddGroupToCustomer", "RemoveGroupFromCustomer")
    BINDINGS = [
        Binding("a", "add", "Add to group", id="groups.add"),
        Binding("d", "remove", "Remove from group", id="groups.remove"),
        Binding("j", "cursor_down", "Down", show=False, id="groups.down"),
        Binding("k", "cursor_up", "Up", show=False, id="groups.up"),
    ]

    class AddRequested(Message):
        """The agent asked to add the customer to a group."""

    class RemoveRequested(Message):
        def __init__(self, group: CustomerGroup) -> None:
            super().__init__()
            self.group = group

    def add_requested(self) -> Message:
        return self.AddRequested()

    def remove_requested(self, row: CustomerGroup) -> Message:
        return self.RemoveRequested(row)

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Label("Segments (set by Square's rules, read-only)", classes="section")
        yield Static("", id="segments", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Group", width=40)
        table.add_column("Id", width=30)

    @property
    def groups(self) -> list[CustomerGroup]:
        return self.rows

    def show(
        self,
        group_ids: Sequence[str],
        groups: Mapping[str, CustomerGroup],
        segment_names: Sequence[str],
    ) -> None:
        """Show the customer's groups by name; an id the seller has no longer is shown as is."""
        known = [
            groups.get(gid) or CustomerGroup(id=gid, name=f"(group {gid})") for gid in group_ids
        ]
        rows = sorted(known, key=lambda group: group.name.casefold())
        self.show_rows(rows, group_cells, "In no group. Press a to add one.")
        self.query_one("#segments", Static).update(
            Text(terminal_safe(", ".join(segment_names)) if segment_names else "none")
        )
