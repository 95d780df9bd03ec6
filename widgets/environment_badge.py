"""The badge that says which Square is live: LOCAL DEMO, SANDBOX or PRODUCTION, and the profile."""

from __future__ import annotations

from textual.widgets import Static

from app.config import Settings
from app.safe_text import terminal_safe


class EnvironmentBadge(Static):
    """A coloured label; production is red and impossible to miss. ``· READ-ONLY`` is the
    desk's effective state (the app's ``read_only``, which it watches), not only the
    settings' wish. A named profile (``--profile``) comes first: ``shop-live · PRODUCTION``."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        super().__init__(self._label(settings.read_only), markup=False)
        self.add_class(f"-{settings.environment.value}")

    def _label(self, read_only: bool) -> str:
        profile = self._settings.profile
        named = f"{terminal_safe(profile)} · " if profile else ""
        return f" {named}{self._settings.label}{' · READ-ONLY' if read_only else ''} "

    def on_mount(self) -> None:
        if isinstance(getattr(self.app, "read_only", None), bool):
            self.watch(self.app, "read_only", self.show_read_only)

    def show_read_only(self, read_only: bool) -> None:
        self.update(self._label(read_only))
