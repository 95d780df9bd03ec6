"""Pacing a load under Square's rate limit: additive increase, multiplicative decrease.

Square answers 429 (with ``Retry-After``) when a seller's app sends too fast, and says
nothing of the limit itself. The :class:`Pacer` starts without a limit (the load's
workers side by side); at the first 429 it sets its rate just below what got through
lately, spaces every request by ``1 / rate``, cuts again at a later 429 (at most once a
second: a burst of 429s is one signal), and adds a request per second each second
without one. A ``Retry-After`` the service did not wait out itself pauses every worker
that long. Progress reports its recent rate and how many 429s it met.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable

__all__ = ["Pacer"]

Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """When the next request may go (see the module's docstring)."""

    CUT = 0.8
    """At a 429 the rate becomes this share of what got through lately."""
    INCREASE = 1.0
    """Requests per second added per second without a 429."""
    MIN_RATE = 0.2
    WINDOW = 3.0
    """Seconds of answers the recent rate is measured over."""

    def __init__(
        self,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._clock = clock
        self._sleep = sleep
        self.rate: float | None = None
        """Requests per second allowed; ``None`` until Square first says "slow down"."""
        self.limited = 0
        """How many 429s were met."""
        self._next_at = 0.0
        self._paused_until = 0.0
        self._last_cut = -math.inf
        self._last_rise = clock()
        self._answers: deque[float] = deque()

    async def turn(self) -> None:
        """Wait for this request's turn."""
        now = self._clock()
        slot = max(now, self._paused_until)
        if self.rate is not None:
            slot = max(slot, self._next_at)
            self._next_at = slot + 1.0 / self.rate
        if slot > now:
            await self._sleep(slot - now)

    def answered(self) -> None:
        """A request was answered: count it, and ramp up the rate with time."""
        now = self._clock()
        self._answers.append(now)
        self._trim(now)
        if self.rate is not None:
            self.rate += self.INCREASE * max(0.0, now - self._last_rise)
        self._last_rise = now

    def rate_limited(self, retry_after: float | None = None, *, pause: bool = False) -> None:
        """Square answered 429: slow down (once per second at most). With ``pause``
        (the service gave up waiting), everyone waits ``retry_after`` first."""
        now = self._clock()
        self.limited += 1
        if pause:
            wait = retry_after if retry_after is not None and retry_after > 0 else 1.0
            self._paused_until = max(self._paused_until, now + min(wait, 900.0))
        if now - self._last_cut < 1.0:
            return
        self._last_cut = now
        self._last_rise = now
        recent = self.recent_rate()
        current = self.rate if self.rate is not None else recent
        base = min(current, recent) if recent > 0 else current
        self.rate = max(self.MIN_RATE, (base or 1.0) * self.CUT)
        self._next_at = max(self._next_at, now + 1.0 / self.rate)

    def recent_rate(self) -> float:
        """Requests answered per second lately."""
        now = self._clock()
        self._trim(now)
        if not self._answers:
            return 0.0
        span = max(1.0, min(self.WINDOW, now - self._answers[0]))
        return len(self._answers) / span

    @property
    def waiting(self) -> float:
        """Seconds left of a pause Square asked for."""
        return max(0.0, self._paused_until - self._clock())

    def _trim(self, now: float) -> None:
        answers = self._answers
        while answers and now - answers[0] > self.WINDOW:
            answers.popleft()
