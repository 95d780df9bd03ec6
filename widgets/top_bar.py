"""The first line of every screen: a title on the left and the environment badge on the right."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Static

from app.config import Settings
from widgets.environment_badge import EnvironmentBadge


class TopBar(Horizontal):
    def __init__(self, title: str | Text, settings: Settings) -> None:
        super().__init__(classes=f"-{settings.environment.value}")
        self._title = title
        self._settings = settings

    def compose(self) -> ComposeResult:
        yield Static(self._title, id="title", markup=False)
        yield EnvironmentBadge(self._settings)

    def set_title(self, title: str | Text) -> None:
        self._title = title
        self.query_one("#title", Static).update(title if isinstance(title, Text) else Text(title))
