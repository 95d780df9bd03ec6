"""The customer groups endpoints: list, create, retrieve, rename and delete; membership.

Also every group, page by page, and the look-up that finds a group whose create's answer
was lost (its exact name, created in the last minutes).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from datetime import datetime
from typing import Any

from app.square.models import CustomerGroup, CustomerGroupPage
from app.square.recovery import LOST_CREATE_WINDOW, WriteRecovery, utcnow
from app.square.wire import new_key, parse, query_params, seg

__all__ = ["GroupEndpoints"]


class GroupEndpoints(WriteRecovery):
    """List/Create/Retrieve/Update/DeleteCustomerGroup, Add/RemoveGroupToCustomer."""

    async def list_customer_groups(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> CustomerGroupPage:
        """ListCustomerGroups: one page (``limit`` 1–50)."""
        params = query_params(cursor=cursor, limit=limit)
        reply = await self._call("ListCustomerGroups", "GET", "/v2/customers/groups", params=params)
        return parse(CustomerGroupPage, reply.data)

    async def iter_customer_groups(
        self, *, limit: int | None = None
    ) -> AsyncIterator[CustomerGroup]:
        """Every customer group, page by page."""

        def fetch(cursor: str | None) -> Awaitable[CustomerGroupPage]:
            return self.list_customer_groups(cursor=cursor, limit=limit)

        async for page in self._follow(fetch):
            for group in page.groups:
                yield group

    async def create_customer_group(
        self, name: str, idempotency_key: str | None = None
    ) -> CustomerGroup:
        """CreateCustomerGroup. One idempotency key (given or generated) covers all retries;
        a lost answer is recovered as in ``create_customer`` (the look-up: a group of this
        exact name created in the last minutes)."""
        body = {"idempotency_key": idempotency_key or new_key(), "group": {"name": name}}
        since = utcnow() - LOST_CREATE_WINDOW

        async def find() -> dict[str, Any] | None:
            found = await self._find_created_group(name, since)
            return {"group": found.model_dump(mode="json")} if found else None

        data = await self._create("CreateCustomerGroup", "/v2/customers/groups", body, find)
        return parse(CustomerGroup, data.get("group"))

    async def retrieve_customer_group(self, group_id: str) -> CustomerGroup:
        reply = await self._call(
            "RetrieveCustomerGroup", "GET", f"/v2/customers/groups/{seg(group_id)}"
        )
        return parse(CustomerGroup, reply.data.get("group"))

    async def update_customer_group(self, group_id: str, name: str) -> CustomerGroup:
        """UpdateCustomerGroup: rename."""
        reply = await self._call(
            "UpdateCustomerGroup",
            "PUT",
            f"/v2/customers/groups/{seg(group_id)}",
            json={"group": {"name": name}},
            write=True,
        )
        return parse(CustomerGroup, reply.data.get("group"))

    async def delete_customer_group(self, group_id: str) -> None:
        """DeleteCustomerGroup (its members lose it from ``group_ids``)."""
        path = f"/v2/customers/groups/{seg(group_id)}"
        await self._call_delete("DeleteCustomerGroup", "DELETE", path)

    # -- group membership ---------------------------------------------------------

    async def add_group_to_customer(self, customer_id: str, group_id: str) -> None:
        """AddGroupToCustomer (adding a member again changes nothing)."""
        path = f"/v2/customers/{seg(customer_id)}/groups/{seg(group_id)}"
        await self._call("AddGroupToCustomer", "PUT", path, write=True)

    async def remove_group_from_customer(self, customer_id: str, group_id: str) -> None:
        """RemoveGroupFromCustomer."""
        path = f"/v2/customers/{seg(customer_id)}/groups/{seg(group_id)}"
        await self._call("RemoveGroupFromCustomer", "DELETE", path, write=True)

    async def _find_created_group(self, name: str, since: datetime) -> CustomerGroup | None:
        """The newest group named ``name`` (spacing aside) created since ``since``."""
        wanted = " ".join(name.split())
        newest: CustomerGroup | None = None
        async for group in self.iter_customer_groups():
            if " ".join(group.name.split()) != wanted:
                continue
            if group.created_at is not None and group.created_at < since:
                continue
            if newest is None or (group.created_at or since) > (newest.created_at or since):
                newest = group
        return newest
