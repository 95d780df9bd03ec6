"""The groups a customer belongs to (`a` adds, `d` removes), and their segments (read-only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Label, Static

from app.safe_text import terminal_safe
from app.square import CustomerGroup
from app.tui import may_write


class GroupsPanel(Vertical):
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

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.groups: list[CustomerGroup] = []

    def compose(self) -> ComposeResult:
        yield DataTable[Text](cursor_type="row", id="groups-table")
        yield Static("loading groups…", id="groups-empty", markup=False)
        yield Label("Segments (set by Square's rules, read-only)", classes="section")
        yield Static("", id="segments", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Group", width=40)
        table.add_column("Id", width=30)

    def show(
        self,
        group_ids: Sequence[str],
        groups: Mapping[str, CustomerGroup],
        segment_names: Sequence[str],
    ) -> None:
        """Show the customer's groups by name; an id the seller has no longer is shown as is."""
        table = self.query_one(DataTable)
        known = [
            groups.get(gid) or CustomerGroup(id=gid, name=f"(group {gid})") for gid in group_ids
        ]
        self.groups = sorted(known, key=lambda group: group.name.casefold())
        table.clear()
        table.add_rows(
            (Text(terminal_safe(g.name)), Text(terminal_safe(g.id), style="dim"))
            for g in self.groups
        )
        empty = self.query_one("#groups-empty", Static)
        empty.update("In no group. Press a to add one." if not self.groups else "")
        empty.display = not self.groups
        self.query_one("#segments", Static).update(
            Text(terminal_safe(", ".join(segment_names)) if segment_names else "none")
        )

    @property
    def selected(self) -> CustomerGroup | None:
        row = self.query_one(DataTable).cursor_row
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "remove"):  # read-only: hidden from footer, help and palette
            operation = "AddGroupToCustomer" if action == "add" else "RemoveGroupFromCustomer"
            return may_write(self, operation)
        return True

    def action_add(self) -> None:
        self.post_message(self.AddRequested())

    def action_remove(self) -> None:
        group = self.selected
        if group is None:
            self.notify("No group selected.", severity="warning")
            return
        self.post_message(self.RemoveRequested(group))

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
