"""The search bar's language: plain words, email / phone / id look-alikes, and operators.

``ada lov``                      words: every word prefixes a word of the customer
``ada@example.com``              email-like: the index, plus SearchCustomers' email filter
``+1 206 222``, ``3333``         phone-like: the index (digits), plus the phone filter
``JDKYHBWT1D4F8MFH63DBMEN8Y4``   an id: that customer first
``email:gmail`` ``phone:415`` ``ref:NYC`` ``group:VIP`` ``segment:"Big spenders"``
``source:directory,import`` ``-source:import`` ``created:>2024-01-01``
``created:2024-01..2024-03`` ``updated:>=2025-06-01`` ``-group:Staff``
``field:drink=tea`` ``field:"VIP since"=2024`` (``attr:``: a custom field; see
:mod:`app.directory.field_filter`)
                                 operators: SearchCustomers filters, ANDed together and
                                 with the words (which then filter the API's answers)

Dates are UTC. ``>D`` is after the day (or month, or year) D, ``>=D`` from its start,
``<D`` before its start, ``<=D`` up to its end, ``D`` within it and ``A..B`` from the
start of A to the end of B. A full RFC 3339 timestamp is taken as an instant.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from app.directory.folding import fold, national_digits, phone_digits, query_words

__all__ = [
    "CREATION_SOURCES",
    "OPERATORS",
    "ParsedQuery",
    "QueryError",
    "TextKind",
    "format_time",
    "parse_query",
]

CREATION_SOURCES = (
    "OTHER",
    "APPOINTMENTS",
    "COUPON",
    "DELETION_RECOVERY",
    "DIRECTORY",
    "EGIFTING",
    "EMAIL_COLLECTION",
    "FEEDBACK",
    "IMPORT",
    "INVOICES",
    "LOYALTY",
    "MARKETING",
    "MERGE",
    "ONLINE_STORE",
    "INSTANT_PROFILE",
    "TERMINAL",
    "THIRD_PARTY",
    "THIRD_PARTY_IMPORT",
    "UNMERGE_RECOVERY",
)

OPERATORS = (
    "email",
    "phone",
    "ref",
    "group",
    "segment",
    "source",
    "created",
    "updated",
    "field",
)
_ALIASES = {
    "reference": "ref",
    "reference_id": "ref",
    "tel": "phone",
    "mail": "email",
    "attr": "field",
}

TextKind = Literal["empty", "words", "email", "phone", "id"]

_TOKEN = re.compile(
    r'(-?)([A-Za-z_]+):("[^"]*"=(?:"[^"]*"?|\S*)|[^\s"=]+="[^"]*"?|"(?:[^"]*)"?|\S*)'
    r'|("(?:[^"]*)"?)|(\S+)'
)
_ID = re.compile(r"[0-9A-Za-z]{26}")
_PHONE_LIKE = re.compile(r"\+?[\d\s().\-/]+")
_DATE = re.compile(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")


class QueryError(ValueError):
    """A malformed search: the message says what is wrong, for the agent to read."""


@dataclass
class ParsedQuery:
    """What a search text asks for."""

    text: str
    """The plain text (operators removed), stripped."""
    words: list[str]
    """The folded words the index must match (for a phone-like text: its digits)."""
    kind: TextKind
    filter: dict[str, Any] = field(default_factory=dict)
    """SearchCustomers ``query.filter`` from the operators (group / segment names not yet
    resolved: see ``groups`` and ``segments``)."""
    groups: dict[str, list[str]] = field(default_factory=dict)
    """``{"all": [names], "none": [names]}`` from ``group:`` / ``-group:``."""
    segments: dict[str, list[str]] = field(default_factory=dict)
    fields: list[tuple[str, str]] = field(default_factory=list)
    """``(name, value)`` of each ``field:NAME=VALUE`` (``""``: has any value), names not
    yet resolved to keys."""
    exact_email: str | None = None
    """The folded address when the text (or ``email:``) is a complete email address."""
    exact_phone: str | None = None
    """The phone digits without country code when the text (or ``phone:``) is a number."""
    exact_id: str | None = None

    @property
    def has_operators(self) -> bool:
        return bool(self.filter or self.groups or self.segments or self.fields)

    @property
    def asks_square(self) -> bool:
        """Whether answering needs SearchCustomers (an operator, an email or phone
        look-alike, an id), so that a search bar waits for a pause in typing first."""
        return self.has_operators or self.kind in ("email", "phone") or bool(self.exact_id)


def format_time(moment: datetime) -> str:
    """RFC 3339 UTC with milliseconds, as Square writes timestamps."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _unquote(value: str) -> str:
    if value.startswith('"'):
        value = value[1:]
        if value.endswith('"'):
            value = value[:-1]
    return value.strip()


def _looks_like_email(text: str) -> bool:
    return "@" in text and " " not in text.strip()


def _complete_email(text: str) -> bool:
    return re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s.]{2,}", text) is not None


def _looks_like_phone(text: str) -> bool:
    return _PHONE_LIKE.fullmatch(text) is not None and len(phone_digits(text)) >= 3


def _exact_phone(text: str) -> str | None:
    """National digits when ``text`` is a whole phone number (9-16 digits)."""
    digits = phone_digits(text)
    if not 9 <= len(digits) <= 16:
        return None
    return national_digits(text)


def _day_span(raw: str, operator: str) -> tuple[datetime, datetime]:
    """The [start, end) a date (year, month, day) or a timestamp stands for."""
    text = raw.strip()
    if "T" in text or "t" in text or " " in text:
        try:
            moment = datetime.fromisoformat(text.replace("z", "Z").replace("Z", "+00:00"))
        except ValueError:
            raise QueryError(_date_help(operator, raw)) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment, moment + timedelta(milliseconds=1)
    match = _DATE.fullmatch(text)
    if match is None:
        raise QueryError(_date_help(operator, raw))
    year, month, day = match.group(1), match.group(2), match.group(3)
    try:
        if day is not None:
            start = datetime(int(year), int(month), int(day), tzinfo=UTC)
            return start, start + timedelta(days=1)
        if month is not None:
            start = datetime(int(year), int(month), 1, tzinfo=UTC)
            nxt = datetime(int(year) + (int(month) == 12), int(month) % 12 + 1, 1, tzinfo=UTC)
            return start, nxt
        start = datetime(int(year), 1, 1, tzinfo=UTC)
        return start, datetime(int(year) + 1, 1, 1, tzinfo=UTC)
    except ValueError:
        raise QueryError(_date_help(operator, raw)) from None


def _date_help(operator: str, raw: str) -> str:
    return (
        f"{operator} expects a date such as >2024-01-31, <=2025-06, 2024 or "
        f"2024-01-01..2024-03-31 (got {raw!r})"
    )


def time_range(operator: str, values: list[str]) -> dict[str, str]:
    """``start_at`` / ``end_at`` (RFC 3339, end exclusive) for date forms such as
    ``>2024-01-31`` ``<=2025-06`` ``2024`` ``A..B``; :class:`QueryError` if malformed."""
    return _time_range(operator, values)


def _field_term(raw: str) -> tuple[str, str]:
    """``NAME=VALUE`` (either may be quoted) as ``(name, value)``."""
    if raw.startswith('"'):
        end = raw.find('"', 1)
        name, rest = (raw[1:end], raw[end + 1 :]) if end > 0 else (raw[1:], "")
    else:
        name, eq, value = raw.partition("=")
        rest = eq + value
    value = rest[1:] if rest.startswith("=") else ""
    return name.strip(), _unquote(value)


def _time_range(operator: str, values: list[str]) -> dict[str, str]:
    start: datetime | None = None
    end: datetime | None = None
    for raw in values:
        value = raw.strip()
        lo: datetime | None
        hi: datetime | None
        if ".." in value:
            left, _, right = value.partition("..")
            lo = _day_span(left, operator)[0] if left.strip() else None
            hi = _day_span(right, operator)[1] if right.strip() else None
        elif value.startswith(">="):
            lo, hi = _day_span(value[2:], operator)[0], None
        elif value.startswith("<="):
            lo, hi = None, _day_span(value[2:], operator)[1]
        elif value.startswith(">"):
            lo, hi = _day_span(value[1:], operator)[1], None
        elif value.startswith("<"):
            lo, hi = None, _day_span(value[1:], operator)[0]
        else:
            lo, hi = _day_span(value.lstrip("="), operator)
        if lo is not None:
            start = lo if start is None else max(start, lo)
        if hi is not None:
            end = hi if end is None else min(end, hi)
    if start is not None and end is not None and start >= end:
        raise QueryError(f"{operator} that date range is empty")
    out: dict[str, str] = {}
    if start is not None:
        out["start_at"] = format_time(start)
    if end is not None:
        out["end_at"] = format_time(end)
    return out


def _sources(values: list[str]) -> list[str]:
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            name = part.strip().upper().replace("-", "_").replace(" ", "_")
            if not name:
                continue
            if name not in CREATION_SOURCES:
                known = ", ".join(s.lower() for s in CREATION_SOURCES)
                raise QueryError(f"source: unknown creation source {part!r} (one of {known})")
            if name not in out:
                out.append(name)
    return out


def _fuzzy_text(value: str) -> str:
    """An email / reference fuzzy query robust to punctuation: ``ada.l@ex`` → ``ada l ex``."""
    return " ".join(re.split(r"[\W_]+", value)).strip()


def parse_query(text: str) -> ParsedQuery:
    """Parse the search bar. Raises :class:`QueryError` for a malformed operator value;
    an operator with no value yet (``email:`` while typing) is ignored."""
    plain: list[str] = []
    ops: dict[tuple[str, bool], list[str]] = {}
    fields: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        negated, key, value, quoted, bare = match.groups()
        if key is not None:
            name = _ALIASES.get(key.lower(), key.lower())
            if name not in OPERATORS:
                plain.append(match.group(0))
                continue
            if name == "field":
                if negated:
                    raise QueryError("-field: cannot be negated")
                term = _field_term(value)
                if term[0]:
                    fields.append(term)
                continue
            value = _unquote(value)
            if value:
                ops.setdefault((name, bool(negated)), []).append(value)
        elif quoted is not None:
            plain.append(_unquote(quoted))
        else:
            plain.append(bare)
    plain_text = " ".join(part for part in plain if part).strip()

    parsed = ParsedQuery(text=plain_text, words=[], kind="empty")
    if plain_text:
        if _ID.fullmatch(plain_text) and any(ch.isdigit() for ch in plain_text):
            parsed.kind = "id"
            parsed.exact_id = plain_text.upper()
            parsed.words = query_words(plain_text)
        elif _looks_like_email(plain_text):
            parsed.kind = "email"
            parsed.words = query_words(plain_text)
            if _complete_email(plain_text):
                parsed.exact_email = fold(plain_text)
        elif _looks_like_phone(plain_text):
            parsed.kind = "phone"
            parsed.words = [phone_digits(plain_text)]
            parsed.exact_phone = _exact_phone(plain_text)
        else:
            parsed.kind = "words"
            parsed.words = query_words(plain_text)
            if not parsed.words:
                parsed.kind = "empty"

    flt: dict[str, Any] = {}
    for (name, negated), values in ops.items():
        if negated and name not in ("group", "segment", "source"):
            raise QueryError(f"-{name}: only group:, segment: and source: can be negated")
        if name == "email":
            value = " ".join(values)
            if _complete_email(value):
                parsed.exact_email = fold(value)
            fuzzy = _fuzzy_text(value)
            if not fuzzy:
                raise QueryError(f"email: needs letters or digits (got {value!r})")
            flt["email_address"] = {"fuzzy": fuzzy}
        elif name == "phone":
            value = " ".join(values)
            if not phone_digits(value):
                raise QueryError(f"phone: needs digits (got {value!r})")
            if _PHONE_LIKE.fullmatch(value) is None:
                raise QueryError(f"phone: expects digits such as 415 or +1 206 222 (got {value!r})")
            parsed.exact_phone = _exact_phone(value)
            flt["phone_number"] = {"fuzzy": value}
        elif name == "ref":
            value = " ".join(values)
            fuzzy = _fuzzy_text(value)
            if not fuzzy:
                raise QueryError(f"ref: needs letters or digits (got {value!r})")
            flt["reference_id"] = {"fuzzy": fuzzy}
        elif name == "source":
            sources = _sources(values)
            if sources:
                flt["creation_source"] = {
                    "values": sources,
                    "rule": "EXCLUDE" if negated else "INCLUDE",
                }
        elif name in ("created", "updated"):
            span = _time_range(f"{name}:", values)
            if span:
                flt[f"{name}_at"] = span
        elif name == "group":
            parsed.groups.setdefault("none" if negated else "all", []).extend(values)
        elif name == "segment":
            parsed.segments.setdefault("none" if negated else "all", []).extend(values)
    if "creation_source" in flt and ("source", True) in ops and ("source", False) in ops:
        raise QueryError("source: use either source: or -source:, not both")
    parsed.filter = flt
    parsed.fields = fields
    return parsed
