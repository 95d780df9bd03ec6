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
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from app.desk.custom_values import (
    ADDRESS_KEYS,
    STRING_MAX,
    Typed,
    check_value,
    same_value,
    shown_value,
    typed_changed,
    typed_of,
)
from app.desk.outcomes import Gone, Refused, refusal
from app.desk.workplace import Workplace
from app.square import (
    ConflictError,
    CustomAttribute,
    CustomAttributeDefinition,
    NotFoundError,
    ValidationError,
)

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
        if same_value(custom, value):
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
