"""The guided merge screen: the profiles side by side, the one kept, each value kept, the merge.

Opened from the duplicates finder (`enter` on a group), or to finish an interrupted merge
(`F` there). `s` keeps the next profile, `←`/`→` the value kept on the focused row,
`ctrl+s` asks to confirm — naming the profiles deleted and the cards that go with them —
then runs the merge, step by step below the table. `esc` goes back.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from app.desk.journal import Change
from app.desk.merge import (
    MERGE_ROWS,
    MergeFinished,
    MergePlan,
    MergeResult,
    MergeStopped,
    execute_merge,
    finish_merge,
    plan_merge,
    row_value,
)
from app.desk.outcomes import Gone, Refused
from app.safe_text import describe_error, terminal_safe
from app.session import Session
from app.square.models import Customer
from widgets.top_bar import TopBar

LABELS = {
    "given_name": "First name",
    "family_name": "Last name",
    "nickname": "Nickname",
    "company_name": "Company",
    "email_address": "Email",
    "phone_number": "Phone",
    "birthday": "Birthday",
    "reference_id": "Reference id",
    "address": "Address",
    "note": "Note",
}


def _cell(text: str, style: str = "") -> Text:
    one_line = " ⏎ ".join(p for p in text.splitlines() if p.strip())
    return Text(terminal_safe(one_line), style=style, no_wrap=True, overflow="ellipsis")


class MergeScreen(Screen[None]):
    """Merge likely duplicates into one profile (or finish an interrupted merge)."""

    BINDINGS = [
        Binding("s", "survivor", "Keep next profile", id="merge.survivor"),
        Binding("left", "value(-1)", "Value ←", id="merge.value_prev", priority=True),
        Binding("right", "value(1)", "Value →", id="merge.value_next", priority=True),
        Binding("ctrl+s", "merge", "Merge", id="merge.run"),
        Binding("escape", "back", "Back", id="merge.back"),
    ]

    def __init__(
        self,
        session: Session,
        customers: list[Customer] | None = None,
        *,
        resume: Change | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self.customers = customers or []
        self.resume = resume
        """The open ``merge.start`` of an interrupted merge to finish."""
        self.plan: MergePlan | None = None
        self.result: MergeResult | None = None
        self.steps: list[str] = []

    def compose(self) -> ComposeResult:
        title = "Finish an interrupted merge" if self.resume else "Merge duplicates"
        yield TopBar(Text(title), self.session.settings)
        yield Static("reading the profiles…", id="keep", markup=False)
        table: DataTable[Text] = DataTable(id="fields", cursor_type="row")
        yield table
        yield Static("", id="cards", markup=False)
        yield Static("", id="progress", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        if self.resume is not None:
            self.show_resume(self.resume)
        else:
            self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "merge":
            return not self.session.read_only and self.result is None
        if action in ("survivor", "value"):
            return self.plan is not None and self.result is None
        return True

    # -- the plan -----------------------------------------------------------------------

    @work(exclusive=True, group="plan", exit_on_error=False)
    async def load(self) -> None:
        self.plan = await plan_merge(self.session, self.customers)
        self.show()
        self.refresh_bindings()

    def show(self) -> None:
        plan = self.plan
        if plan is None:
            return
        table = self.query_one(DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column("Field")
        table.add_column(Text("Kept", style="bold"), width=40)
        for number, customer in enumerate(plan.profiles, 1):
            mark = " (kept)" if customer.id == plan.survivor_id else ""
            label = Text(terminal_safe(f"{number} {customer.display_name}{mark}"))
            table.add_column(label, width=28)
        for name in MERGE_ROWS:
            kept = plan.value(name)
            choices = len(plan.options(name))
            hint = f" ({plan.options(name).index(kept) + 1}/{choices})" if choices > 1 else ""
            cells = [_cell(LABELS[name], "bold"), _cell(kept + hint, "bold")]
            for customer in plan.profiles:
                value = row_value(customer, name)
                cells.append(_cell(value, "reverse" if value and value == kept else ""))
            table.add_row(*cells)
        table.move_cursor(row=max(row, 0))
        table.focus()
        survivor = plan.survivor
        others = ", ".join(c.display_name for c in plan.others)
        self.query_one("#keep", Static).update(
            Text(
                terminal_safe(
                    f"Keep {survivor.display_name} ({survivor.email_address or survivor.id}); "
                    f"delete {others}. s: keep another · ←/→: the value kept · ctrl+s: merge"
                )
            )
        )
        self.query_one("#cards", Static).update(
            Text(terminal_safe(self.cards_text(plan), multiline=True))
        )

    def cards_text(self, plan: MergePlan) -> str:
        lines: list[str] = []
        for customer in plan.profiles:
            cards = plan.cards.get(customer.id, ())
            held = ", ".join(c.label for c in cards) or "no cards on file"
            lines.append(f"{customer.display_name}: {held}")
        groups = [plan.groups[g].name for g in plan.groups_to_add()]
        if groups:
            lines.append(f"Added to the groups: {', '.join(groups)}")
        lost = plan.lost_cards()
        for customer in plan.others:
            if customer.id in lost:
                labels = ", ".join(c.label for c in lost[customer.id])
                lines.append(
                    f"Goes with {customer.display_name} when deleted: {labels} "
                    "(Square cannot move a card)."
                )
        return "\n".join(lines)

    def show_resume(self, start: Change) -> None:
        detail = start.detail
        deleted = ", ".join(str(d.get("name", "")) for d in detail.get("delete") or [])
        self.query_one("#keep", Static).update(
            Text(
                terminal_safe(
                    f"A merge into {start.name} begun {start.time[:16]} did not finish. "
                    f"ctrl+s runs what is left (deleting {deleted or 'nothing'}); "
                    "history (h) can undo it instead."
                )
            )
        )
        self.query_one(DataTable).display = False

    def action_survivor(self) -> None:
        if self.plan is not None:
            self.plan = self.plan.next_survivor()
            self.show()

    def action_value(self, step: int) -> None:
        if self.plan is None:
            return
        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(MERGE_ROWS):
            self.plan = self.plan.cycle(MERGE_ROWS[row], step)
            self.show()

    # -- the merge ----------------------------------------------------------------------

    def action_merge(self) -> None:
        from screens.confirm import ConfirmDialog

        if self.resume is not None:
            question = f"Finish the merge into {self.resume.name}?"
        elif self.plan is not None:
            question = self.question(self.plan)
        else:
            return
        self.app.push_screen(ConfirmDialog(question, confirm="Merge", danger=True), self.confirmed)

    def question(self, plan: MergePlan) -> str:
        lines = [f"Keep {plan.survivor.display_name} and delete for good:"]
        lost = plan.lost_cards()
        for customer in plan.others:
            contact = customer.email_address or customer.phone_number or customer.id
            lines.append(f"  {customer.display_name} ({contact})")
            if customer.id in lost:
                labels = ", ".join(c.label for c in lost[customer.id])
                lines.append(f"    its cards go with it: {labels}")
        return "\n".join(lines)

    def confirmed(self, answer: bool | None) -> None:
        if answer:
            self.run_merge()

    @work(exclusive=True, group="merge", exit_on_error=False)
    async def run_merge(self) -> None:
        self.steps = []
        if self.resume is not None:
            result = await finish_merge(self.session, self.resume, self.step)
        elif self.plan is not None:
            result = await execute_merge(self.session, self.plan, self.step)
        else:
            return
        self.result = result
        self.refresh_bindings()
        message = self.describe(result)
        self.step(message)
        self.notify(terminal_safe(message), title="Merge", markup=False)

    def describe(self, result: MergeResult) -> str:
        if isinstance(result, MergeFinished | MergeStopped):
            return result.message if isinstance(result, MergeFinished) else result.reason
        if isinstance(result, Refused):
            return result.reason
        if isinstance(result, Gone):
            return "The profile to keep was deleted elsewhere: nothing was merged."
        return str(result)

    def step(self, sentence: str) -> None:
        self.steps.append(sentence)
        self.query_one("#progress", Static).update(
            Text(terminal_safe("\n".join(self.steps[-6:]), multiline=True))
        )

    def action_back(self) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed calls become a message."""
        if event.state is WorkerState.ERROR:
            reason = describe_error(event.worker.error)
            stopped = " The merge stays open: finish it from the duplicates screen (F)."
            extra = stopped if event.worker.group == "merge" else ""
            self.step(f"Failed: {reason}.{extra}")
            self.notify(reason, title="Merge", severity="error", markup=False)
