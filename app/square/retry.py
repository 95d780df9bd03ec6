"""When a failed call is tried again: the :class:`RetryPolicy` and the retry decisions.

A failure is *transient* when a later attempt might not meet it: 429, 5xx (and 408) and
no answer at all. Those are retried with exponential backoff and full jitter, and never
past the call's deadline; a ``Retry-After`` is honoured, clamped, and ends the call at once
when it asks for longer than the policy waits. An answer that cannot be read is not
retried: the same request would get the same answer.

Whether a failed attempt *may have committed* decides what a retry's answer means: a
``VERSION_MISMATCH`` or a 404 after such an attempt may be our own write (see
:mod:`app.square.recovery`).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from app.square.errors import (
    NetworkError,
    RateLimitedError,
    ServerError,
    SquareError,
    UnreadableAnswerError,
)
from app.square.limits import RETRY_AFTER_CEILING

__all__ = [
    "RetryPolicy",
    "is_transient",
    "may_have_landed",
    "maybe_committed",
    "parse_retry_after",
]


@dataclass(frozen=True)
class RetryPolicy:
    """How one call is retried: a plain settings object, like httpx's ``Timeout``.

    At most ``max_retries`` attempts follow the first. Before retry ``n`` (from 0) the
    wait is drawn from [0, min(``backoff_cap``, ``backoff_base`` · 2ⁿ)] (full jitter), and
    is at least the ``Retry-After`` the server sent; a ``Retry-After`` over
    ``max_retry_after`` seconds is not waited for."""

    max_retries: int = 4
    backoff_base: float = 0.25
    backoff_cap: float = 8.0
    max_retry_after: float = 30.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "max_retries", max(0, self.max_retries))

    def delay(
        self, err: SquareError, attempt: int, remaining: float, rng: random.Random
    ) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up: after the last
        retry, on an error a retry cannot mend, or when the wait would not leave time
        (``remaining`` seconds of the call's deadline) for another attempt. ``attempt``
        counts the failed attempts before this one (0 after the first)."""
        if attempt >= self.max_retries:
            return None
        if not is_transient(err) or isinstance(err, UnreadableAnswerError):
            return None  # unreadable: the same request would get the same answer
        ceiling = min(self.backoff_cap, self.backoff_base * (2**attempt))
        delay = rng.uniform(0.0, ceiling)  # full jitter
        if isinstance(err, RateLimitedError) and err.retry_after is not None:
            if err.retry_after > self.max_retry_after:
                return None
            delay = max(delay, err.retry_after)
        if not 0.0 <= delay < remaining:
            return None
        return delay


def is_transient(err: SquareError) -> bool:
    """Might a later attempt of the same call not meet ``err``? (429, 5xx, no answer.)"""
    return isinstance(err, RateLimitedError | ServerError | NetworkError)


def maybe_committed(err: SquareError) -> bool:
    """Could the failed attempt have changed something on the server?"""
    if isinstance(err, RateLimitedError):
        return False
    if isinstance(err, NetworkError):
        return err.sent
    return isinstance(err, ServerError)


def may_have_landed(err: SquareError) -> bool:
    """Did a create's retries end in a failure after which it may exist all the same?"""
    if not is_transient(err):
        return False
    return err.after_ambiguous_attempt or maybe_committed(err)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), within
    [0, ``RETRY_AFTER_CEILING``]; ``None`` when absent or unreadable."""
    text = (value or "").strip()
    if not text or len(text) > 100:
        return None
    seconds: float
    try:
        seconds = float(text)  # also "inf", "nan", "1e309", "-1": clamped below
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
            if when.tzinfo is None:  # "-0000": a UTC time of unknown origin
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CEILING)
