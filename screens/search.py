"""The main screen: a search bar over the customer table."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from app.messages import Connected, DirectoryLoaded
from app.safe_text import describe_error, terminal_safe
from widgets.customer_table import CustomerTable
from widgets.safe_input import SafeInput
from widgets.top_bar import TopBar

if TYPE_CHECKING:
    from app.directory import LoadProgress, SearchResults
    from app.session import Session

REFRESH_EVERY = 60.0
"""Seconds between quiet refreshes: Square's lists lag writes by up to a minute anyway."""
NETWORK_DEBOUNCE = 0.15
"""Seconds of quiet typing before a search that needs Square is sent (the index needs none)."""
SEARCH_HINT = (
    "name, email, phone — or email: phone: ref: group: segment: created:>2024-01-01 field:drink=tea"
)
TITLES = {
    "connect": "Could not connect",
    "load": "Loading the directory",
    "refresh": "Refreshing the directory",
    "search": "Search",
}
"""Each worker group's title when its call fails."""


class SearchScreen(Screen[None]):
    """Find a customer: type to search, `enter` to open."""

    BINDINGS = [
        Binding("slash", "focus_search", "Search", id="customers.search"),
        Binding("enter", "open", "Open", id="customers.open"),
        Binding("n", "new", "New customer", id="customers.new"),
        Binding("r", "refresh", "Refresh", id="customers.refresh"),
        Binding("y", "copy_id", "Copy id", id="customers.copy_id"),
        Binding("escape", "back", "Clear", show=False, id="customers.back"),
        Binding("q", "app.quit", "Quit", show=False, id="customers.quit"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.results: SearchResults | None = None
        self._status = "starting…"
        self.loading_worker: Worker[None] | None = None
        self.refresh_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield TopBar("Customer Desk", self.session.settings)
        yield SafeInput(placeholder=SEARCH_HINT, id="search")
        yield CustomerTable(id="customers")
        yield Static(id="status", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show_status()
        self.call_after_refresh(self.connect)  # the first frame first: then the network

    # -- the story: connect → load → search → open ---------------------------------------

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        await self.session.connect(self.show_status)
        self.post_message(Connected())  # up to the App: the read-only state, notices
        self.show_status("loading the directory…")
        self.loading_worker = self.load_directory()

    @work(exclusive=True, group="load", exit_on_error=False)
    async def load_directory(self) -> None:
        shown_first = False

        def progressed(progress: LoadProgress) -> None:
            nonlocal shown_first
            total = f"{progress.total:,}" if progress.total is not None else "?"
            self.show_status(f"loading the directory… {progress.loaded:,} of {total}")
            if not shown_first and progress.loaded:
                shown_first = True
                self.run_search()

        await self.session.directory.load(progressed)
        self.run_search()
        self.post_message(DirectoryLoaded())
        if self.refresh_timer is None:
            self.refresh_timer = self.set_interval(REFRESH_EVERY, self.refresh_quietly)

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
        results = await directory.search(text)
        if text != self.query_one("#search", Input).value:
            return  # a stale answer: the agent has typed on
        self.results = results
        empty = f"No customer matches “{text.strip()}”." if text.strip() else "No customers yet."
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
            shown = len(self.results.customers)
            total = self.results.total
            noun = "match" if total == 1 else "matches"
            parts.append(
                f"{shown:,} of {total:,} {noun}" if total != shown else f"{shown:,} {noun}"
            )
            parts.append(f"{directory.count:,} customers")
            if directory.loaded and text is None:
                self._status = "directory loaded"
        parts.append(self._status)
        self.query_one("#status", Static).update(Text(terminal_safe(" · ".join(parts))))

    # -- actions ---------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "new":
            return self.session.may_write("CreateCustomer")  # read-only: no `n`, no empty form
        return True

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.value:
            search.value = ""
        elif search.has_focus:
            self.query_one(CustomerTable).focus()

    def action_refresh(self) -> None:
        if not self.session.connected:
            return
        if self.loading_worker is not None and not self.loading_worker.is_finished:
            # The load under way fetches everything; the quiet refreshes follow it.
            self.notify("The directory is still loading.", title="Refresh")
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

    def came_back(self, _: None) -> None:
        """The directory holds every change made there: show it at once."""
        self.run_search()
