"""Did my write land: a lost create sent again and looked up, a retried write's answer read right.

A retry after an attempt that may have committed can meet our own earlier write: a
versioned update answers ``VERSION_MISMATCH``, a delete answers 404, a create's retries all
fail. :class:`WriteRecovery` answers those cases for the endpoint modules:

* ``_own_write_landed`` re-reads the customer: the version moved past the one we sent and
  every field we sent holds our value → our write landed (else the conflict stands);
* ``_call_delete`` counts a 404 after an ambiguous attempt as done;
* ``_create`` sends a create whose answer was lost once more with the same idempotency key
  (Square replays its first answer), then asks the endpoint's finder, else raises
  :class:`~app.square.errors.LostAnswerError`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import BaseModel

from app.square.core import ServiceCore
from app.square.errors import LostAnswerError, NotFoundError, SquareError
from app.square.models import Customer, CustomerFields
from app.square.retry import is_transient, may_have_landed
from app.square.wire import parse, seg

__all__ = ["LOST_CREATE_WINDOW", "WriteRecovery", "fields_match", "utcnow"]

log = logging.getLogger(__name__)

LOST_CREATE_WINDOW = timedelta(minutes=5)
"""How far back a lost create is looked for (the request's start, less clock skew)."""

Finder = Callable[[], Awaitable[dict[str, Any] | None]]
"""Looks a lost create up: the answer Square would have sent, or ``None``."""


def utcnow() -> datetime:
    return datetime.now(UTC)


class WriteRecovery(ServiceCore):
    """The client's answers to "did my write land?" after retries that may have committed."""

    async def _read_customer(self, customer_id: str) -> Customer:
        """RetrieveCustomer: the consistent read. ``NotFoundError`` when gone."""
        reply = await self._call("RetrieveCustomer", "GET", f"/v2/customers/{seg(customer_id)}")
        return parse(Customer, reply.data.get("customer"))

    async def _own_write_landed(
        self, customer_id: str, fields: CustomerFields, version: int
    ) -> Customer | None:
        """After a retried versioned update met a conflict: the fresh customer when our
        own earlier attempt committed (the version moved on and every field we sent holds
        our value), else ``None`` (a real conflict)."""
        try:
            current = await self._read_customer(customer_id)
        except SquareError:
            return None
        if current.version > version and fields_match(current, fields):
            return current
        return None

    async def _call_delete(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
    ) -> None:
        """A delete; a 404 met only after an attempt that may have committed is done."""
        try:
            await self._call(operation, method, path, params=params, write=True)
        except NotFoundError as err:
            if not err.after_ambiguous_attempt:
                raise
            log.info("%s: gone on retry after an ambiguous attempt; counted as done", operation)

    async def _create(
        self,
        operation: str,
        path: str,
        body: Mapping[str, Any],
        find: Finder | None,
    ) -> dict[str, Any]:
        """POST a create carrying its idempotency key; the answer's JSON. After retries
        that may have committed: once more with the same key, then ``find``."""
        try:
            reply = await self._call(operation, "POST", path, json=body, write=True)
            return reply.data
        except SquareError as err:
            if not may_have_landed(err):
                raise
            first = err
        log.info("%s: the answer may have been lost; sending again with the same key", operation)
        try:
            reply = await self._call(operation, "POST", path, json=body, write=True)
            return reply.data
        except SquareError as err:
            if not is_transient(err):
                raise
        if find is not None:
            try:
                found = await find()
            except SquareError as err:
                log.info("%s: the look-up failed too (%s)", operation, type(err).__name__)
                found = None
            if found is not None:
                log.info("%s: the answer was lost, but the look-up found it", operation)
                return found
        lost = LostAnswerError()
        lost.attempts = first.attempts
        lost.after_ambiguous_attempt = True
        raise lost from None


def _norm_text(name: str, value: object) -> object:
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if name == "birthday" and len(text) == 5:
            return "0000-" + text
        if name == "email_address":
            return text.lower()
        return text
    return value


def fields_match(customer: Customer, fields: CustomerFields) -> bool:
    """Does ``customer`` hold every value ``fields`` set?"""
    for name in fields.model_fields_set:
        wanted = getattr(fields, name)
        have = getattr(customer, name, None)
        if isinstance(wanted, BaseModel):
            for sub in wanted.model_fields_set:
                want_sub = _norm_text(sub, getattr(wanted, sub))
                have_sub = _norm_text(sub, getattr(have, sub, None) if have else None)
                if want_sub != have_sub:
                    return False
        elif _norm_text(name, wanted) != _norm_text(name, have):
            return False
    return True
