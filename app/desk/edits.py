"""The agent's edit of a profile: the text typed in each field over one version of it.

Field by field as the form shows them — the address as its parts, so that two edits
of one address are compared part by part. What the edit sends is sparse: changed
fields only, an emptied field cleared; an address is sent whole (Square replaces it
as a whole), the parts not typed as they were.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from app.desk import checks
from app.square import Address, Customer, CustomerFields
from app.square.models import CustomerTaxIds

__all__ = [
    "ADDRESS_PARTS",
    "FIELD_NAMES",
    "PROFILE_FIELDS",
    "TAX_FIELDS",
    "ProfileEdit",
    "field_for_error",
    "shown_value",
]

PROFILE_FIELDS = (
    "given_name",
    "family_name",
    "nickname",
    "company_name",
    "email_address",
    "phone_number",
    "birthday",
    "reference_id",
)
TAX_FIELDS = ("eu_vat",)
"""``tax_ids.eu_vat``: the EU VAT number (the one tax id Square takes on a customer)."""
ADDRESS_PARTS = (
    "address_line_1",
    "address_line_2",
    "address_line_3",
    "locality",
    "sublocality",
    "administrative_district_level_1",
    "administrative_district_level_2",
    "administrative_district_level_3",
    "postal_code",
    "country",
)
FIELD_NAMES = (*PROFILE_FIELDS, *TAX_FIELDS, *ADDRESS_PARTS, "note")
"""Every field of the profile form, in its order."""


def shown_value(customer: Customer, name: str) -> str:
    """A field's value as the form shows it ("" when empty)."""
    if name in ADDRESS_PARTS:
        value = getattr(customer.address, name, None) if customer.address else None
    elif name == "eu_vat":
        value = customer.tax_ids.eu_vat if customer.tax_ids else None
    else:
        value = getattr(customer, name, None)
    if name == "birthday" and isinstance(value, str) and value.startswith("0000-"):
        return value[5:]  # Square returns a birthday without a year as 0000-MM-DD
    return "" if value is None else str(value)


def field_for_error(field: str) -> str:
    """Square names a rejected address part `address.country`; the form calls it `country`."""
    if field.startswith("tax_ids"):
        return "eu_vat"
    if field.startswith("address."):
        part = field.split(".", 1)[1]
        return part if part in ADDRESS_PARTS else "address_line_1"
    return "address_line_1" if field == "address" else field


@dataclass(frozen=True)
class ProfileEdit:
    """What the agent typed (``typed``: field name → text) over ``base``."""

    base: Customer
    typed: Mapping[str, str]

    @classmethod
    def of(cls, base: Customer, changes: Mapping[str, str]) -> ProfileEdit:
        """An edit of ``base`` changing only ``changes`` (every other field as it is)."""
        typed = {name: shown_value(base, name) for name in FIELD_NAMES}
        typed.update(changes)
        return cls(base, typed)

    def text(self, name: str) -> str:
        return self.typed.get(name, shown_value(self.base, name))

    def changed(self, against: Customer | None = None) -> dict[str, str]:
        """The fields whose text differs from ``against`` (the base by default)."""
        against = against or self.base
        return {
            name: self.text(name)
            for name in FIELD_NAMES
            if self.text(name).strip() != shown_value(against, name)
        }

    def fields(self) -> CustomerFields:
        """The sparse update of the base: changed fields only; an emptied field cleared."""
        changed = self.changed()
        values: dict[str, object] = {
            name: text.strip() or None
            for name, text in changed.items()
            if name not in ADDRESS_PARTS and name not in TAX_FIELDS
        }
        if "eu_vat" in changed:
            vat = changed["eu_vat"].strip().upper().replace(" ", "")
            values["tax_ids"] = CustomerTaxIds(eu_vat=vat or None)
        if changed.keys() & set(ADDRESS_PARTS):
            parts = self.base.address.model_dump() if self.base.address else {}
            for name in ADDRESS_PARTS:
                parts[name] = self.text(name).strip() or None
            if parts.get("country"):
                parts["country"] = str(parts["country"]).upper()
            values["address"] = Address(**parts) if any(parts.values()) else None
        return CustomerFields.model_validate(values)

    def problems(self, today: date, *, region: str = checks.SELLER_REGION) -> dict[str, str]:
        """Every changed field that Square would refuse, each with its reason (checked
        here, before any request, so that one save tells them all)."""
        found: dict[str, str] = {}
        for name, typed in self.changed().items():
            text = typed.strip()
            if not text:
                continue  # an emptied field is cleared
            problem: str | None
            if name == "email_address":
                problem = checks.length_problem(name, text) or checks.email_problem(text)
            elif name == "phone_number":
                problem = checks.phone_problem(text, region)
            elif name == "birthday":
                problem = checks.birthday_problem(text, today)
            elif name == "eu_vat":
                problem = checks.tax_id_problem(text.replace(" ", ""))
            elif name == "country":
                problem = None if len(text) == 2 and text.isalpha() else checks.COUNTRY_HELP
            else:
                problem = checks.length_problem(name, text)
            if problem:
                found[name] = problem
        return found

    def rebased(self, latest: Customer, keep: Iterable[str] | None = None) -> ProfileEdit:
        """The same edit over a newer version: the fields typed (``keep``, by default the
        changed ones) keep their text, every other field takes ``latest``'s value."""
        kept = set(self.changed() if keep is None else keep)
        typed = {
            name: self.text(name) if name in kept else shown_value(latest, name)
            for name in FIELD_NAMES
        }
        return ProfileEdit(latest, typed)
