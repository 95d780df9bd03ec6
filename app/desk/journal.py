"""The audit trail: every write the desk makes, an intent before the request and its outcome after.

One JSON-lines file in the user data folder (``journal.jsonl``, 0600 in a 0700 folder),
shared by every seller and environment: each line names both, and a session reads only
its own. Two kinds of line, tied by ``intent_id``:

* ``"phase": "intent"`` — written and fsynced *before* the request: ``time`` (UTC ISO),
  ``environment``, ``seller`` (merchant id, demo file or base URL — never the token),
  ``operation`` (``customer.update``, ``customer.create``, ``customer.delete``,
  ``group.create``, ``group.add``, ``group.remove``, ``card.add``, ``card.disable``,
  ``merge.start``/``merge.step``/``merge.finish``…), ``customer_id``, ``name`` (the
  customer's, as shown), ``idempotency_key``, ``before`` and ``after`` (the fields, in
  Square's JSON), ``detail`` (the operation's own: a group's id and name, a card's, the
  merge a step belongs to, the change an undo reverts), ``run``;
* ``"phase": "outcome"`` — after the answer: ``ok``, ``error``, ``after`` (what Square
  holds now), ``customer_id`` (a create's new id), ``settled`` (``"landed"`` /
  ``"did not land"`` / ``"unknown"`` when a later start looked it up).

An intent without an outcome is *open*: the desk stopped (or the answer never came)
between the two. :func:`app.desk.settle.settle` looks each one up at the next start.

Light to import (the session builds the journal before the first frame): no client, no
pydantic. ``Journal(None)`` keeps the lines in memory only (tests, ``--no-journal``).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import os
import stat
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NewType

__all__ = [
    "JOURNAL_ENV",
    "Change",
    "IntentId",
    "Journal",
    "Outcome",
    "default_journal_path",
]

IntentId = NewType("IntentId", str)

JOURNAL_ENV = "CUSTOMER_DESK_JOURNAL"
"""Names the journal file instead of the user data folder's ``journal.jsonl``
(``off`` keeps it in memory only)."""

_tags: contextvars.ContextVar[Mapping[str, Any] | None] = contextvars.ContextVar(
    "journal_tags", default=None
)


def default_journal_path(env: Mapping[str, str] | None = None) -> Path | None:
    """``$CUSTOMER_DESK_JOURNAL`` when set (None for ``off``), else ``journal.jsonl`` in the
    app's user data folder."""
    named = (os.environ if env is None else env).get(JOURNAL_ENV, "").strip()
    if named.lower() == "off":
        return None
    if named:
        return Path(named).expanduser()
    from platformdirs import user_data_path

    return user_data_path("customer-desk", appauthor=False) / "journal.jsonl"


@dataclass(frozen=True)
class Outcome:
    """What became of an intent."""

    time: str
    ok: bool
    error: str | None = None
    after: Mapping[str, Any] | None = None
    customer_id: str | None = None
    settled: str | None = None
    """Set when a later start looked the intent up: "landed", "did not land", "unknown"."""
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One intent with its outcome (None while open), as history lists it."""

    intent_id: IntentId
    time: str
    environment: str
    seller: str
    operation: str
    customer_id: str | None
    name: str
    idempotency_key: str | None
    before: Mapping[str, Any] | None
    after: Mapping[str, Any] | None
    detail: Mapping[str, Any]
    run: str
    outcome: Outcome | None = None

    @property
    def open(self) -> bool:
        return self.outcome is None

    @property
    def landed(self) -> bool:
        return self.outcome is not None and self.outcome.ok

    @property
    def subject_id(self) -> str | None:
        """The customer it was about (a create's new id once known)."""
        if self.customer_id:
            return self.customer_id
        return self.outcome.customer_id if self.outcome is not None else None

    @property
    def undoes(self) -> str | None:
        """The intent this change reverted, when it is an undo."""
        value = self.detail.get("undoes")
        return value if isinstance(value, str) else None


class Journal:
    """The append-only audit trail of one process (see the module)."""

    def __init__(self, path: Path | None, *, clock: Callable[[], datetime] | None = None) -> None:
        self.path = path
        self._clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._lines: list[dict[str, Any]] | None = None if path is not None else []
        self.environment = ""
        self.seller = ""
        self.run = uuid.uuid4().hex[:12]
        """This run's id: ``ctrl+z`` undoes changes of this run only."""
        self._opened: list[tuple[str, str]] = []

    def bind(self, environment: str, seller: str) -> None:
        """Where the desk is connected: stamped on every line, and what it reads back."""
        self.environment = environment
        self.seller = seller

    # -- writing ----------------------------------------------------------------------

    def intent(
        self,
        operation: str,
        *,
        customer_id: str | None = None,
        name: str = "",
        idempotency_key: str | None = None,
        before: Mapping[str, Any] | None = None,
        after: Mapping[str, Any] | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> IntentId:
        """Record a write about to be sent (fsynced before this returns)."""
        intent_id = IntentId(uuid.uuid4().hex)
        merged = {**(_tags.get() or {}), **(detail or {})}
        self._append(
            {
                "time": self._now(),
                "environment": self.environment,
                "seller": self.seller,
                "phase": "intent",
                "intent_id": intent_id,
                "operation": operation,
                "customer_id": customer_id,
                "name": name,
                "idempotency_key": idempotency_key,
                "before": _plain(before),
                "after": _plain(after),
                "detail": _plain(merged) or {},
                "run": self.run,
            }
        )
        return intent_id

    def outcome(
        self,
        intent_id: IntentId,
        *,
        ok: bool,
        after: Mapping[str, Any] | None = None,
        error: str | None = None,
        customer_id: str | None = None,
        settled: str | None = None,
        detail: Mapping[str, Any] | None = None,
    ) -> None:
        """Record what became of ``intent_id``."""
        self._append(
            {
                "time": self._now(),
                "environment": self.environment,
                "seller": self.seller,
                "phase": "outcome",
                "intent_id": intent_id,
                "ok": ok,
                "error": error,
                "after": _plain(after),
                "customer_id": customer_id,
                "settled": settled,
                "detail": _plain(detail) or {},
                "run": self.run,
            }
        )

    def failed(self, intent_id: IntentId, error: BaseException) -> None:
        """Record a failed request — unless it may have landed (no answer, a 5xx): then the
        intent stays open for :func:`~app.desk.settle.settle` to look up."""
        from app.square import NetworkError, ServerError

        if isinstance(error, NetworkError | ServerError):
            return
        self.outcome(intent_id, ok=False, error=str(error) or type(error).__name__)

    @contextlib.contextmanager
    def tagged(self, **tags: Any) -> Iterator[None]:
        """Every intent written inside (in this task) carries ``tags`` in its ``detail``
        — e.g. ``with journal.tagged(merge=merge_id):`` around a merge's steps."""
        token = _tags.set({**(_tags.get() or {}), **tags})
        try:
            yield
        finally:
            _tags.reset(token)

    # -- reading ----------------------------------------------------------------------

    def changes(self, customer_id: str | None = None) -> list[Change]:
        """This seller's and environment's changes, newest first (one customer's if named)."""
        by_id: dict[str, Change] = {}
        order: list[str] = []
        with self._lock:
            lines = list(self._read())
        for line in lines:
            if line.get("environment") != self.environment or line.get("seller") != self.seller:
                continue
            intent_id = line.get("intent_id")
            if not isinstance(intent_id, str):
                continue
            if line.get("phase") == "intent":
                change = _change(line)
                if change is not None and intent_id not in by_id:
                    by_id[intent_id] = change
                    order.append(intent_id)
            elif line.get("phase") == "outcome" and intent_id in by_id:
                found = by_id[intent_id]
                if found.outcome is None:
                    by_id[intent_id] = _with_outcome(found, line)
        found_changes = [by_id[i] for i in reversed(order)]
        if customer_id is not None:
            found_changes = [c for c in found_changes if c.subject_id == customer_id]
        return found_changes

    def change(self, intent_id: str) -> Change | None:
        return next((c for c in self.changes() if c.intent_id == intent_id), None)

    def open_intents(self) -> list[Change]:
        """Intents without an outcome, oldest first (what settling looks up)."""
        return [c for c in reversed(self.changes()) if c.open]

    def undone(self) -> set[str]:
        """The intent ids an undo that landed has reverted."""
        return {c.undoes for c in self.changes() if c.undoes and c.landed}

    # -- recently opened ----------------------------------------------------------------

    def opened(self, customer_id: str, name: str) -> None:
        """The agent opened this customer (kept in memory for this run only)."""
        self._opened = [(i, n) for i, n in self._opened if i != customer_id]
        self._opened.insert(0, (customer_id, name))
        del self._opened[50:]

    def recent(self, limit: int = 10) -> list[tuple[str, str]]:
        """The customers opened this run, newest first, then those changed in the journal."""
        seen: dict[str, str] = {}
        for customer_id, name in self._opened:
            seen.setdefault(customer_id, name)
        for change in self.changes():
            subject = change.subject_id
            if subject and change.landed and change.operation != "customer.delete":
                seen.setdefault(subject, change.name)
        return list(seen.items())[:limit]

    # -- the file ---------------------------------------------------------------------

    def _now(self) -> str:
        return self._clock().astimezone(UTC).isoformat(timespec="milliseconds")

    def _append(self, line: dict[str, Any]) -> None:
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            lines = self._read()
            if self.path is not None:
                _write_line(self.path, text.encode())
            lines.append(line)

    def _read(self) -> list[dict[str, Any]]:
        if self._lines is None:
            self._lines = _read_lines(self.path) if self.path is not None else []
        return self._lines


def _write_line(path: Path, data: bytes) -> None:
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(OSError):
            folder.chmod(0o700)
    fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        info = os.fstat(fd)
        if stat.S_IMODE(info.st_mode) != 0o600 and info.st_uid == os.getuid():
            os.fchmod(fd, 0o600)
        if info.st_size and os.pread(fd, 1, info.st_size - 1) != b"\n":
            data = b"\n" + data  # a torn last line (a kill mid-write) stays on its own
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _read_lines(path: Path) -> list[dict[str, Any]]:
    """Every whole line; a torn last line (a kill mid-write) or garbage is skipped."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    lines: list[dict[str, Any]] = []
    for chunk in raw.splitlines():
        try:
            value = json.loads(chunk)
        except ValueError:
            continue
        if isinstance(value, dict):
            lines.append(value)
    return lines


def _plain(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return json.loads(json.dumps(dict(value), default=str))  # type: ignore[no-any-return]


def _mapping(value: object) -> dict[str, Any] | None:
    return value if isinstance(value, dict) else None


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _change(line: Mapping[str, Any]) -> Change | None:
    operation = _text(line.get("operation"))
    if operation is None:
        return None
    return Change(
        intent_id=IntentId(str(line["intent_id"])),
        time=_text(line.get("time")) or "",
        environment=str(line.get("environment", "")),
        seller=str(line.get("seller", "")),
        operation=operation,
        customer_id=_text(line.get("customer_id")),
        name=_text(line.get("name")) or "",
        idempotency_key=_text(line.get("idempotency_key")),
        before=_mapping(line.get("before")),
        after=_mapping(line.get("after")),
        detail=_mapping(line.get("detail")) or {},
        run=_text(line.get("run")) or "",
    )


def _with_outcome(change: Change, line: Mapping[str, Any]) -> Change:
    from dataclasses import replace

    outcome = Outcome(
        time=_text(line.get("time")) or "",
        ok=line.get("ok") is True,
        error=_text(line.get("error")),
        after=_mapping(line.get("after")),
        customer_id=_text(line.get("customer_id")),
        settled=_text(line.get("settled")),
        detail=_mapping(line.get("detail")) or {},
    )
    return replace(change, outcome=outcome)
