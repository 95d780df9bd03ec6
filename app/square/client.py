"""The async Square Customers API client: ``SquareService``, one method per operation.

Every call has a timeout. Failed calls are retried with exponential backoff and full
jitter (honouring ``Retry-After``) on 429, 5xx and network errors (the policy:
:mod:`app.square.retry`) — and every operation is safe to retry:

* reads (GET, SearchCustomers, BulkRetrieveCustomers) change nothing;
* PUT / DELETE / DisableCard / the group membership calls are idempotent;
* creates carry one idempotency key, generated once per call and reused by its retries
  (CreateCustomer, CreateCustomerGroup, CreateCard, BulkCreateCustomers, the custom
  attribute definition creates and updates, upserts and each bulk upsert entry; the
  deprecated CreateCustomerCard is idempotent per nonce);
* UpdateCustomer / BulkUpdateCustomers with a ``version``: a version conflict is never
  retried. But an attempt that failed *ambiguously* (a 5xx, a timeout or a connection
  dropped after the request went out) may have committed, in which case its retry sees
  ``VERSION_MISMATCH`` against our own write. So after such a retry the service
  re-reads the customer: when the version moved past the one we sent and every field we
  sent holds the value we sent, our write landed and the fresh customer is returned;
  otherwise the ``ConflictError`` stands. Likewise a retried delete whose retry answers
  404 after an ambiguous attempt counts as done (:mod:`app.square.recovery`).

Nothing the server sends is trusted: each call has one overall ``deadline`` (retries and
backoff included; a ``Retry-After`` is clamped and never waited past it); an answer is
streamed and dropped once more than ``max_response_bytes`` arrive, decoded (see
:mod:`app.square.body`), and parsed within the deadline, nesting limited; every cursor
chain goes through a :class:`~app.square.paging.CursorChain`, which stops a repeated
cursor or a chain longer than ``max_pages``. Every failure is a
:class:`~app.square.errors.SquareError`; an answer that cannot be read is an
:class:`~app.square.errors.UnreadableAnswerError` and is not retried.

The access token is sent as ``Authorization: Bearer`` and never appears in a ``repr``,
``str``, log line or exception text of the client.

The class is put together from the core (:mod:`app.square.core`: construction, the call
with its retries; :mod:`app.square.recovery`: did my write land) and one module per
resource: ``customers``, ``bulk``, ``groups``, ``segments``, ``cards``,
``custom_attributes``, ``token``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
from pydantic import SecretStr

from app.config import Secret
from app.square.bulk import BulkEndpoints
from app.square.cards import CardEndpoints
from app.square.custom_attributes import CustomAttributeEndpoints
from app.square.customers import CustomerEndpoints
from app.square.groups import GroupEndpoints
from app.square.segments import SegmentEndpoints
from app.square.token import TokenEndpoints

if TYPE_CHECKING:
    from app.config import Settings

__all__ = ["SquareService"]


class SquareService(
    CustomerEndpoints,
    BulkEndpoints,
    GroupEndpoints,
    SegmentEndpoints,
    CardEndpoints,
    CustomAttributeEndpoints,
    TokenEndpoints,
):
    """The Square Customers API, async. Use ``async with`` or call ``aclose()``."""

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        base_url: str | None = None,
        token: str | SecretStr | Secret | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        **kwargs: Any,
    ) -> SquareService:
        """A service for ``settings`` (version, timeout, read-only). For LOCAL settings,
        pass the embedded emulator's ``base_url`` and ``token``."""
        url = base_url or settings.base_url
        secret = token if token is not None else settings.token
        if not url or secret is None:
            raise ValueError("from_settings needs a base_url and token for LOCAL settings")
        service = cls(
            url,
            secret,
            square_version=settings.square_version,
            timeout=settings.timeout,
            deadline=settings.deadline,
            transport=transport,
            **kwargs,
        )
        if settings.read_only:
            service.access.want_read_only(settings.read_only_reason)
        return service
