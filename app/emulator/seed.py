"""Deterministic demo and benchmark data for the emulator.

`seed_demo(store, customers=2500, seed=7)` fills an empty store with a realistic customer
directory: names (with a few accented and awkward ones), valid emails, real-looking phone
numbers that pass phonenumbers' validation (mostly US in assorted human formats, some
UK / CA / AU / IE), addresses, birthdays, notes, companies, reference ids, groups,
segments and cards on file, and custom attributes (`seed_attributes.py`). Everything
comes from `random.Random(seed)`: the same arguments give the same ids and timestamps
whatever the wall clock says.
"""

from __future__ import annotations

import hashlib
import random
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from . import ids, normalise
from .seed_attributes import seed_custom_attributes
from .seed_data import (
    CARD_BRANDS,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    GROUPS,
    MAIL_DOMAINS,
    NOTES,
    SEGMENTS,
    SOURCES,
    STREET_KINDS,
    STREETS,
    TRICKY,
    US_AREA_CODES,
    US_PLACES,
)
from .seed_duplicates import SEED_VERSION, extras, first_slot, rewrite
from .store import Store

EPOCH = datetime(2019, 1, 1, tzinfo=UTC)
HORIZON = datetime(2026, 6, 30, tzinfo=UTC)
MERCHANT = ids.MERCHANT_ID


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and (ch.isalnum() or ch in "-"))


def _names() -> tuple[list[str], list[str], list[str], list[str]]:
    from faker.providers.person.en_GB import Provider as GB
    from faker.providers.person.en_US import Provider as US
    from faker.providers.person.es_MX import Provider as MX
    from faker.providers.person.fr_FR import Provider as FR

    given = sorted(set(US.first_names_female) | set(US.first_names_male))
    family = list(US.last_names)
    intl_given = sorted(set(MX.first_names) | set(FR.first_names) | set(GB.first_names))
    intl_family = sorted(set(MX.last_names) | set(FR.last_names) | set(GB.last_names))
    return given, family, intl_given, intl_family


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.given, self.family, self.intl_given, self.intl_family = _names()
        self.used_ids: set[str] = set()
        self.sources = [s for s, _ in SOURCES]
        self.source_weights = [w for _, w in SOURCES]

    def new_id(self) -> str:
        while True:
            candidate = ids.new_id(self.rng)
            if candidate not in self.used_ids:
                self.used_ids.add(candidate)
                return candidate

    def timestamp(self, start: datetime, end: datetime) -> datetime:
        span = (end - start).total_seconds()
        moment = start + timedelta(seconds=self.rng.random() * span)
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def us_phone(self) -> str:
        rng = self.rng
        while True:
            area = rng.choice(US_AREA_CODES)
            exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
            if exchange[1:] == "11" or exchange == "555":
                continue
            line = f"{rng.randint(0, 9999):04d}"
            style = rng.random()
            if style < 0.30:
                text = f"+1 {area}-{exchange}-{line}"
            elif style < 0.55:
                text = f"({area}) {exchange}-{line}"
            elif style < 0.70:
                text = f"{area}-{exchange}-{line}"
            elif style < 0.80:
                text = f"{area}.{exchange}.{line}"
            elif style < 0.92:
                text = f"+1{area}{exchange}{line}"
            else:
                text = f"1-{area}-{exchange}-{line}"
            if normalise.phone_e164(text):
                return text

    def intl_phone(self, country: str) -> str:
        rng = self.rng
        while True:
            if country == "GB":
                text = rng.choice(
                    (
                        f"+44 20 7946 {rng.randint(0, 999):04d}",
                        f"+44 7{rng.randint(400, 999)} {rng.randint(100000, 999999)}",
                        f"+44 161 496 {rng.randint(0, 999):04d}",
                    )
                )
            elif country == "CA":
                area = rng.choice(("416", "604", "514", "403", "613"))
                text = f"+1 {area} {rng.randint(200, 899)} {rng.randint(0, 9999):04d}"
            elif country == "AU":
                text = rng.choice(
                    (
                        f"+61 4{rng.randint(10, 99)} {rng.randint(100, 999)} "
                        f"{rng.randint(100, 999)}",
                        f"+61 2 9{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                    )
                )
            else:  # IE
                text = f"+353 1 {rng.randint(200, 999)} {rng.randint(1000, 9999)}"
            if normalise.phone_e164(text):
                return text

    def address(self, country: str, first: str, last: str) -> dict[str, str]:
        rng = self.rng
        number = rng.randint(1, 9999)
        street = f"{number} {rng.choice(STREETS)} {rng.choice(STREET_KINDS)}"
        out: dict[str, str] = {"address_line_1": street}
        if rng.random() < 0.15:
            out["address_line_2"] = f"{rng.choice(('Apt', 'Suite', 'Unit'))} {rng.randint(1, 40)}"
        if country == "US":
            city, state, zip3 = rng.choice(US_PLACES)
            out.update(
                locality=city,
                administrative_district_level_1=state,
                postal_code=f"{zip3}{rng.randint(1, 99):02d}",
            )
        elif country == "GB":
            out.update(locality="London", postal_code=f"SW1A {rng.randint(1, 9)}AA")
        elif country == "CA":
            out.update(
                locality="Toronto", administrative_district_level_1="ON", postal_code="M5V 2T6"
            )
        elif country == "AU":
            out.update(locality="Sydney", administrative_district_level_1="NSW", postal_code="2000")
        else:
            out.update(
                locality="Dublin", postal_code=f"D0{rng.randint(1, 8)} X2{rng.randint(10, 99)}"
            )
        out["country"] = country
        if rng.random() < 0.1:
            out["first_name"], out["last_name"] = first, last
        return out

    def email(self, first: str, last: str, company: str) -> str:
        rng = self.rng
        a, b = _ascii(first).lower() or "customer", _ascii(last).lower() or "mail"
        style = rng.random()
        if company and style < 0.2:
            domain = _ascii(company.split()[0]).lower() + ".example.com"
            return f"{a}@{domain}"
        domain = rng.choice(MAIL_DOMAINS)
        if style < 0.45:
            local = f"{a}.{b}"
        elif style < 0.65:
            local = f"{a}{b}{rng.randint(1, 99)}"
        elif style < 0.8:
            local = f"{a[0]}{b}"
        elif style < 0.9:
            local = f"{a}_{b}"
        else:
            local = f"{b}.{a}{rng.randint(1970, 2005)}"
        return f"{local}@{domain}"

    def company(self, last: str) -> str:
        rng = self.rng
        roll = rng.random()
        if roll < 0.4:
            return f"{last} {rng.choice(COMPANY_SUFFIXES)}"
        if roll < 0.8:
            return f"{last}'s {rng.choice(COMPANY_WORDS)}"
        return f"{last}, {rng.choice(self.family)} and {rng.choice(self.family)}"

    def birthday(self) -> str:
        rng = self.rng
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        year = 0 if rng.random() < 0.2 else rng.randint(1940, 2006)
        return f"{year:04d}-{month:02d}-{day:02d}"

    def customer(self, index: int) -> tuple[dict[str, Any], str]:
        rng = self.rng
        created = self.timestamp(EPOCH, HORIZON)
        updated = created if rng.random() < 0.5 else self.timestamp(created, HORIZON)
        version = 0 if updated == created else rng.randint(1, 6)
        roll = rng.random()
        country = (
            "US"
            if roll < 0.86
            else "GB"
            if roll < 0.91
            else "CA"
            if roll < 0.95
            else "AU"
            if roll < 0.98
            else "IE"
        )
        if index < len(TRICKY):
            first, last, nick, company, email, phone, country = TRICKY[index]
        else:
            intl = country != "US" or rng.random() < 0.12
            first = rng.choice(self.intl_given if intl else self.given)
            last = rng.choice(self.intl_family if intl else self.family)
            nick = (
                rng.choice(("Bobby", "Kat", "Mo", "Jojo", "Sunny", "Red"))
                if rng.random() < 0.06
                else ""
            )
            company = self.company(last) if rng.random() < 0.22 else ""
            email = self.email(first, last, company) if rng.random() < 0.9 else ""
            phone = ""
            if rng.random() < 0.85:
                phone = self.us_phone() if country == "US" else self.intl_phone(country)
            shape = rng.random()
            if shape < 0.015:  # a business profile with no person's name
                first, last, company = "", "", company or self.company(last)
            elif shape < 0.025:  # just an email
                first, last, company, phone = "", "", "", ""
                email = email or self.email("guest", str(index), "")
        customer: dict[str, Any] = {
            "id": self.new_id(),
            "created_at": normalise.format_ts(created),
            "updated_at": normalise.format_ts(updated),
            "given_name": first,
            "family_name": last,
            "nickname": nick,
            "company_name": company,
            "email_address": email,
            "phone_number": phone,
            "preferences": {"email_unsubscribed": rng.random() < 0.05},
            "creation_source": rng.choices(self.sources, self.source_weights)[0],
            "version": version,
        }
        if (first or company) and rng.random() < 0.7:
            customer["address"] = self.address(country, first, last)
        if rng.random() < 0.6:
            customer["birthday"] = self.birthday()
        if rng.random() < 0.25:
            customer["note"] = rng.choice(NOTES)
        if rng.random() < 0.2:
            tag = _ascii(last).upper()[:10] or "GUEST"
            customer["reference_id"] = rng.choice(
                (
                    f"CRM-{rng.randint(1, 99999):05d}",
                    f"NYC_{rng.choice('MFX')}_{rng.randint(18, 90)}_{tag}",
                    f"LOY-{rng.randint(100000, 999999)}",
                )
            )
        if country in ("IE", "FR") and company and rng.random() < 0.5:
            customer["tax_ids"] = {"eu_vat": f"IE{rng.randint(1000000, 9999999)}A"}
        e164 = normalise.phone_e164(phone) if phone else ""
        return {k: v for k, v in customer.items() if v not in ("", None)}, e164 or ""


def seed_demo(store: Store, *, customers: int = 2500, seed: int = 7) -> None:
    """Fill `store` with a deterministic demo directory (one transaction)."""
    gen = _Generator(seed)
    rng = gen.rng
    groups = [
        {
            "id": gen.new_id(),
            "name": name,
            "created_at": normalise.format_ts(EPOCH + timedelta(days=3 * i, hours=9)),
            "updated_at": normalise.format_ts(EPOCH + timedelta(days=3 * i, hours=9)),
        }
        for i, name in enumerate(GROUPS)
    ]
    segments = [
        {
            "id": f"{MERCHANT}.{key}",
            "name": name,
            "created_at": normalise.format_ts(EPOCH + timedelta(days=1, minutes=i)),
            "updated_at": normalise.format_ts(EPOCH + timedelta(days=400, minutes=i)),
        }
        for i, (key, name) in enumerate(SEGMENTS)
    ]
    people: list[dict[str, Any]] = []
    phones: list[str] = []
    memberships: list[tuple[str, str]] = []
    segment_members: list[tuple[str, str]] = []
    group_weights = (0.04, 0.03, 0.25, 0.08, 0.01, 0.02, 0.05)
    start = first_slot(customers)
    for index in range(customers):
        customer, e164 = gen.customer(index)  # drawn always: the random stream stays
        if start is not None and index >= start:
            customer, e164 = rewrite(customer, index - start)
        people.append(customer)
        phones.append(e164)
        cid = customer["id"]
        for group, weight in zip(groups, group_weights, strict=True):
            if rng.random() < weight:
                memberships.append((cid, group["id"]))
        if customer.get("email_address") or customer.get("phone_number"):
            segment_members.append((cid, segments[0]["id"]))
        for segment, weight in zip(segments[1:], (0.12, 0.15, 0.1, 0.05), strict=True):
            if rng.random() < weight:
                segment_members.append((cid, segment["id"]))
    cards = _cards(gen, people)
    if start is not None:
        more_memberships, more_cards = extras(people, start, groups)
        known = set(memberships)
        memberships += [m for m in more_memberships if m not in known]
        cards += more_cards
    with store.transaction():
        for group in groups:
            store.put_group(group)
        for segment in segments:
            store.put_segment(segment)
        store.bulk_insert_customers(people, memberships, segment_members, phones=phones)
        for card, created_at in cards:
            store.put_card(card, created_at)
        stamps = [(c["id"], c["created_at"]) for c in people]
        seed_custom_attributes(store, stamps, seed=seed)
        store.set_meta("seed", f"customers={customers} seed={seed}")
        store.set_meta("seed_version", SEED_VERSION)


def _cards(gen: _Generator, people: Sequence[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    rng = gen.rng
    out: list[tuple[dict[str, Any], str]] = []
    for customer in people:
        if rng.random() >= 0.08:
            continue
        for _ in range(1 if rng.random() < 0.75 else 2):
            brand, bin_, lasts = rng.choice(CARD_BRANDS)
            created = gen.timestamp(datetime.fromisoformat(customer["created_at"]), HORIZON)
            name = " ".join(
                p for p in (customer.get("given_name"), customer.get("family_name")) if p
            )
            card_id = "ccof:" + "".join(
                rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789", k=16)
            )
            enabled = rng.random() < 0.9
            last_4 = rng.choice(lasts)
            card: dict[str, Any] = {
                "id": card_id,
                "card_brand": brand,
                "last_4": last_4,
                "exp_month": rng.randint(1, 12),
                "exp_year": rng.randint(2025, 2031),
                "cardholder_name": name or customer.get("company_name", ""),
                "billing_address": {
                    k: v
                    for k, v in (customer.get("address") or {"postal_code": "94103"}).items()
                    if k in ("address_line_1", "locality", "postal_code", "country")
                },
                "fingerprint": "sq-1-"
                + hashlib.sha256(f"{card_id}{last_4}".encode()).hexdigest()[:40],
                "customer_id": customer["id"],
                "merchant_id": MERCHANT,
                "enabled": enabled,
                "card_type": "DEBIT" if rng.random() < 0.3 else "CREDIT",
                "prepaid_type": "NOT_PREPAID",
                "bin": bin_,
                "version": 1 if enabled else 2,
                "hsa_fsa": False,
            }
            out.append(
                (
                    {k: v for k, v in card.items() if v not in ("", None)},
                    normalise.format_ts(created),
                )
            )
    return out
