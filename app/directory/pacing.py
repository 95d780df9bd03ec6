"""Pacing a load under Square's rate limit: additive increase, multiplicative decrease.

Square answers 429 (with ``Retry-After``) when a seller's app sends too fast, and says
nothing of the limit itself. The :class:`Pacer` starts without a limit (the load's
workers side by side); at the first 429 it sets its rate just below what got through
lately and spaces every request by ``1 / rate``. It then probes upwards — half as fast
again each quiet second — until the next 429, which sets the rate just below the one
that met it; from then on it adds half a request per second each quiet second and cuts
by a fifth at a 429 (429s within twice the ``Retry-After`` of a cut are the same
signal: requests sent before it, or the service's retries of them). A long
``Retry-After`` pauses every worker that long. Progress reports the recent rate and how
many 429s were met.
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
    """At a 429 the rate becomes this share of the rate that met it."""
    PROBE = 1.5
    """While probing: the rate grows this many times per second without a 429."""
    INCREASE = 0.5
    """Then: requests per second added per second without a 429."""
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
        self._last_sent = -math.inf
        self._lock = asyncio.Lock()
        self._paused_until = 0.0
        self._last_cut = -math.inf
        self._last_rise = clock()
        self._probing = True
        self._answers: deque[float] = deque()

    async def turn(self) -> None:
        """Wait for this request's turn (first come, first served; a change of rate
        applies to those already waiting)."""
        async with self._lock:
            while True:
                now = self._clock()
                due = self._paused_until
                if self.rate is not None:
                    due = max(due, self._last_sent + 1.0 / self.rate)
                if due <= now:
                    break
                await self._sleep(min(due - now, 0.1))
            self._last_sent = now

    def answered(self) -> None:
        """A request was answered: count it, and ramp up the rate with time."""
        now = self._clock()
        self._answers.append(now)
        self._trim(now)
        if self.rate is not None:
            quiet = max(0.0, now - self._last_rise)
            if self._probing:
                self.rate *= self.PROBE**quiet
            else:
                self.rate += self.INCREASE * quiet
        self._last_rise = now

    def rate_limited(self, retry_after: float | None = None, *, pause: bool = False) -> None:
        """Square answered 429: slow down (once per second at most). With ``pause``
        (the service gave up waiting), everyone waits ``retry_after`` first."""
        now = self._clock()
        self.limited += 1
        if pause:
            wait = retry_after if retry_after is not None and retry_after > 0 else 1.0
            self._paused_until = max(self._paused_until, now + min(wait, 900.0))
        hold = max(1.0, 2 * retry_after) if retry_after is not None else 2.0
        if now - self._last_cut < min(hold, 10.0):
            return  # answers to requests sent before the last cut (or their retries)
        self._last_cut = now
        self._last_rise = now
        if self.rate is None:
            base = max(1.0, self.recent_rate())
        else:
            base = self.rate
            self._probing = False
        self.rate = max(self.MIN_RATE, base * self.CUT)

    def recent_rate(self) -> float:
        """Requests answered per second lately."""
        now = self._clock()
        self._trim(now)
        if not self._answers:
            return 0.0
        span = max(0.5, min(self.WINDOW, now - self._answers[0]))
        return len(self._answers) / span

    @property
    def waiting(self) -> float:
        """Seconds left of a pause Square asked for."""
        return max(0.0, self._paused_until - self._clock())

    def _trim(self, now: float) -> None:
        answers = self._answers
        while answers and now - answers[0] > self.WINDOW:
            answers.popleft()
