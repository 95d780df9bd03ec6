"""Pydantic models of customer custom attributes: definitions, values, their schemas and types.

A :class:`CustomAttributeDefinition` says what a custom field is (its ``key``, ``name``,
``visibility`` and ``schema``, from which :attr:`~CustomAttributeDefinition.attribute_type`
reads one of Square's types); a :class:`CustomAttribute` is one customer's value of it.
Values travel as Square writes them (:func:`wire_value` makes one from Python values):

============  ==============================  =====================================
type          on the wire                     from Python
============  ==============================  =====================================
String        ``"Dune"``                      ``str``
Number        ``"10.5"`` (≤ 5 decimals)       ``Decimal``, ``int``, ``str``
Boolean       ``true``                        ``bool``
Date          ``"2020-02-08"``                ``datetime.date``, ``str``
Email         ``"ada@example.com"``           ``str``
PhoneNumber   ``"+16175551212"`` (E.164)      ``str``
Address       an Address object               :class:`~app.square.models.Address`
Selection     ``["<option id>", …]``          option ids (:attr:`…definition.options`)
============  ==============================  =====================================

Keys: a definition the desk's own application made has a simple key (``"favourite"``);
anyone else's comes qualified (``"square:…"`` for the seller's own custom fields,
``"sq0idp-…:tier"`` for another app's), and must be used as given.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from app.square.models import Address, RequestModel, SquareObject

__all__ = [
    "SELECTION_URL",
    "TYPE_URL",
    "AttributeType",
    "CustomAttribute",
    "CustomAttributeDefinition",
    "CustomAttributeDefinitionFields",
    "CustomAttributeDefinitionPage",
    "CustomAttributePage",
    "CustomAttributeUpsert",
    "SelectionOption",
    "Visibility",
    "selection_schema",
    "type_schema",
    "wire_value",
]

AttributeType = Literal[
    "String", "Number", "Boolean", "Date", "Email", "PhoneNumber", "Address", "Selection"
]
Visibility = Literal["VISIBILITY_HIDDEN", "VISIBILITY_READ_ONLY", "VISIBILITY_READ_WRITE_VALUES"]

TYPE_URL = "https://developer-production-s.squarecdn.com/schemas/v1/common.json#squareup.common."
"""Square's common types: ``{"$ref": TYPE_URL + "String"}`` is a String schema."""
SELECTION_URL = "https://developer-production-s.squarecdn.com/meta-schemas/v1/selection.json"
"""The ``$schema`` of a Selection schema (options inline)."""
_REF_TYPES: dict[str, AttributeType] = {t: t for t in get_args(AttributeType) if t != "Selection"}


def type_schema(type_name: AttributeType) -> dict[str, Any]:
    """The schema of one of Square's types (``selection_schema`` for a Selection)."""
    if type_name == "Selection":
        raise ValueError("a Selection schema names its options: use selection_schema()")
    return {"$ref": TYPE_URL + type_name}


def selection_schema(
    names: Sequence[str], max_selections: int | None = None, ids: Sequence[str] | None = None
) -> dict[str, Any]:
    """A Selection schema of these option names (Square fills in their ids on create; to
    rename options on update, pass their ``ids`` in the same order)."""
    items: dict[str, Any] = {"names": list(names)}
    if ids is not None:
        items["enum"] = list(ids)
    schema: dict[str, Any] = {
        "$schema": SELECTION_URL,
        "type": "array",
        "uniqueItems": True,
        "items": items,
    }
    if max_selections is not None:
        schema["maxItems"] = max_selections
    return schema


def wire_value(value: Any) -> Any:
    """A custom attribute's value as Square takes it, from a Python value (see the table)."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, datetime):
        raise TypeError("a Date custom attribute holds a date, not a datetime")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | int):
        return str(value)
    if isinstance(value, Address):
        return value.to_json()
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, dict):
        return dict(value)
    raise TypeError(f"no custom attribute type holds a {type(value).__name__}")


class SelectionOption(BaseModel):
    """One option of a Selection: its id (what a value holds) and its name (what shows)."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str


class _Aliased(SquareObject):
    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


class CustomAttributeDefinition(_Aliased):
    """A custom field customers may hold (Square's ``CustomAttributeDefinition``)."""

    key: str
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")
    name: str | None = None
    description: str | None = None
    visibility: str | None = None
    """One of :data:`Visibility` (kept as text: a newer value is not refused)."""
    version: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None

    @property
    def attribute_type(self) -> AttributeType | None:
        """The type its schema names (``None`` for one the desk does not know)."""
        ref = self.schema_.get("$ref")
        if isinstance(ref, str) and ref.startswith(TYPE_URL):
            return _REF_TYPES.get(ref[len(TYPE_URL) :])
        return "Selection" if self.schema_.get("$schema") == SELECTION_URL else None

    @property
    def options(self) -> list[SelectionOption]:
        """A Selection's options in order (``[]`` for other types)."""
        items = self.schema_.get("items")
        if not isinstance(items, dict):
            return []
        names, ids = items.get("names") or [], items.get("enum") or []
        return [SelectionOption(id=str(i), name=str(n)) for i, n in zip(ids, names, strict=False)]

    @property
    def max_selections(self) -> int | None:
        """How many options a Selection value may hold (``None``: any number)."""
        most = self.schema_.get("maxItems")
        return most if isinstance(most, int) and not isinstance(most, bool) else None

    @property
    def owned(self) -> bool:
        """Made by the desk's own application (Square shows the owner a simple key)."""
        return ":" not in self.key

    @property
    def is_seller_field(self) -> bool:
        """One of the seller's own custom fields, made in the Square Dashboard."""
        return self.key.startswith("square:")

    @property
    def values_writable(self) -> bool:
        """Whether the desk may set and delete its values (owner, or READ_WRITE_VALUES)."""
        return self.owned or self.visibility == "VISIBILITY_READ_WRITE_VALUES"


class CustomAttribute(_Aliased):
    """One customer's value of a custom field (Square's ``CustomAttribute``)."""

    key: str
    value: Any = None
    version: int = 0
    visibility: str | None = None
    """A read-only copy of the definition's visibility."""
    definition: CustomAttributeDefinition | None = None
    """Filled only when asked for (``with_definition(s)=True``)."""
    created_at: datetime | None = None
    updated_at: datetime | None = None


class CustomAttributeDefinitionPage(BaseModel):
    custom_attribute_definitions: list[CustomAttributeDefinition] = Field(default_factory=list)
    cursor: str | None = None


class CustomAttributePage(BaseModel):
    custom_attributes: list[CustomAttribute] = Field(default_factory=list)
    cursor: str | None = None


class CustomAttributeDefinitionFields(RequestModel):
    """A definition to create (``key`` and ``schema`` required; ``name`` and
    ``description`` too unless hidden) or the fields an update changes (sparse: only the
    fields that were set are sent; an update may change ``name``, ``description``,
    ``visibility`` and a Selection's ``schema``). The schema is passed as ``schema_=``
    (``schema`` would shadow pydantic's own) and sent as ``schema``."""

    key: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    name: str | None = None
    description: str | None = None
    visibility: Visibility | None = None

    def to_body(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_unset=True, by_alias=True)


class CustomAttributeUpsert(RequestModel):
    """One entry of BulkUpsertCustomerCustomAttributes: a value (as :func:`wire_value`
    makes it) for one customer and key, optionally checked against its ``version``."""

    customer_id: str
    key: str
    value: Any
    version: int | None = None
