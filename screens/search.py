"""The main screen: a search bar over the customer table, and the bulk actions on it.

Bulk actions act on the marked customers (`space`, `*` in the table), or on the
highlighted one when none is marked: `+` adds them to a group, `-` takes them out of
one, `d` deletes them (one confirmation naming the count), `x` exports them (with no
mark: every customer of the answer); `i` imports a CSV file.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from app.messages import Connected, DirectoryLoaded
from app.safe_text import describe_error, terminal_safe
from screens.marked_actions import WRITE_ACTIONS, MarkedActions
from widgets.customer_table import CustomerTable
from widgets.safe_input import SafeInput
from widgets.top_bar import TopBar

if TYPE_CHECKING:
    from app.directory import LoadProgress, SearchResults, Sort
    from app.session import Session


REFRESH_EVERY = 60.0
"""Seconds between quiet refreshes: Square's lists lag writes by up to a minute anyway."""
NETWORK_DEBOUNCE = 0.15
"""Seconds of quiet typing before a search that needs Square is sent (the index needs none)."""
REANSWER_EVERY = 0.5
"""Seconds between re-answers of the search shown while customers arrive."""
SORT_LABELS = {
    "relevance": "best match",
    "name": "name",
    "created": "newest created",
    "updated": "recently updated",
}
SEARCH_HINT = " ".join(
    (
        "name, email, phone — or email: phone: ref: group: segment:",
        "created:>2024-01-01 field:drink=latte",
    )
)
TITLES = {
    "connect": "Could not connect",
    "load": "Loading the directory",
    "refresh": "Refreshing the directory",
    "search": "Search",
    "open": "Could not open",
    "undo": "Not undone",
    "groups": "Groups",
    "export": "Export",
}
"""Each worker group's title when its call fails."""


class SearchScreen(MarkedActions):
    """Find a customer: type to search, `enter` to open."""

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="customers.search"),
        Binding("enter", "open", "Open", id="customers.open"),
        Binding("n", "new", "New customer", id="customers.new"),
        Binding("r", "refresh", "Refresh", id="customers.refresh"),
        Binding("y", "copy_id", "Copy id", id="customers.copy_id"),
        Binding("s", "cycle_sort", "Sort", id="customers.sort"),
        Binding("x", "export", "Export", show=False, id="customers.export"),
        Binding("i", "import_csv", "Import CSV", show=False, id="customers.import"),
        Binding("plus", "group_add", "Add to group", show=False, id="customers.group_add"),
        Binding(
            "minus", "group_remove", "Remove from group", show=False, id="customers.group_remove"
        ),
        Binding("d", "delete", "Delete", show=False, id="customers.delete"),
        Binding("D", "duplicates", "Duplicates", id="customers.duplicates"),
        Binding("escape", "back", "Clear", show=False, id="customers.back"),
        Binding("q", "app.quit", "Quit", show=False, id="customers.quit"),
        Binding("h", "history", "History", show=False, id="customers.history"),
        Binding("ctrl+o", "recent", "Recently opened", show=False, id="customers.recent"),
        Binding("ctrl+z", "undo_last", "Undo last change", show=False, id="customers.undo"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.results: SearchResults | None = None
        self._status = "starting…"
        self.loading_worker: Worker[None] | None = None
        self.refresh_timer: Timer | None = None
        self.sort: Sort = "relevance"
        self._answered_at = 0.0

    def compose(self) -> ComposeResult:
        yield TopBar("Customer Desk", self.session.settings)
        yield SafeInput(placeholder=SEARCH_HINT, id="search")
        yield CustomerTable(id="customers")
        yield Static(id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show_status()
        # The first frame first, then the network: after the App's next refresh, the one
        # that paints the whole screen (the screen's own comes before its search bar is
        # drawn, and the emulator's start would hold that paint back).
        self.app.call_after_refresh(self.connect)

    # -- the story: connect → load → search → open ---------------------------------------

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        await self.session.connect(self.show_status)
        self.post_message(Connected())  # up to the App: the read-only state, notices
        self.show_status("opening the directory…")
        self.loading_worker = self.load_directory()

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load_directory(self) -> None:
        """Answer from the stored directory at once, then load (or resume, or sync)."""
        directory = self.session.directory
        if await directory.open():
            self.run_search()
            self.show_status("kept from last time · catching up with Square…")
        else:
            self.show_status("loading the directory…")

        def progressed(progress: LoadProgress) -> None:
            total = f"{progress.total:,}" if progress.total is not None else "?"
            parts = [f"loading the directory… {progress.loaded:,} of {total}"]
            if progress.rate:
                parts.append(f"{progress.rate:.1f} requests/s")
            if progress.waiting >= 1:
                parts.append(f"Square asked to wait {progress.waiting:.0f} s")
            elif progress.limited:
                parts.append(f"paced after {progress.limited:,} × 429")
            self.show_status(" · ".join(parts))
            self.reanswer()

        if directory.loaded:
            changed = await directory.refresh()
            self.show_status(f"up to date · {changed:,} changed since last time")
        else:
            await directory.load(progressed)
        self.run_search()
        self.post_message(DirectoryLoaded())
        if self.refresh_timer is None:
            self.refresh_timer = self.set_interval(REFRESH_EVERY, self.refresh_quietly)

    def reanswer(self) -> None:
        """Customers arrived: answer the search shown again (throttled; a search that
        asks Square waits for the load's end)."""
        if not self.session.connected:
            return
        now = time.monotonic()
        if now - self._answered_at < REANSWER_EVERY:
            return
        text = self.query_one("#search", Input).value
        if self.session.directory.asks_square(text) and self.results is not None:
            return
        self._answered_at = now
        self.run_search()

    @on(Input.Changed, "#search")
    def search_changed(self) -> None:
        self.run_search()

    @on(Input.Submitted, "#search")
    def search_submitted(self) -> None:
        self.query_one(CustomerTable).focus()

    def run_search(self) -> None:
        if self.session.connected:
            self.search(self.query_one("#search", Input).value)

    @work(exclusive=True, group="search", exit_on_error=False)
    async def search(self, text: str) -> None:
        directory = self.session.directory
        if directory.asks_square(text):
            # Each keystroke cancels this worker: only a pause in typing reaches Square.
            await asyncio.sleep(NETWORK_DEBOUNCE)
        results = await directory.search(text, sort=self.sort)
        if text != self.query_one("#search", Input).value:
            return  # a stale answer: the agent has typed on
        self.results = results
        self._answered_at = time.monotonic()
        searched = results.searched()
        if text.strip():
            empty = f"No customer matches “{text.strip()}” in {searched}."
        else:
            empty = f"No customers in {searched}."
        if results.error:
            empty = results.error
        self.query_one(CustomerTable).show(results.customers, empty_text=empty)
        if results.error:
            self.notify(results.error, title="Search", severity="warning", markup=False)
        self.show_status()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed calls become a message."""
        if event.state is not WorkerState.ERROR:
            return
        reason = describe_error(event.worker.error)
        title = TITLES.get(event.worker.group, "Error")
        if event.worker.group == "connect":
            self.show_status(f"not connected: {reason}")
        else:
            self.show_status(f"{title.lower()} failed: {reason}")
        self.notify(reason, title=title, severity="error", markup=False)

    def show_status(self, text: str | None = None) -> None:
        if text is not None:
            self._status = text
        parts: list[str] = []
        if self.results is not None and self.session.connected:
            directory = self.session.directory
            results = self.results
            total = results.total
            noun = "match" if total == 1 else "matches"
            if results.suggestion:
                parts.append(f"no match as typed: showing “{results.suggestion}”")
            parts.append(f"{total:,} {noun}")
            if results.covers is not None:
                held, square = results.covers
                parts.append(
                    f"covers {held:,} of {square:,} customers"
                    if square is not None
                    else f"covers the {held:,} customers loaded so far"
                )
            else:
                parts.append(f"{directory.count:,} customers")
            if results.source != "api" and results.sort != "relevance":
                parts.append(f"by {SORT_LABELS.get(results.sort, results.sort)}")
            marked = len(self.query_one(CustomerTable).marks)
            if marked:
                parts.append(f"{marked:,} marked")
            if directory.loaded and text is None and self._status.startswith("loading"):
                self._status = "directory loaded"
        parts.append(self._status)
        self.query_one("#status", Static).update(Text(terminal_safe(" · ".join(parts))))

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo_last":
            return not self.session.read_only
        operation = WRITE_ACTIONS.get(action)
        if operation is not None:
            return self.session.may_write(operation)  # read-only: no `n`, no empty form…
        return True

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        table = self.query_one(CustomerTable)
        if table.has_focus and table.marks:
            table.clear_marks()
        elif search.value:
            search.value = ""
        elif search.has_focus:
            self.query_one(CustomerTable).focus()

    def action_cycle_sort(self) -> None:
        """Best match → name → newest created → recently updated → best match."""
        from app.directory import SORTS

        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.notify(f"Sorted by {SORT_LABELS[self.sort]}", timeout=2)
        self.run_search()

    def action_refresh(self) -> None:
        """Catch up with Square; a load that stopped resumes where it was."""
        if not self.session.connected:
            return
        if self.loading_worker is not None and not self.loading_worker.is_finished:
            # The load under way fetches everything; the quiet refreshes follow it.
            self.notify("The directory is still loading.", title="Refresh")
            return
        if not self.session.directory.loaded:
            self.show_status("resuming the load…")
            self.loading_worker = self.load_directory()
            return
        self.refresh_directory()

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def refresh_directory(self, quietly: bool = False) -> None:
        """Ask Square for what changed since the last look; others' edits show up here."""
        if not quietly:
            self.show_status("refreshing…")
        changed = await self.session.directory.refresh()
        if changed or not quietly:
            self.show_status(f"refreshed · {changed:,} changed")
            self.run_search()

    def refresh_quietly(self) -> None:
        if self.session.connected and self.session.directory.loaded:
            self.refresh_directory(quietly=True)

    @on(CustomerTable.Selected, "#customers")
    def action_open(self) -> None:
        customer = self.query_one(CustomerTable).selected_customer
        if customer is None or not self.session.connected:
            return
        from screens.customer import CustomerScreen

        self.app.push_screen(CustomerScreen(self.session, customer), self.came_back)

    def action_copy_id(self) -> None:
        customer = self.query_one(CustomerTable).selected_customer
        if customer is not None:
            self.app.copy_to_clipboard(customer.id)
            self.notify(f"Copied {customer.id} ({customer.display_name})", markup=False)

    def action_new(self) -> None:
        if not self.session.connected or not self.session.may_write("CreateCustomer"):
            return
        from screens.customer import CustomerScreen

        self.app.push_screen(CustomerScreen(self.session), self.came_back)

    # -- history, undo, recently opened ------------------------------------------------------

    def action_history(self) -> None:
        from screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.session), self.came_back)

    def action_undo_last(self) -> None:
        from app.desk.undo import last_undoable
        from screens.history import ask_undo

        change = last_undoable(self.session.journal) if self.session.connected else None
        if change is None:
            self.notify("Nothing changed this run can be undone.", title="Undo")
            return
        ask_undo(self, self.session, change, lambda _result: self.run_search())

    def action_recent(self) -> None:
        from screens.recent import RecentDialog

        def chosen(customer_id: str | None) -> None:
            if customer_id and self.session.connected:
                self.open_by_id(customer_id)

        self.app.push_screen(RecentDialog(self.session.journal.recent()), chosen)

    @work(exclusive=True, group="open", exit_on_error=False)
    async def open_by_id(self, customer_id: str) -> None:
        from app.desk.outcomes import Gone
        from app.desk.profile import load_customer
        from screens.customer import CustomerScreen

        found = await load_customer(self.session, customer_id)
        if isinstance(found, Gone):
            self.notify("That customer no longer exists.", title="Deleted", severity="warning")
            return
        self.app.push_screen(CustomerScreen(self.session, found), self.came_back)

    def action_duplicates(self) -> None:
        if not self.session.connected:
            return
        from screens.duplicates import DuplicatesScreen

        self.app.push_screen(DuplicatesScreen(self.session), self.came_back)
