"""How far a load has come, as the screen is told."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

__all__ = ["Clock", "LoadProgress", "ProgressCallback", "Window"]


@dataclass(frozen=True)
class LoadProgress:
    """How far a load has come: customers held, Square's count (``None`` until known),
    pages fetched by this run, requests answered per second lately, 429s met, and the
    seconds left of a pause Square asked for."""

    loaded: int
    total: int | None
    pages: int
    rate: float = 0.0
    limited: int = 0
    waiting: float = 0.0


ProgressCallback = Callable[[LoadProgress], None]
Clock = Callable[[], datetime]
Window = tuple[str, str, str | None]
