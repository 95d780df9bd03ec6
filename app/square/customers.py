"""The Customers endpoints: list, search, retrieve, create, update and delete one customer.

Also every customer of a listing or a search, page by page, along one cursor chain; and
the look-up that finds a customer whose create's answer was lost.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Mapping
from datetime import datetime
from typing import Any, Literal

from app.square.errors import ConflictError
from app.square.models import Customer, CustomerFields, CustomerPage, CustomerQuery
from app.square.recovery import LOST_CREATE_WINDOW, WriteRecovery, fields_match, utcnow
from app.square.wire import new_key, parse, query_params, seg

__all__ = ["CustomerEndpoints", "QueryLike"]

log = logging.getLogger(__name__)

QueryLike = CustomerQuery | Mapping[str, Any] | None
"""A search: a :class:`CustomerQuery`, Square's ``query`` object as a mapping, or none."""


class CustomerEndpoints(WriteRecovery):
    """ListCustomers, SearchCustomers, RetrieveCustomer, Create/Update/DeleteCustomer."""

    async def list_customers(
        self,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        sort_field: Literal["DEFAULT", "CREATED_AT"] | None = None,
        sort_order: Literal["ASC", "DESC"] | None = None,
        count: bool = False,
    ) -> CustomerPage:
        """ListCustomers: one page (up to ``limit``, 1–100, of the seller's customers)."""
        params = query_params(
            cursor=cursor, limit=limit, sort_field=sort_field, sort_order=sort_order
        )
        if count:
            params["count"] = "true"
        reply = await self._call("ListCustomers", "GET", "/v2/customers", params=params)
        return parse(CustomerPage, reply.data)

    async def search_customers(
        self,
        query: QueryLike = None,
        *,
        cursor: str | None = None,
        limit: int | None = None,
        count: bool = False,
    ) -> CustomerPage:
        """SearchCustomers: one page of the customers matching ``query``."""
        body: dict[str, Any] = {}
        query_body = _query_body(query)
        if query_body:
            body["query"] = query_body
        if cursor is not None:
            body["cursor"] = cursor
        if limit is not None:
            body["limit"] = limit
        if count:
            body["count"] = True
        reply = await self._call("SearchCustomers", "POST", "/v2/customers/search", json=body)
        return parse(CustomerPage, reply.data)

    async def retrieve_customer(self, customer_id: str) -> Customer:
        """RetrieveCustomer: the consistent read. ``NotFoundError`` when gone."""
        return await self._read_customer(customer_id)

    async def create_customer(
        self, fields: CustomerFields, idempotency_key: str | None = None
    ) -> Customer:
        """CreateCustomer. One idempotency key (given or generated) covers all retries.

        When the answer was lost (every attempt failed in a way that may have committed)
        the create is sent once more with the same key — Square replays its first answer
        — and if that fails too, the customer is looked up (SearchCustomers by email,
        phone or reference id, created in the last minutes, every field we sent matching).
        ``LostAnswerError`` when neither can tell: sending it again with the same key is
        then safe."""
        body = fields.to_body()
        body["idempotency_key"] = idempotency_key or new_key()
        since = utcnow() - LOST_CREATE_WINDOW

        async def find() -> dict[str, Any] | None:
            found = await self._find_created_customer(fields, since)
            return {"customer": found.model_dump(mode="json")} if found else None

        data = await self._create("CreateCustomer", "/v2/customers", body, find)
        return parse(Customer, data.get("customer"))

    async def update_customer(
        self, customer_id: str, fields: CustomerFields, version: int | None = None
    ) -> Customer:
        """UpdateCustomer (sparse). With ``version``, a stale version is a ``ConflictError``."""
        body = fields.to_body()
        if version is not None:
            body["version"] = version
        path = f"/v2/customers/{seg(customer_id)}"
        try:
            reply = await self._call(
                "UpdateCustomer", "PUT", path, json=body, write=True, headers=_clear_null(body)
            )
        except ConflictError as err:
            if version is None or not err.after_ambiguous_attempt:
                raise
            landed = await self._own_write_landed(customer_id, fields, version)
            if landed is None:
                raise
            log.info("UpdateCustomer: an earlier attempt had committed; using the fresh read")
            return landed
        return parse(Customer, reply.data.get("customer"))

    async def delete_customer(self, customer_id: str, version: int | None = None) -> None:
        """DeleteCustomer (its cards go with it). With ``version``, stale → ``ConflictError``."""
        params = query_params(version=version)
        path = f"/v2/customers/{seg(customer_id)}"
        await self._call_delete("DeleteCustomer", "DELETE", path, params=params)

    async def iter_customer_pages(
        self,
        *,
        limit: int | None = None,
        sort_field: Literal["DEFAULT", "CREATED_AT"] | None = None,
        sort_order: Literal["ASC", "DESC"] | None = None,
        count: bool = False,
    ) -> AsyncIterator[CustomerPage]:
        """Every page of ListCustomers, following the cursor."""

        def fetch(cursor: str | None) -> Awaitable[CustomerPage]:
            return self.list_customers(
                cursor=cursor,
                limit=limit,
                sort_field=sort_field,
                sort_order=sort_order,
                count=count,
            )

        async for page in self._follow(fetch):
            yield page

    async def iter_customers(
        self,
        *,
        limit: int | None = None,
        sort_field: Literal["DEFAULT", "CREATED_AT"] | None = None,
        sort_order: Literal["ASC", "DESC"] | None = None,
    ) -> AsyncIterator[Customer]:
        """Every customer of ListCustomers, page by page."""
        async for page in self.iter_customer_pages(
            limit=limit, sort_field=sort_field, sort_order=sort_order
        ):
            for customer in page.customers:
                yield customer

    async def iter_search_pages(
        self, query: QueryLike = None, *, limit: int | None = None, count: bool = False
    ) -> AsyncIterator[CustomerPage]:
        """Every page of SearchCustomers for ``query``, following the cursor."""

        def fetch(cursor: str | None) -> Awaitable[CustomerPage]:
            return self.search_customers(query, cursor=cursor, limit=limit, count=count)

        async for page in self._follow(fetch):
            yield page

    async def iter_search(
        self, query: QueryLike = None, *, limit: int | None = None
    ) -> AsyncIterator[Customer]:
        """Every customer matching ``query``, page by page."""
        async for page in self.iter_search_pages(query, limit=limit):
            for customer in page.customers:
                yield customer

    async def _find_created_customer(
        self, fields: CustomerFields, since: datetime
    ) -> Customer | None:
        """The newest customer created since ``since`` holding every field of ``fields``."""
        sent = fields.to_body()
        where: dict[str, Any] = {"created_at": {"start_at": since.isoformat()}}
        for name in ("email_address", "phone_number", "reference_id"):
            value = sent.get(name)
            if isinstance(value, str) and value.strip():
                where[name] = {"exact": value.strip()}
                break
        query = {"filter": where, "sort": {"field": "CREATED_AT", "order": "DESC"}}
        page = await self.search_customers(query, limit=100)
        for customer in page.customers:
            fresh = customer.created_at is None or customer.created_at >= since
            if fresh and fields_match(customer, fields):
                return customer
        return None


def _clear_null(body: Mapping[str, Any]) -> dict[str, str] | None:
    return {"X-Clear-Null": "true"} if any(v is None for v in body.values()) else None


def _query_body(query: QueryLike) -> dict[str, Any]:
    if query is None:
        return {}
    if isinstance(query, CustomerQuery):
        return query.to_body()
    return dict(query)
