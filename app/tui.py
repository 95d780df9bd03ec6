"""The Textual application: wiring, global keys, the command palette."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.dom import DOMNode
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from app.backend import Backend, BackendFactory
from app.safe_text import terminal_safe

if TYPE_CHECKING:
    from app.config import Settings


def styles_path() -> Path:
    """`styles.tcss` ships inside the wheel as `app/styles.tcss`; in a checkout it is at the top."""
    packaged = Path(__file__).with_name("styles.tcss")
    return packaged if packaged.exists() else Path(__file__).parent.parent / "styles.tcss"


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

    def __init__(
        self,
        backend_factory: BackendFactory,
        settings: Settings,
    ) -> None:
        super().__init__()
        self.backend_factory = backend_factory
        self.settings = settings
        self.backend: Backend | None = None

    def on_mount(self) -> None:
        from screens.customers import CustomersScreen

        if self.settings.keymap:
            self.set_keymap(self.settings.keymap)
        self.customers_screen = CustomersScreen()
        self.push_screen(self.customers_screen)
        self.call_after_refresh(self.connect)  # the first frame first: then the network

    @work(exclusive=True, group="connect", exit_on_error=False)
    async def connect(self) -> None:
        self.backend = await self.backend_factory(self._report_step)
        for notice in self.backend.notices:
            self.notify(notice, title="Local demo", markup=False, timeout=10)
        self.customers_screen.post_message(Connected(self.backend))

    def _report_step(self, text: str) -> None:
        self.customers_screen.post_message(ConnectStep(text))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "connect" and event.state is WorkerState.ERROR:
            reason = describe_error(event.worker.error)
            self.customers_screen.post_message(ConnectFailed(reason))
            self.notify(reason, title="Could not connect", severity="error", markup=False)

    async def on_unmount(self) -> None:
        if self.backend is not None:
            await self.backend.aclose()

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
