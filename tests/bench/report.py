"""The speed table: rows of value, goal and met / not met; printed and written as JSON."""

from __future__ import annotations

import json
import math
import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass
class Row:
    """One line of the table. `met` is None for a row that has no goal."""

    group: str
    name: str
    value: float | None
    unit: str
    shown: str
    goal: str = "—"
    met: bool | None = None
    note: str = ""
    data: dict[str, object] = field(default_factory=dict)


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def percentile(values: Sequence[float], q: float) -> float:
    """The `q` quantile (0-1), nearest rank: a value that was really measured."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1))
    return ordered[rank]


def verdict(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: ""}[met]


def machine() -> str:
    cores = os.cpu_count() or 0
    return f"{cores} cores, {platform.machine()}, Python {platform.python_version()}"


def render(rows: Sequence[Row], *, title: str, footnotes: Sequence[str]) -> str:
    """A Markdown table (pasted as is into the README) and its footnotes."""
    lines = [title, "", "| row | value | goal | |", "| --- | --- | --- | --- |"]
    for row in rows:
        lines.append(f"| {row.name} | {row.shown} | {row.goal} | {verdict(row.met)} |")
    lines.append("")
    lines.extend(f"- *{row.name}*: {row.note}" for row in rows if row.note)
    lines.append("")
    lines.append("How each row is measured:")
    lines.append("")
    lines.extend(footnotes)
    return "\n".join(lines)


def write_json(path: Path, rows: Sequence[Row], meta: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        **meta,
        "rows": [asdict(row) for row in rows],
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
