"""The emulator's SearchCustomers with fuzzy email and phone filters.

Requests go over loopback to the emulator (served in a child process) exactly as the
directory sends them for an email-like or phone-like query (limit 100, DEFAULT order,
count); the time reported is the emulator's own, from the ``Server-Timing: app;dur=``
header it adds to every answer (routing, validation, the search, JSON), with the loopback
round trip kept beside it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchTimes:
    server: list[float]
    """Milliseconds, from Server-Timing."""
    round_trip: list[float]
    """Milliseconds, measured by the client."""
    matches: list[int]


def measure(base_url: str, field: str, values: list[str]) -> SearchTimes:
    import httpx

    from app.emulator import DEMO_TOKEN

    server: list[float] = []
    round_trip: list[float] = []
    matches: list[int] = []
    headers = {"Authorization": f"Bearer {DEMO_TOKEN}", "Square-Version": "2025-08-20"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=60.0) as client:
        for warm, value in [(True, v) for v in values[:3]] + [(False, v) for v in values]:
            body = {
                "limit": 100,
                "count": True,
                "query": {
                    "filter": {field: {"fuzzy": value}},
                    "sort": {"field": "DEFAULT", "order": "ASC"},
                },
            }
            started = time.perf_counter()
            response = client.post("/v2/customers/search", json=body)
            elapsed = (time.perf_counter() - started) * 1000
            response.raise_for_status()
            if warm:
                continue
            timing = response.headers.get("server-timing", "")
            if "dur=" not in timing:
                raise RuntimeError("the emulator sent no Server-Timing header")
            server.append(float(timing.split("dur=")[1].split(";")[0].split(",")[0]))
            round_trip.append(elapsed)
            matches.append(int(response.json().get("count", 0)))
    return SearchTimes(server, round_trip, matches)
