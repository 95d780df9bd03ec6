"""The first line of every screen: a title on the left and the environment badge on the right."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from app.config import Settings
from app.safe_text import terminal_safe
from widgets.environment_badge import EnvironmentBadge


def safe_title(title: str | Text) -> Text:
    """A title as shown: a `str` is made terminal-safe; a `Text` is the caller's, made so."""
    return title if isinstance(title, Text) else Text(terminal_safe(title))


class TopBar(Horizontal):
    def __init__(self, title: str | Text, settings: Settings) -> None:
        super().__init__(classes=f"-{settings.environment.value}")
        self._title = safe_title(title)
        self._settings = settings

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="title", markup=False)
        yield EnvironmentBadge(self._settings)

    def set_title(self, title: str | Text) -> None:
        self._title = safe_title(title)
        self.query_one("#title", Static).update(self._title)
