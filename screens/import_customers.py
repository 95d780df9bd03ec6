"""Import customers from a CSV file: a preview with each row's problems, then the import.

The agent names a file with Square's Dashboard columns (an export of the desk imports as
it is); `enter` reads it and compares it with the customers already there
(:func:`app.desk.exchange_import.preview_import`) — nothing is written. The preview lists
the rows that will not be created first (invalid, likely duplicates, repeats, already
there), each with its problem. `ctrl+s` creates the rest in batches of 100, one
idempotency key per row, under a progress bar (:func:`~app.desk.exchange_import.import_customers`);
`ctrl+t` includes the likely duplicates too. Importing the same file again creates nobody
twice: its rows are then "already there".
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from app.safe_text import describe_error, terminal_safe
from widgets.safe_input import SafeInput
from widgets.top_bar import TopBar

if TYPE_CHECKING:
    from app.desk.exchange_import import ImportPreview, ImportReport, ImportRow
    from app.session import Session

__all__ = ["ImportScreen"]

SHOWN_ROWS = 2_000
"""Rows listed in the preview (problems first); the counts cover every row."""
STATUS_WORDS = {
    "create": "will be created",
    "exists": "already there",
    "duplicate": "likely duplicate",
    "repeat": "repeats a row",
    "invalid": "invalid",
}
ORDER = {"invalid": 0, "duplicate": 1, "repeat": 2, "exists": 3, "create": 4}
TITLES = {"preview": "Preview", "import": "Import"}


def row_problem(row: ImportRow) -> str:
    """What is wrong with the row, or who it matches, as one line."""
    if row.problems:
        return "; ".join(
            f"{p.column}: {p.message}" if p.column else p.message for p in row.problems
        )
    if row.status == "repeat" and row.matches:
        return f"same as line {row.matches[0]}"
    if row.status in ("exists", "duplicate") and row.matches:
        return "matches " + ", ".join(row.matches[:3])
    return ""


class ImportScreen(Screen[None]):
    """Preview a CSV file's customers, then import them."""

    BINDINGS = [
        Binding("ctrl+s", "run_import", "Import", id="import.run"),
        Binding("ctrl+t", "include_duplicates", "Include duplicates", id="import.duplicates"),
        Binding("escape", "back", "Back", id="import.back"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.preview: ImportPreview | None = None
        self.report: ImportReport | None = None
        self.importing = False

    def compose(self) -> ComposeResult:
        yield TopBar("Import customers from a CSV file", self.session.settings)
        yield SafeInput(placeholder="CSV file (Square's columns) — enter to preview", id="path")
        yield Static(id="summary", markup=False)
        yield DataTable(id="rows", cursor_type="row", zebra_stripes=True)
        yield ProgressBar(show_eta=False, id="progress")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Line", key="line", width=6)
        table.add_column("Customer", key="customer", width=28)
        table.add_column("Status", key="status", width=17)
        table.add_column("Problem", key="problem", width=max(20, self.app.size.width - 66))
        self.query_one(ProgressBar).display = False
        self.say("Name a CSV file and press enter: nothing is written before ctrl+s.")

    def say(self, text: str) -> None:
        self.query_one("#summary", Static).update(Text(terminal_safe(text)))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "run_import":
            if not self.session.may_write("BulkCreateCustomers"):
                return False
            ready = self.preview is not None and bool(self.preview.to_create)
            return True if ready and not self.importing else None  # None: shown, disabled
        if action == "include_duplicates":
            ready = self.preview is not None and bool(self.preview.with_status("duplicate"))
            return True if ready else None
        return True

    # -- preview ---------------------------------------------------------------------------

    @on(Input.Submitted, "#path")
    def path_submitted(self, event: Input.Submitted) -> None:
        if self.importing:
            return
        text = event.value.strip()
        if not text:
            self.say("Name the CSV file to import.")
            return
        path = Path(text).expanduser()
        if not path.is_file():
            self.say(f"There is no file {path}.")
            return
        self.read_preview(path)

    @work(exclusive=True, group="preview", exit_on_error=False)
    async def read_preview(self, path: Path) -> None:
        from app.desk.exchange_import import preview_import

        self.say("reading the file and comparing it with the customers there…")
        self.show(await preview_import(path, self.session))

    def show(self, preview: ImportPreview) -> None:
        self.preview = preview
        self.report = None
        counts = preview.counts()
        parts = [f"{len(preview.rows):,} rows: {counts['create']:,} to create"]
        for status in ("exists", "duplicate", "repeat", "invalid"):
            if counts[status]:
                parts.append(f"{counts[status]:,} {STATUS_WORDS[status]}")
        text = " · ".join(parts)
        if preview.problems:
            text = " ".join(preview.problems) + " " + text
        if preview.ignored:
            text += f" (columns not read: {', '.join(preview.ignored)})"
        if counts["create"] and self.session.may_write("BulkCreateCustomers"):
            text += " — ctrl+s to import"
        self.say(text)
        table = self.query_one(DataTable)
        table.clear()
        rows = sorted(preview.rows, key=lambda r: (ORDER.get(r.status, 5), r.line))
        for row in rows[:SHOWN_ROWS]:
            self.add_row(table, row, STATUS_WORDS.get(row.status, row.status), row_problem(row))
        self.refresh_bindings()

    @staticmethod
    def add_row(table: DataTable[Text], row: ImportRow, status: str, problem: str) -> None:
        table.add_row(
            Text(str(row.line)),
            Text(terminal_safe(row.label)),
            Text(status),
            Text(terminal_safe(problem)),
            key=str(row.line),
        )

    def action_include_duplicates(self) -> None:
        if self.preview is not None and not self.importing:
            self.show(self.preview.allowing_duplicates())

    # -- import ----------------------------------------------------------------------------

    def action_run_import(self) -> None:
        if self.preview is None or self.importing or not self.preview.to_create:
            return
        if not self.session.may_write("BulkCreateCustomers"):
            return
        self.run_import(self.preview)

    @work(exclusive=True, group="import", exit_on_error=False)
    async def run_import(self, preview: ImportPreview) -> None:
        from app.desk.exchange_import import import_customers
        from app.desk.outcomes import Refused

        self.importing = True
        bar = self.query_one(ProgressBar)
        bar.display = True
        bar.update(total=len(preview.to_create), progress=0)
        self.say(f"importing {len(preview.to_create):,} customers…")

        def moved(done: int, total: int | None) -> None:
            bar.update(total=total, progress=done)

        try:
            report = await import_customers(preview, self.session, progress=moved)
        finally:
            self.importing = False
        if isinstance(report, Refused):
            self.say(report.reason)
            return
        self.present(report)

    def present(self, report: ImportReport) -> None:
        self.report = report
        self.preview = None
        parts = [f"Created {len(report.created):,}"]
        if report.skipped:
            parts.append(f"{len(report.skipped):,} not sent")
        if report.failed:
            parts.append(f"{len(report.failed):,} refused by Square")
        text = " · ".join(parts) + "."
        if report.stopped:
            text += f" Stopped: {report.stopped} Importing the file again is safe."
        self.say(text)
        table = self.query_one(DataTable)
        keys = {key.value for key in table.rows}
        for line, customer in report.created.items():
            if str(line) in keys:
                table.update_cell(str(line), "status", Text("created"))
                table.update_cell(str(line), "problem", Text(customer.id))
        for line, reason in report.failed.items():
            if str(line) in keys:
                table.update_cell(str(line), "status", Text("refused"))
                table.update_cell(str(line), "problem", Text(terminal_safe(reason)))
        self.refresh_bindings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed calls become a message."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        reason = (
            f"{error.strerror or error}" if isinstance(error, OSError) else None
        ) or describe_error(error)
        title = TITLES.get(event.worker.group, "Import")
        self.say(f"{title} failed: {reason}")
        self.notify(reason, title=title, severity="error", markup=False)

    def action_back(self) -> None:
        if self.importing:
            self.notify("Importing: the customers are being created.", markup=False)
            return
        self.dismiss(None)
