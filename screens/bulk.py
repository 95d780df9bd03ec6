"""A bulk action under way and done: its progress bar, then one outcome per customer.

The action itself is a workflow of :mod:`app.desk.bulk`, handed in ready to run; this
screen runs it in a worker, shows its progress, and presents what it returns (each
row's outcome, or the refusal, or the lost answer). It closes with `esc` or `enter`
once the action is over — not before: a bulk change is not left half-watched. Also
here: the choice of a group to take the marked customers out of.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from app.desk.bulk import BulkDone, Progress, RowStatus
from app.desk.intents import group_name_key
from app.desk.outcomes import Lost, Refused
from app.safe_text import describe_error, terminal_safe
from app.square.models import CustomerGroup
from widgets.safe_input import SafeInput

__all__ = ["BulkRun", "GroupChoice"]

BulkAction = Callable[[Progress], Awaitable[BulkDone | Lost | Refused]]

STATUS_WORDS = {
    RowStatus.DONE: "✓ done",
    RowStatus.ALREADY: "· nothing to do",
    RowStatus.CHANGED: "! changed meanwhile",
    RowStatus.GONE: "✗ gone",
    RowStatus.FAILED: "✗ failed",
}


class BulkRun(ModalScreen[BulkDone | None]):
    """Runs one bulk action on ``total`` customers and shows each row's outcome."""

    BINDINGS = [
        Binding("escape,enter", "close", "Close", id="bulk.close"),
    ]

    def __init__(self, title: str, total: int, action: BulkAction) -> None:
        super().__init__()
        self.title_text = title
        self.total = total
        self.action = action
        self.result: BulkDone | Lost | Refused | None = None
        self.finished = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(terminal_safe(self.title_text)), classes="dialog-title")
            yield ProgressBar(total=self.total, show_eta=False, id="progress")
            yield Static(Text("working…"), id="summary")
            yield DataTable(id="outcomes", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Customer", key="customer", width=28)
        table.add_column("Outcome", key="outcome", width=20)
        table.add_column("", key="detail")
        table.display = False
        self.run_action_in_worker()

    @work(exclusive=True, group="bulk", exit_on_error=False)
    async def run_action_in_worker(self) -> None:
        self.result = await self.action(self.progressed)
        self.present(self.result)

    def progressed(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)

    def present(self, result: BulkDone | Lost | Refused) -> None:
        summary = self.query_one("#summary", Static)
        self.finished = True
        if isinstance(result, Refused):
            summary.update(Text(terminal_safe(result.reason)))
            return
        if isinstance(result, Lost):
            summary.update(
                Text(
                    f"Square's answer about the group “{terminal_safe(result.name)}” was lost "
                    "and a look-up could not tell whether it was made; nothing else was "
                    "changed. Try again: the same request cannot make it twice."
                )
            )
            return
        self.query_one(ProgressBar).update(total=self.total, progress=self.total)
        summary.update(Text(f"{result.summary} — esc or enter to close"))
        table = self.query_one(DataTable)
        for row in result.rows:
            table.add_row(
                Text(terminal_safe(row.name)),
                Text(STATUS_WORDS[row.status]),
                Text(terminal_safe(row.detail)),
                key=row.customer_id,
            )
        table.display = True
        table.focus()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed call becomes a message."""
        if event.state is WorkerState.ERROR:
            self.finished = True
            reason = describe_error(event.worker.error)
            self.query_one("#summary", Static).update(
                Text(f"Stopped: {reason} What was done before stays done; esc to close.")
            )
        elif event.state is WorkerState.CANCELLED:
            self.finished = True

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_close()  # `enter` on the outcomes closes, as it does elsewhere here

    def action_close(self) -> None:
        if not self.finished:
            self.notify("Still working: the outcome of each customer follows.", markup=False)
            return
        self.dismiss(self.result if isinstance(self.result, BulkDone) else None)


class GroupChoice(ModalScreen[CustomerGroup | None]):
    """Choose one of ``groups`` (type to filter); the ones in ``first`` are listed first."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="group_choice.cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(
        self, title: str, groups: Sequence[CustomerGroup], first: Collection[str] = ()
    ) -> None:
        super().__init__()
        self.title_text = title
        self.first = frozenset(first)
        self.groups = sorted(
            groups, key=lambda g: (g.id not in self.first, group_name_key(g.name), g.id)
        )

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(terminal_safe(self.title_text)), classes="dialog-title")
            yield SafeInput(placeholder="type to filter", id="filter")
            yield OptionList(id="groups")

    def on_mount(self) -> None:
        self.fill("")

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def fill(self, text: str) -> None:
        needle = group_name_key(text)
        options = [
            Option(Text(terminal_safe(g.name)), id=g.id)
            for g in self.groups
            if needle in group_name_key(g.name)
        ]
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
        group = next((g for g in self.groups if g.id == option_id), None)
        if group is not None:
            self.dismiss(group)

    def action_cancel(self) -> None:
        self.dismiss(None)
