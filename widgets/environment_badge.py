"""The badge that says which Square is live: LOCAL DEMO, SANDBOX or PRODUCTION."""

from __future__ import annotations

from textual.widgets import Static

from app.config import Settings


class EnvironmentBadge(Static):
    """A coloured label; production is red and impossible to miss."""

    def __init__(self, settings: Settings) -> None:
        label = settings.label + (" · READ-ONLY" if settings.read_only else "")
        super().__init__(f" {label} ", markup=False)
        self.add_class(f"-{settings.environment.value}")
