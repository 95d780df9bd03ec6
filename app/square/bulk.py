"""The bulk Customers endpoints: create, update, delete and retrieve up to 100 customers.

Each answers per entry: the customer (or ``None`` for a delete) or the
:class:`~app.square.errors.SquareError` that entry failed with. After a retry that may
have committed, an entry's conflict or 404 may be our own earlier write, and is read so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.square.errors import (
    ConflictError,
    NotFoundError,
    ServerError,
    SquareError,
    UnreadableAnswerError,
    error_from_errors,
)
from app.square.models import BulkUpdateEntry, Customer, CustomerFields
from app.square.recovery import WriteRecovery
from app.square.wire import new_key, parse

__all__ = ["BulkEndpoints"]


class BulkEndpoints(WriteRecovery):
    """BulkCreateCustomers, BulkUpdateCustomers, BulkDeleteCustomers, BulkRetrieveCustomers."""

    async def bulk_create_customers(
        self, customers: Mapping[str, CustomerFields] | Sequence[CustomerFields]
    ) -> dict[str, Customer | SquareError]:
        """BulkCreateCustomers (1–100). A mapping's keys are the idempotency keys; for a
        sequence, keys are generated — the result keeps the input's order either way.
        Each entry is the new ``Customer`` or the ``SquareError`` that entry failed with."""
        if isinstance(customers, Mapping):
            entries = dict(customers)
        else:
            entries = {new_key(): fields for fields in customers}
        body = {"customers": {key: fields.to_body() for key, fields in entries.items()}}
        reply = await self._call(
            "BulkCreateCustomers", "POST", "/v2/customers/bulk-create", json=body, write=True
        )
        return self._bulk_results(entries, reply.data)

    async def bulk_update_customers(
        self, updates: Mapping[str, CustomerFields | BulkUpdateEntry]
    ) -> dict[str, Customer | SquareError]:
        """BulkUpdateCustomers: customer id → fields (optionally with a ``version`` through
        ``BulkUpdateEntry``). Per-entry results as for ``bulk_create_customers``."""
        entries = {
            cid: (u if isinstance(u, BulkUpdateEntry) else BulkUpdateEntry(fields=u))
            for cid, u in updates.items()
        }
        body_entries: dict[str, Any] = {}
        for cid, entry in entries.items():
            data = entry.fields.to_body()
            if entry.version is not None:
                data["version"] = entry.version
            body_entries[cid] = data
        reply = await self._call(
            "BulkUpdateCustomers",
            "POST",
            "/v2/customers/bulk-update",
            json={"customers": body_entries},
            write=True,
        )
        results = self._bulk_results(entries, reply.data)
        if reply.ambiguous:
            for cid, result in results.items():
                entry = entries[cid]
                if isinstance(result, ConflictError) and entry.version is not None:
                    landed = await self._own_write_landed(cid, entry.fields, entry.version)
                    if landed is not None:
                        results[cid] = landed
                    else:  # the earlier attempt may have landed before someone else's write
                        result.after_ambiguous_attempt = True
        return results

    async def bulk_delete_customers(
        self, customer_ids: Sequence[str]
    ) -> dict[str, SquareError | None]:
        """BulkDeleteCustomers: customer id → ``None`` when deleted, else its error."""
        reply = await self._call(
            "BulkDeleteCustomers",
            "POST",
            "/v2/customers/bulk-delete",
            json={"customer_ids": list(customer_ids)},
            write=True,
        )
        out: dict[str, SquareError | None] = {}
        responses = _responses(reply.data)
        for cid in customer_ids:
            entry = responses.get(cid) or {}
            errors = entry.get("errors") if isinstance(entry, Mapping) else None
            if errors:
                err = error_from_errors(errors, secrets=self._secrets)
                # A retry after an attempt that may have committed: already gone is done.
                out[cid] = None if reply.ambiguous and isinstance(err, NotFoundError) else err
            else:
                out[cid] = None
        return out

    async def bulk_retrieve_customers(
        self, customer_ids: Sequence[str]
    ) -> dict[str, Customer | SquareError]:
        """BulkRetrieveCustomers: customer id → the customer or its error (``NotFoundError``)."""
        reply = await self._call(
            "BulkRetrieveCustomers",
            "POST",
            "/v2/customers/bulk-retrieve",
            json={"customer_ids": list(customer_ids)},
        )
        return self._bulk_results({cid: None for cid in customer_ids}, reply.data)

    def _bulk_results(
        self, keys: Mapping[str, object], data: Mapping[str, Any]
    ) -> dict[str, Customer | SquareError]:
        responses = _responses(data)
        out: dict[str, Customer | SquareError] = {}
        for key in keys:
            entry = responses.get(key)
            if not isinstance(entry, Mapping):
                out[key] = ServerError("Square sent no result for this entry.")
            elif entry.get("errors"):
                out[key] = error_from_errors(entry["errors"], secrets=self._secrets)
            else:
                out[key] = parse(Customer, entry.get("customer"))
        return out


def _responses(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A bulk answer's ``responses`` object (``{}`` when absent)."""
    responses = data.get("responses") or {}
    if not isinstance(responses, Mapping):
        raise UnreadableAnswerError(
            "Square sent an answer the desk cannot read: its responses are not an object."
        )
    return responses
