"""History: the journal of what the desk changed, newest first — open a customer, undo a change.

Reached with `h` from the main and customer screens (the customer screen's shows that
customer's changes) and from the palette. `u` undoes the selected change behind a
confirmation naming it; :func:`ask_undo` is also what `ctrl+z` uses for the last change
of this run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static
from textual.worker import Worker, WorkerState

from app.desk.journal import Change
from app.desk.outcomes import Gone
from app.desk.undo import CannotUndo, UndoConflict, Undone, UndoResult, describe, undo, why_not
from app.safe_text import describe_error, terminal_safe
from app.session import Session
from widgets.top_bar import TopBar

__all__ = ["HistoryScreen", "ask_undo", "result_note", "status_of"]


def status_of(change: Change, undone: set[str]) -> str:
    """The change's state in one word or two."""
    if change.intent_id in undone:
        return "undone"
    if change.outcome is None:
        return "unfinished"
    if change.outcome.settled:
        return f"{change.outcome.settled} (settled)"
    return "done" if change.outcome.ok else "failed"


def result_note(result: UndoResult) -> tuple[str, str, str]:
    """(title, message, severity) for an undo's result."""
    if isinstance(result, Undone):
        return "Undone", result.message, "information"
    if isinstance(result, UndoConflict):
        return "Conflict", result.message, "warning"
    if isinstance(result, CannotUndo):
        return "Not undone", result.reason, "warning"
    if isinstance(result, Gone):
        return "Not undone", "That customer no longer exists.", "warning"
    return "Read-only", result.reason, "warning"


def ask_undo(
    screen: Screen[Any], session: Session, change: Change, then: Callable[[UndoResult], None]
) -> None:
    """Ask the agent to confirm undoing ``change`` (named); if yes, undo it in a worker of
    ``screen`` (group ``undo``: its failure reaches the screen's one error handler)."""
    from screens.confirm import ConfirmDialog

    reason = why_not(session.journal, change)
    if reason is not None:
        screen.notify(reason, title="Cannot undo", severity="warning", markup=False)
        return

    async def run() -> None:
        result = await undo(session, change)
        title, message, severity = result_note(result)
        screen.notify(message, title=title, severity=severity, markup=False)  # type: ignore[arg-type]
        then(result)

    def decided(yes: bool | None) -> None:
        if yes:
            screen.run_worker(run(), group="undo", exclusive=True, exit_on_error=False)

    when = change.time[:16].replace("T", " ")
    question = f"Undo this change?\n\n{describe(change)}\n(made {when} UTC)"
    screen.app.push_screen(ConfirmDialog(question, confirm="Undo", danger=True), decided)


class HistoryScreen(Screen[None]):
    """The journal's changes for this seller, newest first (one customer's, if given)."""

    BINDINGS = [
        Binding("enter", "open", "Open customer", id="history.open"),
        Binding("u", "undo", "Undo change", id="history.undo"),
        Binding("slash", "focus_filter", "Filter", id="history.filter"),
        Binding("escape", "back", "Back", id="history.back"),
    ]

    def __init__(self, session: Session, customer_id: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.customer_id = customer_id
        self.shown: list[Change] = []

    def compose(self) -> ComposeResult:
        yield TopBar("History", self.session.settings)
        yield Input(placeholder="filter: a customer's name or id", id="filter")
        yield DataTable(id="changes", cursor_type="row", zebra_stripes=True)
        yield Static(id="history-status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("When (UTC)", "Change", "Result", "Customer id")
        if self.customer_id:
            self.query_one("#filter", Input).value = self.customer_id
        self.show_changes()
        table.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":
            return not self.session.read_only
        return True

    @on(Input.Changed, "#filter")
    def show_changes(self) -> None:
        wanted = " ".join(self.query_one("#filter", Input).value.split()).casefold()
        changes = self.session.journal.changes()
        if wanted:
            changes = [
                c
                for c in changes
                if wanted in c.name.casefold() or wanted == (c.subject_id or "").casefold()
            ]
        undone = self.session.journal.undone()
        table = self.query_one(DataTable)
        table.clear()
        for change in changes:
            table.add_row(
                change.time[:16].replace("T", " "),
                Text(terminal_safe(describe(change))),
                status_of(change, undone),
                change.subject_id or "",
                key=change.intent_id,
            )
        self.shown = changes
        count = f"{len(changes):,} change{'s' if len(changes) != 1 else ''}"
        where = self.session.journal.path
        place = f" · journal: {where}" if where is not None else " · journal kept in memory"
        self.query_one("#history-status", Static).update(count + place)

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        self.query_one(DataTable).focus()

    @property
    def selected(self) -> Change | None:
        table = self.query_one(DataTable)
        if not self.shown or table.cursor_row < 0 or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    def action_focus_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_back(self) -> None:
        self.dismiss(None)

    @on(DataTable.RowSelected, "#changes")
    def action_open(self) -> None:
        change = self.selected
        if change is None or not change.subject_id or not self.session.connected:
            return
        self.open_customer(change.subject_id)

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_customer(self, customer_id: str) -> None:
        from app.desk.profile import load_customer
        from screens.customer import CustomerScreen

        found = await load_customer(self.session, customer_id)
        if isinstance(found, Gone):
            self.notify(
                "That customer no longer exists; a deleted one can be made again with `u`.",
                title="Deleted",
                severity="warning",
            )
            return
        self.app.push_screen(CustomerScreen(self.session, found), lambda _: self.show_changes())

    def action_undo(self) -> None:
        change = self.selected
        if change is None or not self.session.connected:
            return
        ask_undo(self, self.session, change, lambda _result: self.show_changes())

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed calls become a message."""
        if event.state is not WorkerState.ERROR:
            return
        title = {"open": "Could not open", "undo": "Not undone"}.get(event.worker.group, "Error")
        self.notify(describe_error(event.worker.error), title=title, severity="error", markup=False)
