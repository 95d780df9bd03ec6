"""What the store keeps of a customer: its search columns, sort keys and JSON, and why a
customer matched a query.

A customer becomes one row: the JSON Square sent (re-serialised from the model), the
DEFAULT-order key, the folded display name (for "exact name"), the folded email (for
"exact email") and three columns of folded words for the full-text index:

* ``names`` — given and family name, nickname, company; a name with inner punctuation
  also as one joined word (``O'Brien`` → ``o brien obrien``);
* ``others`` — email, reference id, note, city and postal code;
* ``phones`` — the phone number's digits *reversed*, so that a prefix query on them is a
  match from the end of the number: the last four digits, or the whole number with or
  without its country code.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

from app.directory.folding import WORD, fold, national_digits, phone_digits
from app.square import Customer

__all__ = [
    "MATCHING",
    "Row",
    "customer_key",
    "dump",
    "key_of",
    "matches",
    "matching_of",
    "name_of",
    "phone_token",
    "row_of",
    "stamp",
    "why",
]


class Row(NamedTuple):
    """One customer as the store keeps it (the column order of the ``customers`` table)."""

    id: str
    version: int
    created: str | None
    updated: str | None
    key: bytes
    name: str
    email: str | None
    names: str
    others: str
    phones: str
    data: bytes


def stamp(moment: datetime | None) -> str | None:
    """``moment`` as a sortable UTC text with milliseconds (``None`` when absent or
    beyond the calendar once in UTC): the store's form of Square's timestamps."""
    if moment is None:
        return None
    try:
        moment = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T{moment.hour:02d}:"
        f"{moment.minute:02d}:{moment.second:02d}.{moment.microsecond // 1000:03d}Z"
    )


def _words(values: Iterable[str | None], joined: bool = False) -> list[str]:
    out: list[str] = []
    for value in values:
        if not value:
            continue
        for chunk in fold(value).split():
            runs = WORD.findall(chunk)
            out.extend(runs)
            if joined and len(runs) > 1:
                out.append("".join(runs))
    return out


def _text(words: Iterable[str]) -> str:
    return " ".join(dict.fromkeys(words))


def phone_token(digits: str) -> str:
    """The ``phones`` form of a run of digits: reversed (a prefix of it is a suffix)."""
    return digits[::-1]


def customer_key(
    given: str | None,
    family: str | None,
    company: str | None,
    email: str | None,
    phone: str | None,
    customer_id: str,
) -> bytes:
    """Square's DEFAULT order: given + family name, else company, email, phone — folded,
    then the id so that the order is total."""
    return f"{name_of(given, family, company, email, phone)}\x00{customer_id}".encode()


def name_of(
    given: str | None,
    family: str | None,
    company: str | None,
    email: str | None,
    phone: str | None,
) -> str:
    """The folded name a customer is listed by, blanks collapsed."""
    name = " ".join(part.strip() for part in (given, family) if part and part.strip())
    primary = name or (company or "").strip() or (email or "").strip() or (phone or "").strip()
    return " ".join(fold(primary).split())


def key_of(customer: Customer) -> bytes:
    return customer_key(
        customer.given_name,
        customer.family_name,
        customer.company_name,
        customer.email_address,
        customer.phone_number,
        customer.id,
    )


MATCHING = (
    "email_address",
    "phone_number",
    "reference_id",
    "given_name",
    "family_name",
    "company_name",
    "birthday",
    "address.postal_code",
)
"""The fields the duplicate rules read: the columns of the store's ``matching`` table."""


def matching_of(customer: Customer) -> tuple[str | None, ...]:
    """The customer's :data:`MATCHING` fields, in that order."""
    address = customer.address
    return (
        customer.email_address,
        customer.phone_number,
        customer.reference_id,
        customer.given_name,
        customer.family_name,
        customer.company_name,
        customer.birthday,
        address.postal_code if address is not None else None,
    )


def dump(customer: Customer) -> bytes:
    return customer.model_dump_json(exclude_none=True).encode()


def _fields(customer: Customer) -> tuple[list[str], list[str], str]:
    names = _words(
        (customer.given_name, customer.family_name, customer.nickname, customer.company_name),
        joined=True,
    )
    address = customer.address
    others = _words((customer.email_address,))
    others += _words((customer.reference_id,), joined=True)
    others += _words((customer.note,))
    if address is not None:
        others += _words((address.locality, address.sublocality, address.postal_code))
    phone = customer.phone_number
    digits = phone_digits(phone) if phone else ""
    return names, others, phone_token(digits) if digits else ""


def row_of(customer: Customer) -> Row:
    names, others, phones = _fields(customer)
    email = customer.email_address
    return Row(
        customer.id,
        customer.version,
        stamp(customer.created_at),
        stamp(customer.updated_at),
        key_of(customer),
        name_of(
            customer.given_name,
            customer.family_name,
            customer.company_name,
            customer.email_address,
            customer.phone_number,
        ),
        fold(email.strip()) if email and email.strip() else None,
        _text(names),
        _text(others),
        phones,
        dump(customer),
    )


def _prefixes(words: list[str], field: list[str]) -> list[str]:
    return [word for word in words if any(f.startswith(word) for f in field)]


def why(customer: Customer, words: list[str]) -> str | None:
    """Why ``customer`` matched ``words`` when it was not by name alone — ``"email"``,
    ``"phone"``, ``"city Seattle"``, ``"postal code 98101"``, ``"ref …"``, ``"note"`` —
    or ``None`` when every word prefixes a name word."""
    if not words:
        return None
    names, _others, _phones = _fields(customer)
    rest = [word for word in words if not any(name.startswith(word) for name in names)]
    if not rest:
        return None
    address = customer.address
    phone = customer.phone_number
    candidates: list[tuple[str, list[str]]] = [
        ("email", _words((customer.email_address,))),
    ]
    if phone:
        digits = phone_digits(phone)
        national = national_digits(phone)
        for word in rest:
            if word.isdigit() and (digits.endswith(word) or national == word):
                return "phone"
    if address is not None:
        city = address.locality or address.sublocality
        if city:
            candidates.append((f"city {city.strip()}", _words((city,))))
        if address.postal_code:
            candidates.append(
                (f"postal code {address.postal_code.strip()}", _words((address.postal_code,)))
            )
    if customer.reference_id:
        candidates.append(
            (f"ref {customer.reference_id.strip()}", _words((customer.reference_id,), True))
        )
    candidates.append(("note", _words((customer.note,))))
    for label, field in candidates:
        if _prefixes(rest, field):
            return label
    return None


def matches(customer: Customer, words: list[str]) -> tuple[bool, bool]:
    """(every word matches somewhere, every word prefixes a name word) — the store's
    matching rule, for a customer at hand (Square's answers)."""
    names, others, phones = _fields(customer)
    named = all(any(name.startswith(word) for name in names) for word in words)
    if named:
        return True, True
    every = all(
        any(field.startswith(word) for field in (*names, *others))
        or (word.isdigit() and bool(phones) and phones.startswith(phone_token(word)))
        for word in words
    )
    return every, False
