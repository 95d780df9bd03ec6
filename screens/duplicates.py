"""The duplicates finder: every group of likely duplicates in the directory, strongest first.

Each group is a header row (the rule that tied it, how many profiles) followed by its
profiles; `enter` on a group (its header or a profile) opens the guided merge, `o` opens
one profile, `F` finishes an interrupted merge, `r` looks again, `esc` goes back.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static
from textual.worker import Worker, WorkerState

from app.desk.duplicates import DuplicateGroup, find_duplicates
from app.desk.journal import Change
from app.desk.merge import open_merges
from app.safe_text import describe_error, terminal_safe
from app.session import Session
from app.square.models import Customer
from widgets.top_bar import TopBar

COLUMNS = ("Name", "Email", "Phone", "Created")


def _cell(text: str, style: str = "") -> Text:
    return Text(terminal_safe(text), style=style, no_wrap=True, overflow="ellipsis")


class DuplicatesScreen(Screen[None]):
    """Likely duplicates across the whole local directory."""

    BINDINGS = [
        Binding("enter", "merge", "Merge…", id="duplicates.merge"),
        Binding("o", "open", "Open", id="duplicates.open"),
        Binding("F", "finish", "Finish merge", id="duplicates.finish"),
        Binding("r", "refresh", "Look again", id="duplicates.refresh"),
        Binding("escape", "back", "Back", id="duplicates.back"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.groups: list[DuplicateGroup] = []
        self.rows: list[Customer | None] = []
        """Each table row's profile (None: a group's header)."""
        self.row_groups: list[DuplicateGroup] = []
        """Each table row's group."""
        self.unfinished: list[Change] = []
        """Merges begun and not finished (``F`` finishes the oldest)."""

    def compose(self) -> ComposeResult:
        yield TopBar(Text("Possible duplicates"), self.session.settings)
        yield Static("looking for duplicates…", id="summary", markup=False)
        table: DataTable[Text] = DataTable(id="groups", cursor_type="row")
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.find()

    @work(exclusive=True, group="find", exit_on_error=False)
    async def find(self) -> None:
        self.groups = await find_duplicates(self.session.directory, self.session.settings.country)
        self.unfinished = open_merges(self.session)
        self.show()
        self.refresh_bindings()

    def show(self) -> None:
        table = self.query_one(DataTable)
        lines: list[tuple[Text, Text, Text, Text]] = []
        self.rows = []
        self.row_groups = []
        for number, group in enumerate(self.groups, 1):
            header = f"Group {number} · {len(group.customers)} profiles"
            reason = _cell(group.reason, "bold")  # the widest column: never cut short
            lines.append((_cell(header, "bold"), reason, _cell(""), _cell("")))
            self.rows.append(None)
            self.row_groups.append(group)
            for customer in group.customers:
                created = customer.created_at.date().isoformat() if customer.created_at else ""
                lines.append(
                    (
                        _cell("  " + customer.display_name),
                        _cell(customer.email_address or ""),
                        _cell(customer.phone_number or ""),
                        _cell(created),
                    )
                )
                self.rows.append(customer)
                self.row_groups.append(group)
        # Each column as wide as its widest cell, set here: left to the table, the widths
        # come at its next idle, and lines it drew before then stay drawn at the labels'.
        table.clear(columns=True)
        for at, label in enumerate(COLUMNS):
            table.add_column(label, width=max([len(label), *(line[at].cell_len for line in lines)]))
        for line in lines:
            table.add_row(*line)
        profiles = sum(len(g.customers) for g in self.groups)
        count = len(self.groups)
        summary = (
            f"{count} group{'s' if count != 1 else ''} of likely duplicates ({profiles} profiles) "
            f"among {self.session.directory.count:,} customers · strongest first · "
            "enter: merge a group"
            if count
            else f"No likely duplicates among {self.session.directory.count:,} customers."
        )
        if self.unfinished:
            summary += " · a merge did not finish: F finishes it"
        self.query_one("#summary", Static).update(summary)
        if len(self.rows) > 1:
            table.move_cursor(row=1)
        table.focus()

    def selected(self) -> Customer | None:
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def action_open(self) -> None:
        from screens.customer import CustomerScreen

        customer = self.selected()
        if customer is None:
            row = self.query_one(DataTable).cursor_row
            if row + 1 < len(self.rows):
                customer = self.rows[row + 1]  # a header: its first profile
        if customer is not None:
            self.app.push_screen(CustomerScreen(self.session, customer), self.came_back)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_merge()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "finish":
            return bool(self.unfinished) and not self.session.read_only
        return True

    def action_merge(self) -> None:
        from screens.merge import MergeScreen

        row = self.query_one(DataTable).cursor_row
        if 0 <= row < len(self.row_groups):
            group = self.row_groups[row]
            self.app.push_screen(MergeScreen(self.session, list(group.customers)), self.came_back)

    def action_finish(self) -> None:
        from screens.merge import MergeScreen

        if self.unfinished:
            start = self.unfinished[0]
            self.app.push_screen(MergeScreen(self.session, resume=start), self.came_back)

    def came_back(self, _: None) -> None:
        self.find()  # a profile fixed or deleted there may end its group

    def action_refresh(self) -> None:
        self.query_one("#summary", Static).update("looking for duplicates…")
        self.find()

    def action_back(self) -> None:
        self.dismiss(None)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed calls become a message."""
        if event.state is WorkerState.ERROR:
            reason = describe_error(event.worker.error)
            self.query_one("#summary", Static).update(f"Could not look for duplicates: {reason}")
            self.notify(reason, title="Duplicates", severity="error", markup=False)
