"""Export the customers of the answer (or the marked ones) to CSV or JSON, with a progress bar.

In a terminal the agent names the file (``~/customers-YYYYMMDD.csv`` by default); it is
written atomically and readable by its owner only (:func:`app.desk.exchange.export_customers`),
and an existing file is replaced only once the agent says so. In the browser
(``customer-desk serve``) the file downloads instead (``App.deliver_text``).

The customers are read from the answer in steps on the event loop (an answer builds its
customers when read), then written in a thread so that the progress bar moves.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, ProgressBar, RadioButton, RadioSet, Static
from textual.worker import Worker, WorkerState

from app.safe_text import describe_error, terminal_safe
from widgets.safe_input import SafeInput

if TYPE_CHECKING:
    from app.desk.exchange import ExportFormat
    from app.session import Session
    from app.square import Customer

__all__ = ["ExportDialog", "default_path"]

READ_STEP = 500
"""Customers read from the answer between two frames."""
MIME = {"csv": "text/csv", "json": "application/json"}


def default_path(fmt: ExportFormat, today: date | None = None) -> str:
    """``~/customers-YYYYMMDD.csv`` (or ``.json``)."""
    day = (today or date.today()).strftime("%Y%m%d")
    return f"~/customers-{day}.{fmt}"


class ExportDialog(ModalScreen[int | None]):
    """Dismisses with the number of customers exported, or None."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(self, session: Session, customers: Sequence[Customer], subject: str) -> None:
        super().__init__()
        self.session = session
        self.customers = customers
        self.subject = subject
        self.fmt: ExportFormat = "csv"
        self.running = False

    @property
    def in_browser(self) -> bool:
        return self.app.is_web

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(Text(terminal_safe(f"Export {self.subject}")), classes="dialog-title")
            with RadioSet(id="format"):
                yield RadioButton("CSV (Square's import columns)", value=True, id="csv")
                yield RadioButton("JSON (Square's customer objects)", id="json")
            yield SafeInput(value=default_path("csv"), id="path", placeholder="file to write")
            yield ProgressBar(total=len(self.customers), show_eta=False, id="progress")
            yield Static(id="message", markup=False)
            with Horizontal(id="buttons"):
                label = "Download" if self.in_browser else "Export"
                yield Button(label, id="export", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#path").display = not self.in_browser
        self.query_one(ProgressBar).display = False
        if self.in_browser:
            self.query_one("#export", Button).focus()
        else:
            self.query_one("#path", Input).focus()

    @on(RadioSet.Changed, "#format")
    def format_changed(self, event: RadioSet.Changed) -> None:
        old = self.fmt
        self.fmt = "json" if event.pressed.id == "json" else "csv"
        path = self.query_one("#path", Input)
        if path.value.endswith(f".{old}"):
            path.value = path.value[: -len(old)] + self.fmt

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        if not self.running:
            self.dismiss(None)

    @on(Button.Pressed, "#export")
    @on(Input.Submitted, "#path")
    def start(self) -> None:
        if self.running:
            return
        if self.in_browser:
            self.export(None)
            return
        text = self.query_one("#path", Input).value.strip()
        if not text:
            self.say("Name the file to write.")
            return
        target = Path(text).expanduser()
        if target.is_dir():
            self.say(f"{target} is a folder: name a file in it.")
            return
        if not target.exists():
            self.export(target)
            return
        from screens.confirm import ConfirmDialog

        def decided(replace: bool | None) -> None:
            if replace:
                self.export(target)

        self.app.push_screen(
            ConfirmDialog(f"{target} exists. Replace it?", confirm="Replace", danger=True),
            decided,
        )

    def say(self, text: str) -> None:
        self.query_one("#message", Static).update(Text(terminal_safe(text)))

    @work(exclusive=True, group="export", exit_on_error=False)
    async def export(self, target: Path | None) -> None:
        from app.desk.exchange import export_customers, export_text, group_names
        from app.square import SquareError

        self.running = True
        bar = self.query_one(ProgressBar)
        bar.display = True
        total = len(self.customers)
        bar.update(total=total * 2, progress=0)
        self.say("reading…")
        try:
            groups = await group_names(self.session.service)
        except SquareError:
            groups = {}  # the Groups column shows ids: the export itself goes on
        rows: list[Customer] = []
        for start in range(0, total, READ_STEP):
            rows.extend(self.customers[start : start + READ_STEP])
            bar.update(progress=len(rows))
            await asyncio.sleep(0)
        self.say("writing…")
        fmt = self.fmt

        def moved(done: int, _total: int | None) -> None:
            self.app.call_from_thread(bar.update, progress=total + done)

        if target is None:
            text = await asyncio.to_thread(export_text, rows, fmt, progress=moved, groups=groups)
            name = default_path(fmt).removeprefix("~/")
            self.app.deliver_text(io.StringIO(text), save_filename=name, mime_type=MIME[fmt])
            where = name
        else:
            await asyncio.to_thread(
                export_customers, rows, fmt, target, progress=moved, groups=groups
            )
            where = str(target)
        self.running = False
        noun = "customer" if len(rows) == 1 else "customers"
        self.notify(f"Exported {len(rows):,} {noun} to {where}", title="Export", markup=False)
        self.dismiss(len(rows))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed export becomes a message."""
        if event.state is WorkerState.ERROR:
            self.running = False
            error = event.worker.error
            reason = (
                f"{error.strerror or error}" if isinstance(error, OSError) else None
            ) or describe_error(error)
            self.say(f"Not exported: {reason}")
