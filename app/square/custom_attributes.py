"""The customer custom attribute endpoints: definitions (list, create, retrieve, update,
delete) and values (list, retrieve, upsert, delete, bulk upsert).

Every write is safe to retry: creates, updates and upserts carry one idempotency key,
generated once per call and reused by its retries (Square replays the first answer);
deletes are idempotent (a 404 after an attempt that may have committed counts as done).
``version`` makes an update or upsert conditional: a stale one is a ``ConflictError``,
never retried. A definition create whose answer was lost is looked up by its key.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Mapping, Sequence
from typing import Any

from app.square.attribute_models import (
    CustomAttribute,
    CustomAttributeDefinition,
    CustomAttributeDefinitionFields,
    CustomAttributeDefinitionPage,
    CustomAttributePage,
    CustomAttributeUpsert,
    wire_value,
)
from app.square.errors import (
    NotFoundError,
    ServerError,
    SquareError,
    UnreadableAnswerError,
    error_from_errors,
)
from app.square.recovery import WriteRecovery
from app.square.wire import new_key, parse, query_params, seg

__all__ = ["CustomAttributeEndpoints"]

DEFINITIONS = "/v2/customers/custom-attribute-definitions"
BULK_UPSERT = "/v2/customers/custom-attributes/bulk-upsert"


def _values(customer_id: str, key: str | None = None) -> str:
    path = f"/v2/customers/{seg(customer_id)}/custom-attributes"
    return f"{path}/{seg(key)}" if key is not None else path


def _flag(value: bool) -> str | None:
    return "true" if value else None


class CustomAttributeEndpoints(WriteRecovery):
    """The Customer Custom Attributes API, one method per operation."""

    # -- definitions --------------------------------------------------------------

    async def list_custom_attribute_definitions(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> CustomAttributeDefinitionPage:
        """ListCustomerCustomAttributeDefinitions: one page (``limit`` 1–100, default 20) of
        the definitions this application sees: its own, the seller's custom fields, and
        other applications' that are not hidden."""
        params = query_params(cursor=cursor, limit=limit)
        reply = await self._call(
            "ListCustomerCustomAttributeDefinitions", "GET", DEFINITIONS, params=params
        )
        return parse(CustomAttributeDefinitionPage, reply.data)

    async def iter_custom_attribute_definitions(
        self, *, limit: int | None = None
    ) -> AsyncIterator[CustomAttributeDefinition]:
        """Every definition this application sees, page by page."""

        def fetch(cursor: str | None) -> Awaitable[CustomAttributeDefinitionPage]:
            return self.list_custom_attribute_definitions(cursor=cursor, limit=limit)

        async for page in self._follow(fetch):
            for definition in page.custom_attribute_definitions:
                yield definition

    async def create_custom_attribute_definition(
        self, fields: CustomAttributeDefinitionFields, idempotency_key: str | None = None
    ) -> CustomAttributeDefinition:
        """CreateCustomerCustomAttributeDefinition. One idempotency key covers all retries;
        a lost answer is sent again with it, then looked up by the key (a definition of
        that key, name and schema)."""
        body: dict[str, Any] = {
            "custom_attribute_definition": fields.to_body(),
            "idempotency_key": idempotency_key or new_key(),
        }

        async def find() -> dict[str, Any] | None:
            if not fields.key:
                return None
            try:
                found = await self.retrieve_custom_attribute_definition(fields.key)
            except NotFoundError:
                return None
            if (found.name, found.schema_) != (fields.name, fields.schema_):
                return None
            return {"custom_attribute_definition": found.to_json()}

        data = await self._create(
            "CreateCustomerCustomAttributeDefinition", DEFINITIONS, body, find
        )
        return parse(CustomAttributeDefinition, data.get("custom_attribute_definition"))

    async def retrieve_custom_attribute_definition(
        self, key: str, *, version: int | None = None
    ) -> CustomAttributeDefinition:
        """RetrieveCustomerCustomAttributeDefinition (``version``: that one or newer)."""
        reply = await self._call(
            "RetrieveCustomerCustomAttributeDefinition",
            "GET",
            f"{DEFINITIONS}/{seg(key)}",
            params=query_params(version=version),
        )
        return parse(CustomAttributeDefinition, reply.data.get("custom_attribute_definition"))

    async def update_custom_attribute_definition(
        self,
        key: str,
        fields: CustomAttributeDefinitionFields,
        *,
        version: int | None = None,
        idempotency_key: str | None = None,
    ) -> CustomAttributeDefinition:
        """UpdateCustomerCustomAttributeDefinition (sparse; the owner only). With
        ``version``, a stale version is a ``ConflictError``."""
        definition = fields.to_body()
        if version is not None:
            definition["version"] = version
        body = {
            "custom_attribute_definition": definition,
            "idempotency_key": idempotency_key or new_key(),
        }
        reply = await self._call(
            "UpdateCustomerCustomAttributeDefinition",
            "PUT",
            f"{DEFINITIONS}/{seg(key)}",
            json=body,
            write=True,
        )
        return parse(CustomAttributeDefinition, reply.data.get("custom_attribute_definition"))

    async def delete_custom_attribute_definition(self, key: str) -> None:
        """DeleteCustomerCustomAttributeDefinition (the owner only): the field goes from
        every customer too."""
        await self._call_delete(
            "DeleteCustomerCustomAttributeDefinition", "DELETE", f"{DEFINITIONS}/{seg(key)}"
        )

    # -- values -------------------------------------------------------------------

    async def list_custom_attributes(
        self,
        customer_id: str,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        with_definitions: bool = False,
    ) -> CustomAttributePage:
        """ListCustomerCustomAttributes: one page of the customer's values (each with its
        ``definition`` when ``with_definitions``)."""
        params = query_params(cursor=cursor, limit=limit, with_definitions=_flag(with_definitions))
        reply = await self._call(
            "ListCustomerCustomAttributes", "GET", _values(customer_id), params=params
        )
        return parse(CustomAttributePage, reply.data)

    async def iter_custom_attributes(
        self, customer_id: str, *, limit: int | None = None, with_definitions: bool = False
    ) -> AsyncIterator[CustomAttribute]:
        """Every value the customer holds, page by page."""

        def fetch(cursor: str | None) -> Awaitable[CustomAttributePage]:
            return self.list_custom_attributes(
                customer_id, cursor=cursor, limit=limit, with_definitions=with_definitions
            )

        async for page in self._follow(fetch):
            for attribute in page.custom_attributes:
                yield attribute

    async def retrieve_custom_attribute(
        self,
        customer_id: str,
        key: str,
        *,
        with_definition: bool = False,
        version: int | None = None,
    ) -> CustomAttribute:
        """RetrieveCustomerCustomAttribute. ``NotFoundError`` when it is not set."""
        params = query_params(with_definition=_flag(with_definition), version=version)
        reply = await self._call(
            "RetrieveCustomerCustomAttribute", "GET", _values(customer_id, key), params=params
        )
        return parse(CustomAttribute, reply.data.get("custom_attribute"))

    async def upsert_custom_attribute(
        self,
        customer_id: str,
        key: str,
        value: Any,
        *,
        version: int | None = None,
        idempotency_key: str | None = None,
    ) -> CustomAttribute:
        """UpsertCustomerCustomAttribute: set the value (Python values are converted by
        ``wire_value``). With ``version`` (the one read; 0 for a value not yet set), a
        stale version is a ``ConflictError``."""
        attribute: dict[str, Any] = {"value": wire_value(value)}
        if version is not None:
            attribute["version"] = version
        body = {"custom_attribute": attribute, "idempotency_key": idempotency_key or new_key()}
        reply = await self._call(
            "UpsertCustomerCustomAttribute",
            "POST",
            _values(customer_id, key),
            json=body,
            write=True,
        )
        return parse(CustomAttribute, reply.data.get("custom_attribute"))

    async def delete_custom_attribute(self, customer_id: str, key: str) -> None:
        """DeleteCustomerCustomAttribute. ``NotFoundError`` when it was not set."""
        await self._call_delete(
            "DeleteCustomerCustomAttribute", "DELETE", _values(customer_id, key)
        )

    async def bulk_upsert_custom_attributes(
        self, entries: Mapping[str, CustomAttributeUpsert] | Sequence[CustomAttributeUpsert]
    ) -> dict[str, CustomAttribute | SquareError]:
        """BulkUpsertCustomerCustomAttributes (1–25 entries, each with its own idempotency
        key). A mapping's keys name the entries; a sequence's are ``"0"``, ``"1"``…. Each
        result is the new ``CustomAttribute`` or the ``SquareError`` of that entry."""
        if isinstance(entries, Mapping):
            named = dict(entries)
        else:
            named = {str(i): entry for i, entry in enumerate(entries)}
        values: dict[str, Any] = {}
        for name, entry in named.items():
            attribute: dict[str, Any] = {"key": entry.key, "value": wire_value(entry.value)}
            if entry.version is not None:
                attribute["version"] = entry.version
            values[name] = {
                "customer_id": entry.customer_id,
                "custom_attribute": attribute,
                "idempotency_key": new_key(),
            }
        reply = await self._call(
            "BulkUpsertCustomerCustomAttributes",
            "POST",
            BULK_UPSERT,
            json={"values": values},
            write=True,
        )
        answers = reply.data.get("values") or {}
        if not isinstance(answers, Mapping):
            raise UnreadableAnswerError(
                "Square sent an answer the desk cannot read: its values are not an object."
            )
        out: dict[str, CustomAttribute | SquareError] = {}
        for name in named:
            answer = answers.get(name)
            if not isinstance(answer, Mapping):
                out[name] = ServerError("Square sent no result for this entry.")
            elif answer.get("errors"):
                out[name] = error_from_errors(answer["errors"], secrets=self._secrets)
            else:
                out[name] = parse(CustomAttribute, answer.get("custom_attribute"))
        return out
