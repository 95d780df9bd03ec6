"""Deterministic synthetic customers, made fast without a server (for the index bench and
the unit tests of the index)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from app.square import Customer


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIVEN = _split(
    "Ada Adam Alan Alice Amelia Ana Andrea Anna Antoine Arjun Beatriz Ben Bjørn Carlos "
    "Chloé Chen Clara Daniel David Diego Dmitri Elena Élodie Emma Eva Fatima Felix Freya "
    "Gabriel Grace Hana Hannah Hugo Ibrahim Ingrid Isabel Ivan James Jana Javier Jean "
    "João Johan Jonas Jose Julia Kai Karim Kenji Laila Lars Laura Léa Leon Li Liam Lucas "
    "Lucía Maja Marco Margaret María Mark Marta Martin Mateo Maya Mei Mia Michael Mohammed "
    "Nadia Nina Noah Nora Olivia Omar Oscar Paul Pedro Priya Rafael Rahul Ramón Rosa Ruth "
    "Sam Sara Sofia Søren Stefan Steven Tariq Thomas Tomás Valentina Victor Wei William "
    "Yara Yusuf Zoë Zofia"
)
FAMILY = _split(
    "Abbott Adeyemi Alvarez Andersen Anderson Baker Bauer Becker Bennett Bianchi Brown "
    "Castillo Chen Costa Cruz Dubois Dupont Eriksson Evans Fernández Fischer García Gomez "
    "González Gupta Hansen Hernández Hoffmann Horvat Ivanova Jansen Jensen Johansson Johnson "
    "Jones Kaur Khan Kim Kowalski Kumar Lambert Larsen Lee Lefebvre López Lovelace Martin "
    "Martínez Meyer Miller Moreau Müller Murphy Nakamura Nguyen Nielsen Novak O'Brien "
    "Okafor Olsen Patel Pereira Petrov Popescu Ramírez Richter Rodríguez Romano Rossi Russo "
    "Sánchez Santos Schmidt Schneider Silva Singh Smith Sørensen Suzuki Tanaka Taylor "
    "Thompson Torres Van-Dijk Vargas Wagner Walker Wang Weber White Williams Wilson Wong "
    "Yamamoto Zhang Zimmermann"
)
COMPANIES = (
    "Analytical Engines",
    "Blue Bottle Bakery",
    "Corner Florist",
    "Delta Logistics",
    "Evergreen Dental",
    "Fjord Outfitters",
    "Golden Gate Cycles",
    "Harbor Books",
    "Iron Works Gym",
    "Juniper Tea House",
    "Kestrel Design",
    "Lumen Photography",
    "Maple & Co",
    "Northwind Traders",
    "Orchard Market",
)
DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "icloud.com", "example.com", "mail.example")
NOTE_WORDS = _split(
    "prefers email allergic to nuts vip regular birthday discount loyal customer wholesale "
    "account pickup delivery weekends only call before noon large orders gift cards "
    "referred by friend returns often likes the blue one asks for receipts by mail "
    "corporate invoice net thirty tax exempt spanish speaker french speaker wheelchair "
    "access needs parking sensitive skin oat milk no plastic bag subscription monthly"
)
AREA = ("206", "212", "312", "415", "503", "617", "646", "702", "718", "917")

EPOCH = datetime(2019, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2026, 1, 1, tzinfo=UTC) - EPOCH).total_seconds())


def _ascii(text: str) -> str:
    from app.directory.folding import fold

    return "".join(ch for ch in fold(text) if ch.isalnum())


def synthetic_customers(count: int, seed: int = 7, start: int = 0) -> list[Customer]:
    """``count`` customers with realistic-looking, deterministic fields; ids are numbered
    from ``start``."""
    rng = random.Random(seed * 1_000_003 + start)
    out: list[Customer] = []
    for n in range(start, start + count):
        given = rng.choice(GIVEN)
        family = rng.choice(FAMILY)
        created = EPOCH + timedelta(seconds=rng.randrange(SPAN_SECONDS))
        data: dict[str, object] = {
            "id": f"{n:026d}".replace("0", "C")[:-8] + f"{n:08X}",
            "created_at": created,
            "updated_at": created + timedelta(days=rng.randrange(400)),
            "given_name": given,
            "family_name": family,
            "version": rng.randrange(4),
        }
        roll = rng.random()
        if roll < 0.1:
            data["company_name"] = rng.choice(COMPANIES)
        if roll < 0.02:
            data.pop("given_name")
            data.pop("family_name")
        if rng.random() < 0.85:
            data["email_address"] = (
                f"{_ascii(given)}.{_ascii(family)}{rng.randrange(100)}@{rng.choice(DOMAINS)}"
            )
        if rng.random() < 0.8:
            data["phone_number"] = (
                f"+1 {rng.choice(AREA)}-{rng.randrange(200, 999)}-{rng.randrange(10000):04d}"
            )
        if rng.random() < 0.2:
            data["reference_id"] = f"REF-{rng.randrange(10**6):06d}"
        if rng.random() < 0.4:
            data["note"] = " ".join(rng.choice(NOTE_WORDS) for _ in range(rng.randrange(3, 14)))
        if rng.random() < 0.7:
            data["address"] = {
                "address_line_1": f"{rng.randrange(1, 999)} Main St",
                "locality": "Seattle",
                "administrative_district_level_1": "WA",
                "postal_code": f"98{rng.randrange(100, 199)}",
                "country": "US",
            }
        out.append(Customer.model_validate(data))
    return out
