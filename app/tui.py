"""The Textual application: wiring, global keys, the command palette."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.dom import DOMNode
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import var
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from app.backend import Backend, BackendFactory
from app.lifecycle import TerminalGuard
from app.safe_text import terminal_safe

if TYPE_CHECKING:
    from app.config import Settings


def styles_path() -> Path:
    """`styles.tcss` ships inside the wheel as `app/styles.tcss`; in a checkout it is at the top."""
    packaged = Path(__file__).with_name("styles.tcss")
    return packaged if packaged.exists() else Path(__file__).parent.parent / "styles.tcss"


WRITE_BINDINGS: dict[str, str] = {
    "customers.new": "CreateCustomer",
    "customer.edit": "UpdateCustomer",
    "customer.save": "UpdateCustomer",
    "customer.delete": "DeleteCustomer",
    "cards.add": "CreateCard",
    "cards.remove": "DisableCard",
    "groups.add": "AddGroupToCustomer",
    "groups.remove": "RemoveGroupFromCustomer",
}
"""Every key that changes something (binding id → the Square operation it leads to).
When that operation is refused, the key is hidden (footer, help, palette) and pressing
it says why."""


def may_write(node: DOMNode, operation: str) -> bool:
    """Whether the desk may send ``operation`` now — for ``check_action`` of write keys.
    Before connecting only the settings' wish is known; after, the service decides."""
    app = node.app
    if not isinstance(app, CustomerDeskApp):
        return True
    if app.backend is None:
        return not app.settings.read_only
    return app.backend.service.access.allows(operation)


class Connected(Message):
    """The backend is ready: the main screen starts loading the directory."""

    def __init__(self, backend: Backend) -> None:
        super().__init__()
        self.backend = backend


class ConnectFailed(Message):
    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason


class ConnectStep(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class CustomerDeskApp(App[None]):
    """Customer Desk: find a customer in a second, fix the profile, never lose an edit."""

    TITLE = "Customer Desk"
    CSS_PATH = styles_path()
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1,question_mark", "toggle_help", "Help", id="help"),
        Binding("colon", "command_palette", "Palette", show=False, id="palette"),
    ]

    read_only: var[bool] = var(False)
    """The desk's effective read-only state, as the header shows it (the service decides)."""

    def __init__(
        self,
        backend_factory: BackendFactory,
        settings: Settings,
    ) -> None:
        super().__init__()
        self.backend_factory = backend_factory
        self.settings = settings
        self.backend: Backend | None = None
        self.set_reactive(CustomerDeskApp.read_only, settings.read_only)
        self.terminal_guard: TerminalGuard | None = None
        self._backend_closing: asyncio.Future[None] | None = None

    def on_mount(self) -> None:
        from screens.customers import CustomersScreen

        if not self.is_headless:  # a real terminal: leave when it goes away (SIGHUP, hang-up)
            self.terminal_guard = TerminalGuard(self._leave)
            self.terminal_guard.install(asyncio.get_running_loop())
        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.customers_screen = CustomersScreen()
        self.push_screen(self.customers_screen)
        self.call_after_refresh(self.connect)  # the first frame first: then the network

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        backend = await self.backend_factory(self._report_step)
        service = backend.service
        if self.settings.read_only:  # whatever the factory did, the wish holds in every mode
            service.access.want_read_only(self.settings.read_only_reason)
        self._report_step("checking what the access token may do…")
        await service.check_token()  # decided once, here; unknown if Square cannot say
        self.backend = backend
        service.access.subscribe(self._access_changed)
        self.read_only = service.read_only
        self.refresh_write_keys()
        for notice in backend.notices:
            self.notify(notice, title="Local demo", markup=False, timeout=10)
        self.customers_screen.post_message(Connected(backend))

    def _access_changed(self) -> None:
        """Square refused a write for want of a scope: the desk is read-only from now on."""
        if self.backend is None:
            return
        was = self.read_only
        self.read_only = self.backend.read_only
        self.refresh_write_keys()
        if self.read_only and not was:
            self.notify(
                self.backend.service.access.reason() + " The desk is read-only from now on.",
                title="Read-only",
                severity="warning",
                markup=False,
                timeout=10,
            )

    def watch_read_only(self, read_only: bool) -> None:
        from widgets.environment_badge import EnvironmentBadge

        for screen in self.screen_stack:
            for badge in screen.query(EnvironmentBadge):
                badge.show_read_only(read_only)

    def refresh_write_keys(self) -> None:
        """Write keys appear or vanish on every screen (footer, help, palette)."""
        for screen in self.screen_stack:
            screen.refresh_bindings()

    def on_key(self, event: events.Key) -> None:
        """A write key pressed while writes are refused: say why, change nothing."""
        reason = self.refused_write_key(event.key)
        if reason is not None:
            event.stop()
            self.notify(reason, title="Read-only", severity="warning", markup=False)

    def refused_write_key(self, key: str) -> str | None:
        """Why ``key`` does nothing here, when it is a write key refused by read-only."""
        if self.backend is None and not self.settings.read_only:
            return None
        for namespace, bindings in self.screen._modal_binding_chain:
            for binding in bindings.key_to_bindings.get(key, ()):
                if self._check_action_state(binding.action, namespace):
                    return None  # an enabled binding owns this key here
                operation = WRITE_BINDINGS.get(binding.id or "")
                if operation is not None and not may_write(namespace, operation):
                    if self.backend is None:
                        return f"Read-only: {self.settings.read_only_reason}."
                    return self.backend.service.access.reason(operation)
        return None

    def _report_step(self, text: str) -> None:
        self.customers_screen.post_message(ConnectStep(text))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "connect" and event.state is WorkerState.ERROR:
            reason = describe_error(event.worker.error)
            self.customers_screen.post_message(ConnectFailed(reason))
            self.notify(reason, title="Could not connect", severity="error", markup=False)

    def _leave(self, return_code: int) -> None:
        """The terminal is gone or a signal asked us to stop: exit now, edits or not —
        closing the emulator and its database first, while the screens come down."""
        self._close_backend()
        self.exit(return_code=return_code)

    def _close_backend(self) -> asyncio.Future[None] | None:
        """Close the backend once (a task: leaving and unmounting may both ask)."""
        if self.backend is not None and self._backend_closing is None:
            self._backend_closing = asyncio.ensure_future(self.backend.aclose())
        return self._backend_closing

    async def on_unmount(self) -> None:
        try:
            closing = self._close_backend()
            if closing is not None:
                await closing
        finally:
            if self.terminal_guard is not None:
                self.terminal_guard.uninstall()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification terminal-safe, and never live markup: messages quote Square.

        With ``markup=False`` (how the desk passes Square's text) a name like `[b]x[/b]`
        or `[@click=app.quit]` shows as typed; with markup (Textual's own messages) only
        the words are shown, so no style or action in it ever takes effect.
        """
        text = str(message)
        if markup:
            with contextlib.suppress(Exception):  # not valid markup: show it as it is
                text = Content.from_markup(text).plain
        super().notify(
            terminal_safe(text, multiline=True),
            title=terminal_safe(str(title)),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def settle_memory(self) -> None:
        """After the directory load: what is loaded now lives as long as the app, so the
        garbage collector stops walking it — a full collection over a large directory
        would otherwise hold a keystroke for a tenth of a second."""
        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 20, 20)  # a search answer allocates thousands of objects

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    async def action_quit(self) -> None:
        """Quit, asking first when a screen holds unsaved edits."""
        from screens.confirm import ConfirmDialog

        unsaved = [s for s in self.screen_stack if getattr(s, "has_unsaved_edits", False)]
        if not unsaved:
            self.exit()
            return

        def decided(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.exit()

        self.push_screen(
            ConfirmDialog("Quit and lose the unsaved edits?", confirm="Quit", danger=True),
            decided,
        )

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every action of the focused place is also a palette entry (terminals swallow keys).

        Walks the focus chain's own bindings, not the active ones, so that a key shadowed by
        a widget (enter in a table) or consumed by an input (letters) still has its entry.
        """
        focused = screen.focused
        chain = list(focused.ancestors_with_self) if focused else [screen, self]
        seen: set[str] = set()
        for node in chain:
            for _key, binding in node._bindings:
                if not binding.id or not binding.description or binding.action in seen:
                    continue  # our own actions only: they carry ids (a user keymap rebinds them)
                if self._check_action_state(binding.action, node) is False:
                    continue
                seen.add(binding.action)

                async def run(action: str = binding.action, target: DOMNode = node) -> None:
                    await self.run_action(action, target)

                keys = ", ".join(
                    self.get_key_display(b) for _k, b in node._bindings if b.id == binding.id
                )
                yield SystemCommand(binding.description, binding.tooltip or f"key: {keys}", run)
        yield from super().get_system_commands(screen)


ERROR_LENGTH = 500
"""Characters of an error's text shown at most: a server may answer with a novel."""


def describe_error(error: BaseException | None) -> str:
    """One sentence for a person, terminal-safe; never a traceback and never the token.

    An error's text may quote Square's answer, so it is made terminal-safe here, once,
    for every screen that shows it.
    """
    if error is None:
        return "Something went wrong."
    try:
        text = str(error).strip()
    except Exception:  # a broken __str__ must not hide the failure it describes
        text = ""
    if len(text) > ERROR_LENGTH:
        text = text[: ERROR_LENGTH - 1].rstrip() + "…"
    return terminal_safe(text) or type(error).__name__
