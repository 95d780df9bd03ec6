"""A customer's custom fields: read them with their definitions, save what the agent changed.

Square sellers define custom fields (Customer Custom Attributes); each customer may
hold a value of each. :func:`load_custom_fields` reads every definition the desk sees
and the customer's values; :func:`check_value` turns what the agent typed into the
value Square takes (or says why it cannot: every field's reason at once);
:func:`save_custom_fields` sends the changed values, each at the version it was read
(a value changed elsewhere meanwhile is a conflict: theirs is shown, never overwritten
silently — saving again, now over their version, writes the agent's), each upsert under
the run's idempotency key for it. Read-only is refused before any request.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from app.desk.outcomes import Gone, Refused, refusal
from app.desk.workplace import Workplace
from app.square import (
    ConflictError,
    CustomAttribute,
    CustomAttributeDefinition,
    NotFoundError,
    ValidationError,
)
from app.square.models import Address

__all__ = [
    "ADDRESS_KEYS",
    "STRING_MAX",
    "CustomField",
    "CustomFields",
    "FieldsInvalid",
    "FieldsSaved",
    "Typed",
    "check_value",
    "load_custom_fields",
    "save_custom_fields",
    "shown_value",
    "typed_changed",
    "typed_of",
]

STRING_MAX = 1000
"""A String value's characters (Square's limit)."""
ADDRESS_KEYS = (
    "address_line_1",
    "address_line_2",
    "locality",
    "administrative_district_level_1",
    "postal_code",
    "country",
)
"""The parts of an Address custom field the editor offers."""

Typed = str | bool | tuple[str, ...] | Mapping[str, str]
"""What an editor holds: text; a toggle; the chosen option ids; an address's parts."""


@dataclass(frozen=True)
class CustomField:
    """One custom field of one customer: its definition and value (``None``: not set)."""

    definition: CustomAttributeDefinition
    value: Any = None
    version: int = 0
    """The value's version as read (0: not set yet) — what a save is checked against."""

    @property
    def key(self) -> str:
        return self.definition.key

    @property
    def name(self) -> str:
        return self.definition.name or self.definition.key

    @property
    def kind(self) -> str | None:
        return self.definition.attribute_type

    @property
    def writable(self) -> bool:
        return self.definition.values_writable and self.kind is not None

    @property
    def read_only_reason(self) -> str:
        """Why the desk may not change this value ("" when it may)."""
        if self.kind is None:
            return "A kind of field the desk does not know: shown as stored, not editable."
        if not self.definition.values_writable:
            owner = self.key.split(":", 1)[0] if ":" in self.key else "another application"
            return f"Shared read-only by another application ({owner}): only it can change it."
        return ""


@dataclass(frozen=True)
class CustomFields:
    """Every custom field the desk sees, with one customer's values, in definition order."""

    customer_id: str
    fields: tuple[CustomField, ...] = ()

    def get(self, key: str) -> CustomField | None:
        return next((f for f in self.fields if f.key == key), None)

    def with_field(self, new: CustomField) -> CustomFields:
        return replace(self, fields=tuple(new if f.key == new.key else f for f in self.fields))


@dataclass(frozen=True)
class FieldsInvalid:
    """Some typed values cannot be saved (key → reason): nothing was sent."""

    problems: Mapping[str, str]


@dataclass(frozen=True)
class FieldsSaved:
    """What a save did: ``fields`` as they now stand (a conflicting field at the version
    saved elsewhere, so that saving again writes the agent's value over theirs)."""

    fields: CustomFields
    saved: frozenset[str] = frozenset()
    conflicts: Mapping[str, str] = field(default_factory=dict)
    """Key → the value saved elsewhere meanwhile (as shown): the agent's was not saved."""
    rejected: Mapping[str, str] = field(default_factory=dict)
    """Key → Square's reason for refusing the value."""

    @property
    def complete(self) -> bool:
        return not self.conflicts and not self.rejected


async def load_custom_fields(place: Workplace, customer_id: str) -> CustomFields | Gone:
    """Every definition the desk sees, with the customer's values (the definitions'
    order; a value whose definition is listed nowhere is shown with its own)."""
    service = place.service
    definitions = [d async for d in service.iter_custom_attribute_definitions()]
    try:
        values = {
            a.key: a
            async for a in service.iter_custom_attributes(customer_id, with_definitions=True)
        }
    except NotFoundError:
        return Gone(customer_id)
    fields = [_field(d, values.pop(d.key, None)) for d in definitions]
    for attribute in values.values():
        if attribute.definition is not None:
            fields.append(_field(attribute.definition, attribute))
    return CustomFields(customer_id, tuple(fields))


def _field(definition: CustomAttributeDefinition, value: CustomAttribute | None) -> CustomField:
    if value is None:
        return CustomField(definition)
    return CustomField(definition, value.value, value.version)


def shown_value(custom: CustomField, value: Any = ...) -> str:
    """A value as the agent reads it ("" when not set): option names, Yes/No, one line."""
    value = custom.value if value is ... else value
    if value is None or value == "" or value == []:
        return ""
    kind = custom.kind
    if kind == "Boolean":
        return "Yes" if value is True else "No"
    if kind == "Selection" and isinstance(value, list):
        names = {o.id: o.name for o in custom.definition.options}
        return ", ".join(names.get(str(v), str(v)) for v in value)
    if kind == "Address" and isinstance(value, dict):
        try:
            return Address.model_validate(value).one_line
        except ValueError:
            return str(value)
    return str(value)


def typed_of(custom: CustomField) -> Typed:
    """What the editor of ``custom`` starts with, from its stored value."""
    value, kind = custom.value, custom.kind
    if kind == "Boolean":
        return value is True
    if kind == "Selection":
        return tuple(str(v) for v in value) if isinstance(value, list) else ()
    if kind == "Address":
        parts = value if isinstance(value, dict) else {}
        return {k: str(parts.get(k) or "") for k in ADDRESS_KEYS}
    return "" if value is None else str(value)


def typed_changed(typed: Typed, loaded: Typed) -> bool:
    """Whether an editor's value differs from what it was loaded with."""
    if isinstance(typed, Mapping) and isinstance(loaded, Mapping):
        return any(str(typed.get(k, "")).strip() != str(loaded.get(k, "")) for k in ADDRESS_KEYS)
    if isinstance(typed, tuple) and isinstance(loaded, tuple):
        return sorted(typed) != sorted(loaded)
    if isinstance(typed, str) and isinstance(loaded, str):
        return typed.strip() != loaded
    return typed != loaded


def check_value(custom: CustomField, typed: Typed, *, region: str = "US") -> Any:
    """The value to send for what was typed (``None``: clear the field).

    Raises ``ValueError`` with the reason, for the agent to read beside the field.
    """
    kind = custom.kind
    if kind == "Boolean":
        return bool(typed)
    if kind == "Selection":
        chosen = list(typed) if isinstance(typed, tuple | list) else []
        if not chosen:
            return None
        most = custom.definition.max_selections
        if most is not None and len(chosen) > most:
            raise ValueError(f"Choose at most {most}.")
        return chosen
    if kind == "Address":
        parts = (
            {k: " ".join(str(v).split()) for k, v in dict(typed).items()}
            if isinstance(typed, Mapping)
            else {}
        )
        if not any(parts.values()):
            return None
        if parts.get("country"):
            parts["country"] = parts["country"].upper()
            if not re.fullmatch(r"[A-Z]{2}", parts["country"]):
                raise ValueError("Country: the ISO two-letter code (GB, US, FR…).")
        return Address(**{k: v or None for k, v in parts.items()})
    text = str(typed).strip() if isinstance(typed, str) else ""
    if not text:
        return None
    if kind == "String":
        if len(text) > STRING_MAX:
            raise ValueError(f"At most {STRING_MAX} characters ({len(text)} typed).")
        return text
    if kind == "Number":
        return _number(text)
    if kind == "Date":
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValueError("A real date, as YYYY-MM-DD.") from None
    if kind == "Email":
        from app.desk.checks import email_problem

        problem = email_problem(text)
        if problem:
            raise ValueError(problem)
        return text
    if kind == "PhoneNumber":
        from app.desk.checks import e164

        return e164(text, region)
    raise ValueError("The desk cannot edit this kind of field.")


def _number(text: str) -> Decimal:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        raise ValueError("A number, such as 12 or 10.5.") from None
    if not number.is_finite():
        raise ValueError("A number, such as 12 or 10.5.")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -5:
        raise ValueError("At most 5 decimal places.")
    return number


def _same(custom: CustomField, value: Any) -> bool:
    """Whether ``value`` (as :func:`check_value` makes it) is what is stored."""
    from app.square.attribute_models import wire_value

    stored = custom.value
    if value is None:
        return stored is None or stored == "" or stored == []
    wire = wire_value(value)
    if custom.kind == "Number" and stored is not None:
        try:
            return Decimal(str(stored)) == Decimal(str(wire))
        except InvalidOperation:
            return False
    if custom.kind == "Selection" and isinstance(stored, list):
        return sorted(map(str, stored)) == sorted(wire)
    if custom.kind == "Address" and isinstance(stored, dict) and isinstance(wire, dict):
        return {k: v for k, v in stored.items() if v} == {k: v for k, v in wire.items() if v}
    return bool(stored == wire)


def changes(
    fields: CustomFields, typed: Mapping[str, Typed], *, region: str = "US"
) -> tuple[dict[str, Any], dict[str, str]]:
    """The changed values (key → value, ``None`` to clear) and every problem (key → why)."""
    changed: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for key, text in typed.items():
        custom = fields.get(key)
        if custom is None or not typed_changed(text, typed_of(custom)):
            continue  # the editor holds what was loaded (an unset toggle stays unset)
        try:
            value = check_value(custom, text, region=region)
        except ValueError as err:
            if custom.writable:
                problems[key] = str(err)
            continue
        if _same(custom, value):
            continue
        if not custom.writable:
            problems[key] = custom.read_only_reason
            continue
        changed[key] = value
    return changed, problems


async def save_custom_fields(
    place: Workplace,
    fields: CustomFields,
    typed: Mapping[str, Typed],
    *,
    region: str = "US",
) -> FieldsSaved | FieldsInvalid | Refused | Gone:
    """Save the values typed that differ from ``fields`` (see the module)."""
    changed, problems = changes(fields, typed, region=region)
    if problems:
        return FieldsInvalid(problems)
    operations = ["UpsertCustomerCustomAttribute"]
    if any(v is None for v in changed.values()):
        operations.append("DeleteCustomerCustomAttribute")
    refused = refusal(place, *operations)
    if refused is not None:
        return refused
    service = place.service
    customer_id = fields.customer_id
    saved: set[str] = set()
    conflicts: dict[str, str] = {}
    rejected: dict[str, str] = {}
    for key, value in changed.items():
        custom = fields.get(key)
        assert custom is not None
        try:
            if value is None:
                await _delete(place, customer_id, custom)
                fields = fields.with_field(replace(custom, value=None, version=0))
            else:
                intent = place.intents.attribute(customer_id, key, value, custom.version)
                stored = await service.upsert_custom_attribute(
                    customer_id, key, value, version=custom.version, idempotency_key=intent.key
                )
                place.intents.done(intent)
                fields = fields.with_field(
                    replace(custom, value=stored.value, version=stored.version)
                )
            saved.add(key)
        except ConflictError:
            latest = await _latest(place, customer_id, custom)
            if latest is None:
                return Gone(customer_id)
            fields = fields.with_field(latest)
            conflicts[key] = shown_value(latest) or "(empty)"
        except ValidationError as err:
            rejected[key] = err.detail or str(err)
        except NotFoundError:
            if await _customer_gone(place, customer_id):
                return Gone(customer_id)
            rejected[key] = "This custom field was deleted meanwhile."
    return FieldsSaved(fields, frozenset(saved), conflicts, rejected)


async def _delete(place: Workplace, customer_id: str, custom: CustomField) -> None:
    """Clear a value — only if it is still the version read (else a conflict)."""
    service = place.service
    try:
        current = await service.retrieve_custom_attribute(customer_id, custom.key)
    except NotFoundError:
        if custom.version:
            raise ConflictError(status=409) from None  # cleared elsewhere: show it
        return
    if current.version != custom.version:
        raise ConflictError(status=409)
    with contextlib.suppress(NotFoundError):
        await service.delete_custom_attribute(customer_id, custom.key)


async def _latest(place: Workplace, customer_id: str, custom: CustomField) -> CustomField | None:
    """The field as saved elsewhere (``None``: the customer is gone)."""
    try:
        current = await place.service.retrieve_custom_attribute(customer_id, custom.key)
    except NotFoundError:
        if await _customer_gone(place, customer_id):
            return None
        return replace(custom, value=None, version=0)
    return replace(custom, value=current.value, version=current.version)


async def _customer_gone(place: Workplace, customer_id: str) -> bool:
    try:
        await place.service.retrieve_customer(customer_id)
    except NotFoundError:
        place.directory.remove(customer_id)
        return True
    return False
