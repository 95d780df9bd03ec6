"""The Textual application: wiring, global keys, the read-only state shown, notifications.

Also the desk's own palette commands and preferences: `ctrl+p` opens the palette from
everywhere (a priority key: inputs, tables, dialogs), `:` outside inputs; the theme
picked in the palette is saved to config.toml (the profile's table when one is in use)
and used at the next start; the mouse can be switched off (``mouse = false``, or the
palette's "Mouse: switch off"), leaving it to the terminal; with profiles in the file,
"Switch profile: NAME" reconnects the desk as that account, asking first when edits are
unsaved.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.content import Content
from textual.notifications import SeverityLevel
from textual.reactive import var

from app.lifecycle import TerminalGuard
from app.messages import Connected, DirectoryLoaded
from app.safe_text import terminal_safe
from app.session import Session

if TYPE_CHECKING:
    from textual.command import Provider
    from textual.screen import Screen

    from app.config import Settings

THEME_ALIASES = {"textual-ansi": "ansi-dark"}
"""Theme names of older Textual releases → this one's (the terminal's own ANSI colours)."""
DUPLICATE_SYSTEM_COMMANDS = {"Quit", "Keys"}
"""Textual's system commands the desk's own actions already offer (quit, help)."""


def styles_path() -> Path:
    """`styles.tcss` ships inside the wheel as `app/styles.tcss`; in a checkout it is at the top."""
    packaged = Path(__file__).with_name("styles.tcss")
    return packaged if packaged.exists() else Path(__file__).parent.parent / "styles.tcss"


def place_commands() -> type[Provider]:
    """The palette's provider, loaded when the palette first opens (not on the first frame's
    path; Textual's own system commands are given the same way)."""
    from app.palette import PlaceCommands

    return PlaceCommands


WRITE_BINDINGS: dict[str, str] = {
    "customers.new": "CreateCustomer",
    "customer.edit": "UpdateCustomer",
    "customer.save": "UpdateCustomer",
    "customer.delete": "DeleteCustomer",
    "cards.add": "CreateCard",
    "cards.remove": "DisableCard",
    "groups.add": "AddGroupToCustomer",
    "groups.remove": "RemoveGroupFromCustomer",
    "customers.import": "BulkCreateCustomers",
    "customers.group_add": "AddGroupToCustomer",
    "customers.group_remove": "RemoveGroupFromCustomer",
    "customers.delete": "BulkDeleteCustomers",
}
"""Every key that changes something (binding id → the Square operation it leads to).
When that operation is refused, the key is hidden (footer, help, palette) and pressing
it says why."""


class CustomerDeskApp(App[None]):
    """Customer Desk: find a customer in a second, fix the profile, never lose an edit."""

    TITLE = "Customer Desk"
    CSS_PATH = styles_path()
    COMMANDS = {place_commands}  # in place of Textual's system commands, which it lists too
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="quit", priority=True),
        Binding("f1,question_mark", "toggle_help", "Help", id="help"),
        Binding("ctrl+p", "command_palette", "Palette", show=False, id="palette", priority=True),
        Binding("colon", "command_palette", "Palette", show=False, id="palette.colon"),
    ]

    read_only: var[bool] = var(False)
    """The desk's effective read-only state, as the header shows it (the session decides)."""

    def __init__(
        self,
        session: Session,
        *,
        profile_session: Callable[[str], Session] | None = None,
        profiles: Callable[[], list[str]] | None = None,
    ) -> None:
        """``profile_session(name)`` makes the session of another profile (raising
        ``ConfigError``), ``profiles()`` names them: given by the command line."""
        super().__init__()
        self.session = session
        self.set_reactive(CustomerDeskApp.read_only, session.read_only)
        self.terminal_guard: TerminalGuard | None = None
        self.profile_session = profile_session
        self.profiles = profiles
        self.mouse_enabled = session.settings.mouse
        self._saved_theme: str | None = None

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @property
    def keymap(self) -> Mapping[str, str]:
        """The user's keymap: binding id → keys (the palette shows these keys)."""
        return self.session.settings.keymap

    def on_mount(self) -> None:
        from screens.search import SearchScreen

        if not self.is_headless:  # a real terminal: leave when it goes away (SIGHUP, hang-up)
            self.terminal_guard = TerminalGuard(self._leave)
            self.terminal_guard.install(asyncio.get_running_loop())
        if self.keymap:
            self.set_keymap(dict(self.keymap))
        self.apply_settings_theme()
        self.theme_changed_signal.subscribe(self, lambda theme: self.save_theme(theme.name))
        self.push_screen(SearchScreen(self.session))

    # -- what the screens tell ---------------------------------------------------------

    def on_connected(self, _: Connected) -> None:
        self.session.access.subscribe(self._access_changed)
        self.read_only = self.session.read_only
        self.refresh_write_keys()
        for notice in self.session.notices:
            self.notify(notice, title="Local demo", markup=False, timeout=10)

    def on_directory_loaded(self, _: DirectoryLoaded) -> None:
        # After the next refresh: the rows just found are painted first (a full collection
        # over the loaded directory takes tens of milliseconds).
        self.call_after_refresh(self.settle_memory)

    # -- read-only -----------------------------------------------------------------------

    def _access_changed(self) -> None:
        """Square refused a write for want of a scope: the desk is read-only from now on."""
        was = self.read_only
        self.read_only = self.session.read_only
        self.refresh_write_keys()
        if self.read_only and not was:
            self.notify(
                self.session.refusal_reason() + " The desk is read-only from now on.",
                title="Read-only",
                severity="warning",
                markup=False,
                timeout=10,
            )

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
        if all(self.session.may_write(operation) for operation in WRITE_BINDINGS.values()):
            return None
        from app.palette import place_actions

        for action in place_actions(self.screen, self.keymap):
            if key not in action.keys:
                continue
            if action.state:
                return None  # an enabled binding owns this key here
            operation = WRITE_BINDINGS.get(action.binding.id or "")
            if operation is not None and not self.session.may_write(operation):
                return self.session.refusal_reason(operation)
        return None

    # -- leaving -------------------------------------------------------------------------

    def _leave(self, return_code: int) -> None:
        """The terminal is gone or a signal asked us to stop: exit now, edits or not —
        closing the emulator and its database first, while the screens come down."""
        self.session.close()
        self.exit(return_code=return_code)

    async def on_unmount(self) -> None:
        try:
            await self.session.close()
        finally:
            if self.terminal_guard is not None:
                self.terminal_guard.uninstall()

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

    # -- the rest ------------------------------------------------------------------------

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

    # -- preferences: theme and mouse, saved to config.toml ------------------------------

    def apply_settings_theme(self) -> None:
        wanted = self.settings.theme
        if wanted:
            name = THEME_ALIASES.get(wanted, wanted)
            if name in self.available_themes:
                self.theme = name
            else:
                self.notify(f"The theme {wanted!r} is not known here.", title="Theme")
        self._saved_theme = self.theme

    def save_theme(self, name: str) -> None:
        """The agent picked a theme: it is the desk's from now on (saved once per change)."""
        if name != self._saved_theme:
            self._saved_theme = name
            self.save_setting("theme", name)

    def save_setting(self, key: str, value: str | bool) -> None:
        from app.config import config_path
        from app.settings_store import SettingsWriteError, save_setting

        path = self.settings.config_file or config_path()
        try:
            save_setting(path, key, value, profile=self.settings.profile)
        except SettingsWriteError as error:
            self.notify(str(error), title="Settings", severity="warning", markup=False)

    def action_toggle_mouse(self) -> None:
        """Switch the mouse off (the terminal selects and copies again) or on; saved."""
        self.mouse_enabled = not self.mouse_enabled
        self._driver_mouse(self.mouse_enabled)
        self.save_setting("mouse", self.mouse_enabled)
        state = "on" if self.mouse_enabled else "off: the terminal has it"
        self.notify(f"Mouse {state}.", title="Mouse", markup=False)

    def _driver_mouse(self, on: bool) -> None:
        """Tell the terminal now (the next start asks for the mouse only when on). The
        driver's switches are not public Textual API: where they are missing, mouse
        events are still ignored here (:meth:`on_event`)."""
        driver = self._driver
        if driver is None or self.is_headless:
            return
        switch = getattr(driver, "_enable_mouse_support" if on else "_disable_mouse_support", None)
        if switch is not None:
            with contextlib.suppress(Exception):
                driver._mouse = on
                switch()

    async def on_event(self, event: events.Event) -> None:
        if not self.mouse_enabled and isinstance(event, events.MouseEvent):
            return  # the mouse is switched off
        await super().on_event(event)

    # -- the palette's own commands ------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's (less those the desk's own keys offer) and the desk's."""
        for command in super().get_system_commands(screen):
            if command.title not in DUPLICATE_SYSTEM_COMMANDS:
                yield command
        if self.mouse_enabled:
            yield SystemCommand(
                "Mouse: switch off", "Leave the mouse to the terminal", self.action_toggle_mouse
            )
        else:
            yield SystemCommand("Mouse: switch on", "Click and scroll", self.action_toggle_mouse)
        for name in self.other_profiles():
            yield SystemCommand(
                f"Switch profile: {name}",
                "Reconnect as this account (asks when edits are unsaved)",
                lambda name=name: self.ask_switch_profile(name),
            )

    def other_profiles(self) -> list[str]:
        if self.profiles is None or self.profile_session is None:
            return []
        from app.config import ConfigError

        try:
            names = self.profiles()
        except ConfigError:
            return []
        return [name for name in names if name != self.settings.profile]

    def ask_switch_profile(self, name: str) -> None:
        from screens.confirm import ConfirmDialog

        unsaved = [s for s in self.screen_stack if getattr(s, "has_unsaved_edits", False)]
        if not unsaved:
            self.run_worker(self.switch_profile(name), group="profile", exit_on_error=False)
            return

        def decided(switch: bool | None) -> None:
            if switch:
                self.run_worker(self.switch_profile(name), group="profile", exit_on_error=False)

        question = f"Switch to the profile {name!r} and lose the unsaved edits?"
        self.push_screen(ConfirmDialog(question, confirm="Switch", danger=True), decided)

    async def switch_profile(self, name: str) -> None:
        """Close this session, open the profile's: the desk starts over as that account."""
        from app.config import ConfigError
        from screens.search import SearchScreen

        assert self.profile_session is not None
        try:
            session = self.profile_session(name)
        except ConfigError as error:
            self.notify(str(error), title="Profile", severity="error", markup=False)
            return
        old = self.session
        while len(self.screen_stack) > 1:
            await self.pop_screen()
        self.session = session
        self.read_only = session.read_only
        await old.close()
        if session.settings.theme:
            self.apply_settings_theme()
        await self.push_screen(SearchScreen(session))
        self.notify(f"Now working as the profile {name!r}.", title="Profile", markup=False)

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()
