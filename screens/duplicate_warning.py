"""The warning before a duplicate is made: the profiles that look the same, and a choice.

`enter` opens the selected profile, `c` creates (or saves) anyway, `esc` cancels — the
form behind is kept as typed whatever the choice.
"""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from app.desk.duplicates import Match
from app.safe_text import terminal_safe
from app.square.models import Customer

Purpose = Literal["create", "save", "browse"]
"""Before a create, before a save, or the possible duplicates of an open profile."""
Choice = Customer | Literal["anyway"] | None
"""A profile to open, ``"anyway"`` to go on, or None: cancelled."""


def match_cells(match: Match) -> tuple[Text, ...]:
    """One row: name, email, phone, created, why — terminal-safe."""
    c = match.customer
    created = c.created_at.date().isoformat() if c.created_at else ""
    values = (c.display_name, c.email_address or "", c.phone_number or "", created, match.reason)
    return tuple(Text(terminal_safe(value), no_wrap=True, overflow="ellipsis") for value in values)


class DuplicateWarning(ModalScreen[Choice]):
    """Before a create (or a save) that would make a likely duplicate."""

    BINDINGS = [
        Binding("enter", "open", "Open it", id="duplicate_warning.open"),
        Binding("c", "anyway", "Create anyway", id="duplicate_warning.anyway"),
        Binding("escape", "cancel", "Cancel", id="duplicate_warning.cancel"),
    ]

    def __init__(self, matches: list[Match], *, purpose: Purpose = "create") -> None:
        super().__init__()
        self.matches = matches
        self.purpose = purpose

    @property
    def saving(self) -> bool:
        return self.purpose == "save"

    def compose(self) -> ComposeResult:
        count = len(self.matches)
        others = "another customer" if count == 1 else f"{count} other customers"
        question = {
            "create": f"Possible duplicate — this looks like {others}:",
            "save": f"Possible duplicate — this edit makes the profile look like {others}:",
            "browse": f"Possible duplicates — this profile looks like {others}:",
        }[self.purpose]
        with Vertical(id="dialog"):
            yield Static(Text(question), id="question")
            table: DataTable[Text] = DataTable(id="matches", cursor_type="row")
            yield table
            then = {
                "create": "c: create anyway · esc: back to the form",
                "save": "c: save anyway · esc: back to the form",
                "browse": "esc: back",
            }[self.purpose]
            yield Static(Text(f"enter: open the selected profile · {then}"), id="hint")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Name", "Email", "Phone", "Created", "Why")
        for match in self.matches:
            table.add_row(*match_cells(match), key=match.customer.id)
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action != "anyway" or self.purpose != "browse"

    def action_open(self) -> None:
        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.matches):
            self.dismiss(self.matches[table.cursor_row].customer)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_anyway(self) -> None:
        self.dismiss("anyway")

    def action_cancel(self) -> None:
        self.dismiss(None)
