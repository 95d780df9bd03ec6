"""``created_at`` windows: Square's timestamps made sortable stamps, cut in halves, and
the SearchCustomers query for a window (start inclusive, end exclusive)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from app.directory.documents import stamp

__all__ = [
    "SANE_TIMES",
    "middle",
    "ms",
    "ms_floor",
    "parse_stamp",
    "plan",
    "utc",
    "window_query",
]


SANE_TIMES = (datetime(1970, 1, 1, tzinfo=UTC), datetime(9000, 1, 1, tzinfo=UTC))
"""Timestamps outside this span (a server's nonsense) are not used to cut windows."""


def utc(moment: datetime | None) -> datetime | None:
    """``moment`` in UTC (naive counts as UTC), or ``None`` when absent or absurd."""
    if moment is None:
        return None
    try:
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return moment if SANE_TIMES[0] <= moment <= SANE_TIMES[1] else None


def ms(moment: datetime) -> datetime:
    """Rounded up to the millisecond (Square's timestamps have milliseconds)."""
    floor = ms_floor(moment)
    return floor if floor == moment else floor + timedelta(milliseconds=1)


def ms_floor(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def middle(start: str, stop: str) -> str | None:
    """A millisecond strictly between two stamps, or ``None`` when there is none."""
    a, b = parse_stamp(start), parse_stamp(stop)
    if b - a <= timedelta(milliseconds=2):
        return None
    mid = stamp(ms(a + (b - a) / 2))
    return mid if mid is not None and start < mid < stop else None


def window_query(start: str | None, stop: str | None) -> dict[str, Any]:
    span: dict[str, str] = {}
    if start is not None:
        span["start_at"] = start
    if stop is not None:
        span["end_at"] = stop
    return {
        "filter": {"created_at": span},
        "sort": {"field": "CREATED_AT", "order": "ASC"},
    }


def plan(
    oldest: datetime | None, newest: datetime | None, count: int
) -> list[tuple[str, str, str | None]] | None:
    """``count`` windows from ``oldest`` to just past ``newest`` (``None``: no usable
    span; ``[]``: nothing between them)."""
    lo, hi = utc(oldest), utc(newest)
    if lo is None or hi is None:
        return None
    if lo > hi:
        return []  # the two pages overlap: everyone is loaded
    end = hi + timedelta(milliseconds=1)
    step = (end - lo) / count
    cuts = [ms_floor(lo + step * n) for n in range(count)] + [ms(end)]
    out: list[tuple[str, str, str | None]] = []
    for start, stop in itertools.pairwise(cuts):
        a, b = stamp(start), stamp(stop)
        if a is not None and b is not None and a < b:
            out.append((a, b, None))
    return out
