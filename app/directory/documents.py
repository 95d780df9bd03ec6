"""What the index keeps of a customer: its words, its sort key and its JSON.

Matching rule: every query word must be the prefix of some indexed word. "Name" words
(given and family name, nickname, company) and "other" words (email, phone digits,
reference id, note) are kept apart, so that a query whose words all match a name ranks
above one that matched the note or the email. Names also index their joined form
(``O'Brien`` → ``o``, ``brien``, ``obrien``); a phone number indexes its digit groups, all
its digits and its digits without the country code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.directory.folding import WORD, fold, national_digits, phone_digits
from app.square import Customer

__all__ = ["customer_key", "dump", "hay", "key_of", "tokens_of", "tokens_of_json"]

_NAME_FIELDS = ("given_name", "family_name", "nickname", "company_name")


def _name_tokens(values: Iterable[str | None]) -> list[str]:
    out: list[str] = []
    for value in values:
        if not value:
            continue
        for chunk in fold(value).split():
            runs = WORD.findall(chunk)
            out.extend(runs)
            if len(runs) > 1:
                out.append("".join(runs))
    return out


def _other_tokens(
    email: str | None, phone: str | None, reference_id: str | None, note: str | None
) -> list[str]:
    out: list[str] = []
    if email:
        out.extend(WORD.findall(fold(email)))
    if phone:
        runs = WORD.findall(fold(phone))
        out.extend(runs)
        digits = phone_digits(phone)
        if digits:
            out.append(digits)
            national = national_digits(phone)
            if national and national != digits:
                out.append(national)
    if reference_id:
        out.extend(_name_tokens((reference_id,)))
    if note:
        out.extend(WORD.findall(fold(note)))
    return out


def hay(tokens: Iterable[str]) -> str:
    """Distinct tokens as ``" a b c"``: a word prefix test is ``" " + w in hay``."""
    unique = dict.fromkeys(tokens)
    return " " + " ".join(unique) if unique else ""


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
    name = " ".join(part.strip() for part in (given, family) if part and part.strip())
    primary = name or (company or "").strip() or (email or "").strip() or (phone or "").strip()
    return f"{fold(primary)}\x00{customer_id}".encode()


def key_of(customer: Customer) -> bytes:
    return customer_key(
        customer.given_name,
        customer.family_name,
        customer.company_name,
        customer.email_address,
        customer.phone_number,
        customer.id,
    )


def tokens_of(customer: Customer) -> tuple[list[str], list[str]]:
    names = _name_tokens(
        (customer.given_name, customer.family_name, customer.nickname, customer.company_name)
    )
    others = _other_tokens(
        customer.email_address, customer.phone_number, customer.reference_id, customer.note
    )
    return names, others


def tokens_of_json(data: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    names = _name_tokens(data.get(field) for field in _NAME_FIELDS)
    others = _other_tokens(
        data.get("email_address"),
        data.get("phone_number"),
        data.get("reference_id"),
        data.get("note"),
    )
    return names, others


def dump(customer: Customer) -> bytes:
    return customer.model_dump_json(exclude_none=True).encode()
