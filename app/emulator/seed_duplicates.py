"""The demo's duplicate families: the last profiles of a demo rewritten as likely duplicates.

`seed.py` draws every profile as before (so the random stream, and every other profile,
group membership and card, stay as they were) and then hands the last few to
:func:`rewrite` here, which keeps their ids and times and gives them the families of
`seed_data.DUPLICATE_FAMILIES`; :func:`extras` adds their cards and group memberships.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from . import ids, normalise
from .seed_data import DUPLICATE_CARDS, DUPLICATE_FAMILIES, DUPLICATE_GROUPS, DUPLICATES_FROM

SEED_VERSION = "2"
"""The demo's data version (meta `seed_version`): 2 added the duplicate families. A demo
of another version is moved aside and seeded afresh, as one of another schema is."""

SLOTS = sum(len(family) for family in DUPLICATE_FAMILIES)


def first_slot(customers: int) -> int | None:
    """The index of the first rewritten profile, or None (a demo too small for them)."""
    return customers - SLOTS if customers >= DUPLICATES_FROM else None


def _members() -> list[tuple[int, int, tuple[str, ...]]]:
    return [
        (f, m, profile)
        for f, family in enumerate(DUPLICATE_FAMILIES)
        for m, profile in enumerate(family)
    ]


def rewrite(customer: dict[str, Any], slot: int) -> tuple[dict[str, Any], str]:
    """Profile ``slot`` (0-based among the families' members): its fields replaced, its
    id, times, version and source kept. Returns it and its E.164 phone ("" for none)."""
    _, _, profile = _members()[slot]
    given, family, nick, company, email, phone, postal, birthday, note = profile
    kept: dict[str, Any] = {
        k: customer[k]
        for k in ("id", "created_at", "updated_at", "preferences", "creation_source", "version")
        if k in customer
    }
    out: dict[str, Any] = {
        **kept,
        "given_name": given,
        "family_name": family,
        "nickname": nick,
        "company_name": company,
        "email_address": email,
        "phone_number": phone,
        "birthday": birthday,
        "note": note,
    }
    if postal:
        out["address"] = {
            "address_line_1": f"{100 + 37 * slot} Valencia St",
            "locality": "San Francisco",
            "administrative_district_level_1": "CA",
            "postal_code": postal,
            "country": "US",
        }
    e164 = normalise.phone_e164(phone) if phone else ""
    return {k: v for k, v in out.items() if v not in ("", None)}, e164 or ""


def extras(
    people: Sequence[dict[str, Any]], start: int, groups: Sequence[dict[str, Any]]
) -> tuple[list[tuple[str, str]], list[tuple[dict[str, Any], str]]]:
    """The families' group memberships (customer id, group id) and cards on file."""
    slot_of = {(f, m): start + n for n, (f, m, _) in enumerate(_members())}
    group_ids = {g["name"]: g["id"] for g in groups}
    memberships = [
        (people[slot_of[f, m]]["id"], group_ids[name]) for f, m, name in DUPLICATE_GROUPS
    ]
    cards: list[tuple[dict[str, Any], str]] = []
    for f, m, brand, last_4 in DUPLICATE_CARDS:
        person = people[slot_of[f, m]]
        digest = hashlib.sha256(f"{person['id']}{brand}".encode()).hexdigest()
        card_id = "ccof:" + digest[:16]
        name = f"{person.get('given_name', '')} {person.get('family_name', '')}".strip()
        card = {
            "id": card_id,
            "card_brand": brand,
            "last_4": last_4,
            "exp_month": 1 + int(digest[16:18], 16) % 12,
            "exp_year": 2028 + int(digest[18:20], 16) % 3,
            "cardholder_name": name,
            "billing_address": {"postal_code": "94110", "country": "US"},
            "fingerprint": "sq-1-" + digest[20:60],
            "customer_id": person["id"],
            "merchant_id": ids.MERCHANT_ID,
            "enabled": True,
            "card_type": "CREDIT",
            "prepaid_type": "NOT_PREPAID",
            "bin": {"VISA": "453275", "MASTERCARD": "545454"}.get(brand, "371263"),
            "version": 1,
            "hsa_fsa": False,
        }
        cards.append((card, person["created_at"]))
    return memberships, cards
