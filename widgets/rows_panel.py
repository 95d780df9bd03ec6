"""What the cards and groups panels share: a small table of rows, `a` to add, `d` to remove.

A panel presents its rows and emits messages; adding and removing is its screen's work.
Its add and remove keys are hidden (footer, help, palette) when the desk may not send
the Square operation they lead to: the screen hands in ``may_write`` to ask.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import ClassVar, Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

Row = TypeVar("Row")

__all__ = ["RowsPanel", "always"]


def always(_operation: str) -> bool:
    """A ``may_write`` that allows every operation (a panel shown on its own)."""
    return True


class RowsPanel(Vertical, Generic[Row]):
    """A table of rows with add and remove. Subclasses name their rows and operations."""

    NAME: ClassVar[str]
    """The panel's id prefix: its table is ``#{NAME}-table``, its empty note ``#{NAME}-empty``."""
    NOUN: ClassVar[str]
    """What one row is, for "No card selected.\""""
    OPERATIONS: ClassVar[tuple[str, str]]
    """The Square operations `a` and `d` lead to (for hiding them when read-only)."""

    def __init__(self, may_write: Callable[[str], bool] = always, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.may_write = may_write
        self.rows: list[Row] = []

    def compose(self) -> ComposeResult:
        yield DataTable[Text](cursor_type="row", id=f"{self.NAME}-table")
        yield Static(f"loading {self.NAME}…", id=f"{self.NAME}-empty", markup=False)

    def show_rows(
        self, rows: Sequence[Row], cells: Callable[[Row], Iterable[Text]], empty: str
    ) -> None:
        """Show ``rows`` (``cells`` makes each row's cells); ``empty`` when there are none."""
        table = self.query_one(DataTable)
        self.rows = list(rows)
        table.clear()
        table.add_rows(tuple(cells(row)) for row in self.rows)
        note = self.query_one(f"#{self.NAME}-empty", Static)
        note.update(empty if not self.rows else "")
        note.display = not self.rows

    @property
    def selected(self) -> Row | None:
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "remove"):  # read-only: hidden from footer, help and palette
            add, remove = self.OPERATIONS
            return self.may_write(add if action == "add" else remove)
        return True

    def add_requested(self) -> Message:
        raise NotImplementedError

    def remove_requested(self, row: Row) -> Message:
        raise NotImplementedError

    def action_add(self) -> None:
        self.post_message(self.add_requested())

    def action_remove(self) -> None:
        row = self.selected
        if row is None:
            self.notify(f"No {self.NOUN} selected.", severity="warning")
            return
        self.post_message(self.remove_requested(row))

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
