"""Canonical forms the emulator stores and searches: timestamps, phone numbers, folded text.

Pure functions, no errors: the rules that refuse a value are in `validation`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import phonenumbers

from .limits import DEFAULT_REGION, PHONE_DIGITS_MAX, PHONE_DIGITS_MIN


def format_ts(moment: datetime) -> str:
    """RFC 3339 in UTC with milliseconds and `Z`, as Square writes them (sortable).

    OverflowError when the moment in UTC falls outside years 1-9999."""
    m = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond // 1000:03d}Z"
    )


_PHONE_CHARS = re.compile(r"\+?[0-9 ()\-./]+")


def phone_e164(raw: str) -> str | None:
    """E.164 form of a valid phone number (NOTES.md rules), else None."""
    text = raw.strip()
    if not _PHONE_CHARS.fullmatch(text) or text.count("+") > 1:
        return None
    digits = sum(ch.isdigit() for ch in text)
    if not PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX:
        return None
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def search_e164(raw: str) -> str | None:
    """The E.164 form of an exact phone query (which must carry its country code)."""
    text = raw.strip()
    if not text.startswith("+"):
        return None
    try:
        number = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


# --- search normalisation -----------------------------------------------------------------

_PUNCT = re.compile(r"[^\w\s]|_")


def fold(text: str) -> str:
    """Case- and accent-insensitive form used for sorting."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def fuzzy_norm(text: str) -> str:
    """A stored email / reference id for fuzzy search: lower case, no punctuation, no spaces."""
    return re.sub(r"\s+", "", _PUNCT.sub("", text.casefold()))


def fuzzy_tokens(query: str) -> list[str]:
    """A fuzzy email / reference query: punctuation dropped, tokenised on spaces."""
    return [tok for tok in _PUNCT.sub("", query.casefold()).split() if tok]


def phone_digits(raw: str, e164: str | None) -> str:
    """Digit strings to look for fuzzy phone tokens in: E.164 digits and the digits as typed."""
    typed = "".join(ch for ch in raw if ch.isdigit())
    full = (e164 or "").lstrip("+")
    return full if typed in full else f"{full}|{typed}"


def digit_tokens(query: str) -> list[str]:
    return [
        tok for tok in ("".join(c for c in part if c.isdigit()) for part in query.split()) if tok
    ]


def sort_key(doc: Mapping[str, Any]) -> str:
    """Square's DEFAULT order: given + family name, else company, email, phone."""
    name = " ".join(p for p in (doc.get("given_name"), doc.get("family_name")) if p)
    for candidate in (
        name,
        doc.get("company_name"),
        doc.get("email_address"),
        doc.get("phone_number"),
    ):
        if candidate and str(candidate).strip():
            return fold(str(candidate).strip())
    return ""
