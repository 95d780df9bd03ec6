"""The async Square Customers API service: one method per operation, typed errors.

Every call has a timeout. Failed calls are retried with exponential backoff and full
jitter (honouring ``Retry-After``) on 429, 5xx and network errors — and every
operation here is safe to retry:

* reads (GET, SearchCustomers, BulkRetrieveCustomers) change nothing;
* PUT / DELETE / DisableCard / the group membership calls are idempotent;
* creates carry one idempotency key, generated once per call and reused by its retries
  (CreateCustomer, CreateCustomerGroup, CreateCard, BulkCreateCustomers; the deprecated
  CreateCustomerCard is idempotent per nonce);
* UpdateCustomer / BulkUpdateCustomers with a ``version``: a version conflict is never
  retried. But an attempt that failed *ambiguously* (a 5xx, a timeout or a connection
  dropped after the request went out) may have committed, in which case its retry sees
  ``VERSION_MISMATCH`` against our own write. So after such a retry the service
  re-reads the customer: when the version moved past the one we sent and every field we
  sent holds the value we sent, our write landed and the fresh customer is returned;
  otherwise the ``ConflictError`` stands. Likewise a retried delete whose retry answers
  404 after an ambiguous attempt counts as done.

Nothing the server sends is trusted: each call has one overall ``deadline`` (retries and
backoff included; a ``Retry-After`` is clamped and never waited past it); an answer is
streamed and dropped once more than ``max_response_bytes`` arrive, decoded (see
:mod:`app.answer_body`), and parsed within the deadline, nesting limited; every cursor
chain goes through a :class:`CursorChain`, which stops a repeated cursor or a chain
longer than ``max_pages``. Every failure is a :class:`SquareError`; an answer that cannot
be read is an :class:`UnreadableAnswerError` and is not retried.

The access token is sent as ``Authorization: Bearer`` and never appears in a ``repr``,
``str``, log line or exception text of this module.
"""

from __future__ import annotations

import asyncio
import hashlib
import json as jsonlib
import logging
import math
import random
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Protocol, TypeVar
from urllib.parse import quote, urlsplit

import httpx
from pydantic import BaseModel, SecretStr
from pydantic import ValidationError as PydanticValidationError

from app.access import TokenStatus, WriteAccess
from app.answer_body import ACCEPT_ENCODING, BodyTooLarge, BodyUnreadable, read_capped
from app.config import DEFAULT_DEADLINE, DEFAULT_SQUARE_VERSION, Secret
from app.models import (
    Address,
    BulkUpdateEntry,
    Card,
    CardPage,
    Customer,
    CustomerFields,
    CustomerGroup,
    CustomerGroupPage,
    CustomerPage,
    CustomerQuery,
    CustomerSegment,
    CustomerSegmentPage,
)
from app.redact import redact

if TYPE_CHECKING:
    from app.config import Settings

__all__ = [
    "DEFAULT_SQUARE_VERSION",
    "CardDeclinedError",
    "ConflictError",
    "ForbiddenError",
    "LostAnswerError",
    "NetworkError",
    "NetworkTimeoutError",
    "NotFoundError",
    "PaginationError",
    "RateLimitedError",
    "ReadOnlyError",
    "ResponseTooLargeError",
    "ServerError",
    "SquareError",
    "SquareService",
    "UnauthorizedError",
    "UnreadableAnswerError",
    "ValidationError",
    "error_from_envelope",
    "error_from_errors",
]

log = logging.getLogger("app.service")

MAX_RESPONSE_BYTES = 10 * 1024 * 1024
"""The most a single answer may hold, decoded (Square's pages are far smaller)."""
MAX_PAGES = 12_000
"""The longest cursor chain followed: 1M customers at 100 a page is 10,000 pages."""
MAX_CURSOR_LENGTH = 16_384
"""A longer page cursor is refused (Square's are a few hundred characters)."""
MAX_JSON_DEPTH = 64
"""A more deeply nested answer is refused (Square's objects nest a few levels)."""
RETRY_AFTER_CEILING = 86_400.0
"""A ``Retry-After`` further away than this (or unreadable) counts as this far."""
MAX_DETAIL_LENGTH = 300
"""An error detail is cut to this many characters in a message."""


# --------------------------------------------------------------------------- errors


class SquareError(Exception):
    """A failed call. ``status`` is the HTTP status (``None`` when no answer came),
    ``errors`` Square's list of ``{category, code, detail, field}``; ``str()`` is a short
    sentence fit for a notification."""

    default_message: ClassVar[str] = "Square refused the request."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        errors: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self.status = status
        self.errors: list[dict[str, str]] = [
            {str(k): str(v) for k, v in entry.items() if v is not None} for entry in errors
        ]
        self.attempts = 1
        """How many attempts the call made before giving up."""
        self.after_ambiguous_attempt = False
        """True when an earlier attempt of the same call may have committed."""
        self.message = message or self._describe()
        super().__init__(self.message)

    def _describe(self) -> str:
        details = [_clip(e["detail"]) for e in self.errors if e.get("detail")]
        if details:
            text = "; ".join(dict.fromkeys(details[:3]))
            return text if text.endswith(".") else text + "."
        return self.default_message

    @property
    def code(self) -> str | None:
        """The first error's code (``NOT_FOUND``, ``VERSION_MISMATCH``...)."""
        return self.errors[0].get("code") if self.errors else None

    @property
    def codes(self) -> list[str]:
        return [e["code"] for e in self.errors if "code" in e]

    @property
    def detail(self) -> str | None:
        return self.errors[0].get("detail") if self.errors else None

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(status={self.status!r}, code={self.code!r}, message={self.message!r})"


class ValidationError(SquareError):
    """400: Square refused a value. ``field_errors`` maps each field to what is wrong."""

    default_message = "Square refused the request as invalid."

    @property
    def field_errors(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for entry in self.errors:
            field = entry.get("field")
            if not field:
                continue
            text = entry.get("detail") or entry.get("code", "invalid value")
            out[field] = f"{out[field]}; {text}" if field in out else text
        return out


class NotFoundError(SquareError):
    """404: it does not exist (any more)."""

    default_message = "Not found: it may have been deleted."


class ConflictError(SquareError):
    """409 CONFLICT or VERSION_MISMATCH: someone else changed it first."""

    default_message = "Changed elsewhere since it was loaded: reload it and make the edit again."

    def _describe(self) -> str:
        return self.default_message


class UnauthorizedError(SquareError):
    """401: the access token is wrong, expired or revoked."""

    default_message = "Square rejected the access token (wrong, expired or revoked?): replace it."

    def _describe(self) -> str:
        return self.default_message


class ForbiddenError(SquareError):
    """403: the token may not do this (missing scope / permission)."""

    default_message = "This access token is not allowed to do that (missing permission)."

    def _describe(self) -> str:
        if "INSUFFICIENT_SCOPES" in self.codes:
            return "This access token is read-only here: it lacks the permission to make changes."
        return self.default_message


class ReadOnlyError(ForbiddenError):
    """Refused locally, before anything was sent: Customer Desk is read-only."""

    default_message = "Customer Desk is in read-only mode: changes are switched off."

    def _describe(self) -> str:
        return self.default_message


class CardDeclinedError(SquareError):
    """402 and card errors: the card was declined or its data refused."""

    default_message = "The card was declined."


class RateLimitedError(SquareError):
    """429: too many requests. ``retry_after`` is in seconds when Square said."""

    default_message = "Square is limiting requests: wait a moment and try again."

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = 429,
        errors: Sequence[Mapping[str, Any]] = (),
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(message, status=status, errors=errors)

    def _describe(self) -> str:
        if self.retry_after is not None:
            wait = self.retry_after if math.isfinite(self.retry_after) else RETRY_AFTER_CEILING
            return f"Square is limiting requests: try again in {max(1, round(wait))} s."
        return self.default_message


class ServerError(SquareError):
    """5xx: Square failed; the same call may work a moment later."""

    default_message = "Square had a server error: try again shortly."

    def _describe(self) -> str:
        if self.status:
            return f"Square had a server error (HTTP {self.status}): try again shortly."
        return self.default_message


class UnreadableAnswerError(ServerError):
    """Square's answer cannot be read: not JSON, not the expected shape, nested too deep,
    or badly encoded. Not retried: the same request would get the same answer."""

    default_message = "Square sent an answer the desk cannot read."

    def _describe(self) -> str:
        return self.default_message


class ResponseTooLargeError(UnreadableAnswerError):
    """The answer was larger than the desk accepts (decoded); it was dropped unread."""

    default_message = "Square sent an answer larger than the desk accepts, so it was dropped."


class PaginationError(SquareError):
    """A listing was stopped: its page cursors repeated, were unusable, or ran on past
    any real directory's length."""

    default_message = "Square repeated a page cursor, so the listing was stopped: try again later."


class NetworkError(SquareError):
    """No answer: the connection failed or broke."""

    default_message = "Could not reach Square: check the network connection."

    def __init__(self, message: str | None = None, *, sent: bool = True) -> None:
        self.sent = sent
        """False when the request surely never reached the server (connect failures)."""
        super().__init__(message)


class NetworkTimeoutError(NetworkError, TimeoutError):
    """No answer in time."""

    default_message = "Square did not answer in time: try again."


class LostAnswerError(NetworkError):
    """A create whose answer was lost: Square may have made it, and a look-up could not
    tell. Sending it again with the same idempotency key cannot make a second one."""

    default_message = (
        "The answer was lost: Square may have saved it. Send it again: "
        "it will not be created twice."
    )


_STATUS_BY_CODE = {
    "NOT_FOUND": 404,
    "UNAUTHORIZED": 401,
    "ACCESS_TOKEN_EXPIRED": 401,
    "ACCESS_TOKEN_REVOKED": 401,
    "UNAUTHORIZED_CLIENT": 401,
    "FORBIDDEN": 403,
    "INSUFFICIENT_SCOPES": 403,
    "CONFLICT": 409,
    "RATE_LIMITED": 429,
    "INTERNAL_SERVER_ERROR": 500,
    "SERVICE_UNAVAILABLE": 503,
    "GATEWAY_TIMEOUT": 504,
}
_CARD_CATEGORIES = {"PAYMENT_METHOD_ERROR"}


def error_from_envelope(
    status: int,
    body: Any,
    *,
    retry_after: float | None = None,
    secrets: Sequence[str] = (),
) -> SquareError:
    """The typed error for an HTTP error answer: ``status`` and the parsed JSON ``body``
    (Square's ``{"errors": [...]}``; anything else is tolerated). Any text in
    ``secrets`` is blanked out of the details."""
    errors: list[Mapping[str, Any]] = []
    if isinstance(body, Mapping) and isinstance(body.get("errors"), list):
        errors = [e for e in body["errors"] if isinstance(e, Mapping)]
    return _make_error(status, _redact_errors(errors, secrets), retry_after)


def error_from_errors(
    errors: Sequence[Mapping[str, Any]], *, secrets: Sequence[str] = ()
) -> SquareError:
    """The typed error for an ``errors`` list without an HTTP status (a bulk entry)."""
    if isinstance(errors, str | bytes) or not isinstance(errors, Sequence):
        errors = []  # not a list: the server's shape is wrong, the entry still failed
    errors = [entry for entry in errors if isinstance(entry, Mapping)]
    status = 400
    for entry in errors:
        code = str(entry.get("code", ""))
        if code in _STATUS_BY_CODE:
            status = _STATUS_BY_CODE[code]
            break
        if entry.get("category") in _CARD_CATEGORIES:
            status = 402
            break
    return _make_error(status, _redact_errors(errors, secrets), None)


def _make_error(
    status: int, errors: list[dict[str, str]], retry_after: float | None
) -> SquareError:
    codes = {e.get("code") for e in errors}
    if codes & {"VERSION_MISMATCH", "CONFLICT"} or status == 409:
        return ConflictError(status=status, errors=errors)
    if status == 404:
        return NotFoundError(status=status, errors=errors)
    if status == 401:
        return UnauthorizedError(status=status, errors=errors)
    if status == 403:
        return ForbiddenError(status=status, errors=errors)
    if status == 429:
        return RateLimitedError(status=status, errors=errors, retry_after=retry_after)
    if status == 402 or any(e.get("category") in _CARD_CATEGORIES for e in errors):
        return CardDeclinedError(status=status, errors=errors)
    if status == 408 or status >= 500:
        return ServerError(status=status, errors=errors)
    if status in (400, 422):
        return ValidationError(status=status, errors=errors)
    return SquareError(status=status, errors=errors)


def _redact_errors(
    errors: Sequence[Mapping[str, Any]], secrets: Sequence[str]
) -> list[dict[str, str]]:
    """The errors as text, with the token (in any case) and Square-token-shaped strings
    blanked out of keys and values (see `app.redact`)."""
    out = []
    for entry in errors:
        clean: dict[str, str] = {}
        for key, value in entry.items():
            if value is None:
                continue
            clean[redact(str(key), secrets)] = redact(str(value), secrets)
        out.append(clean)
    return out


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), within
    [0, ``RETRY_AFTER_CEILING``]; ``None`` when absent or unreadable."""
    text = (value or "").strip()
    if not text or len(text) > 100:
        return None
    seconds: float
    try:
        seconds = float(text)  # also "inf", "nan", "1e309", "-1": clamped below
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
            if when.tzinfo is None:  # "-0000": a UTC time of unknown origin
                when = when.replace(tzinfo=UTC)
            seconds = (when - datetime.now(UTC)).total_seconds()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CEILING)


def _clip(text: str) -> str:
    return text if len(text) <= MAX_DETAIL_LENGTH else text[: MAX_DETAIL_LENGTH - 1] + "…"


# --------------------------------------------------------------------------- service

Sleep = Callable[[float], Awaitable[None]]
_M = TypeVar("_M", bound=BaseModel)


class _Paged(Protocol):
    @property
    def cursor(self) -> str | None: ...


_P = TypeVar("_P", bound=_Paged)
QueryLike = CustomerQuery | Mapping[str, Any] | None


class CursorChain:
    """Follows one listing's page cursors, and stops it with a ``PaginationError`` when a
    cursor comes back (A, B, A…), is unusable, or the chain grows past ``max_pages``."""

    def __init__(self, max_pages: int = MAX_PAGES) -> None:
        self.max_pages = max(1, max_pages)
        self.pages = 0
        self._seen: set[bytes] = set()

    def count(self) -> None:
        """One more page fetched; past the ceiling, the listing stops."""
        self.pages += 1
        if self.pages > self.max_pages:
            raise self._too_long()

    def follow(self, following: str | None) -> str | None:
        """After a page: its cursor if another page is to be fetched, ``None`` after the
        last. Counts the page."""
        self.pages += 1
        if not following:
            return None
        if self.pages >= self.max_pages:
            raise self._too_long()  # the next page would be one past the ceiling
        if (
            len(following) > MAX_CURSOR_LENGTH
            or not following.isascii()
            or not following.isprintable()
        ):
            raise PaginationError(
                "Square sent a page cursor the desk cannot use, so the listing was stopped."
            )
        digest = hashlib.blake2b(following.encode("ascii"), digest_size=16).digest()
        if digest in self._seen:
            raise PaginationError()
        self._seen.add(digest)
        return following

    def _too_long(self) -> PaginationError:
        return PaginationError(
            f"Square kept sending pages past {self.max_pages:,}, more than any directory "
            "has, so the listing was stopped."
        )

    def restart(self) -> None:
        """A new query in the same listing: earlier cursors no longer count, pages do."""
        self._seen.clear()


@dataclass(frozen=True)
class _Reply:
    data: dict[str, Any]
    attempts: int
    ambiguous: bool
    """True when an attempt before the successful one may have committed."""


class SquareService:
    """The Square Customers API, async. Use ``async with`` or call ``aclose()``."""

    def __init__(
        self,
        base_url: str,
        token: str | SecretStr | Secret,
        *,
        square_version: str = DEFAULT_SQUARE_VERSION,
        timeout: float = 10.0,
        deadline: float = DEFAULT_DEADLINE,
        max_retries: int = 4,
        transport: httpx.AsyncBaseTransport | None = None,
        read_only: bool = False,
        backoff_base: float = 0.25,
        backoff_cap: float = 8.0,
        max_retry_after: float = 30.0,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        max_pages: int = MAX_PAGES,
        rng: random.Random | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        """``timeout`` bounds one attempt, ``deadline`` a whole call with its retries and
        backoff; ``max_response_bytes`` one decoded answer; ``max_pages`` one cursor chain."""
        secret = token if isinstance(token, str) else token.get_secret_value()
        self._token = SecretStr(secret)  # kept masked: vars(), repr and pickles show ****
        self._base_url = base_url.rstrip("/")
        self._square_version = square_version
        self._timeout = timeout
        self._deadline = deadline
        self._max_response_bytes = max_response_bytes
        self._max_pages = max_pages
        self._max_retries = max(0, max_retries)
        self.access = WriteAccess(wish=read_only)
        """The effective read-only state: the one place it is decided (see app.access)."""
        self._backoff_base = backoff_base
        self._backoff_cap = backoff_cap
        self._max_retry_after = max_retry_after
        self._rng = rng or random.Random()
        self._sleep: Sleep = sleep or asyncio.sleep
        self.token_status: TokenStatus | None = None
        """RetrieveTokenStatus's answer once ``check_token`` has had one (the merchant)."""
        self.rate_limit_listeners: list[Callable[[float | None], None]] = []
        """Told of every 429 (with its ``Retry-After`` in seconds, if any), retried or
        not: a load paces itself by them."""
        headers = {
            "Authorization": f"Bearer {secret}",
            "Square-Version": square_version,
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            "User-Agent": "customer-desk/0.1",
        }
        self._client = httpx.AsyncClient(
            base_url=self._base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout),
            transport=transport,
        )

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

    # -- lifecycle and identity -------------------------------------------------

    @property
    def _secrets(self) -> tuple[str, ...]:
        """Texts blanked out (in any letter case) of any error detail the server echoes back;
        anything shaped like a Square token is blanked too (`app.redact`)."""
        secret = self._token.get_secret_value()
        return (secret,) if secret else ()

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def square_version(self) -> str:
        return self._square_version

    @property
    def read_only(self) -> bool:
        """No customer can be changed (the settings' wish or a token without the scope)."""
        return self.access.read_only

    @property
    def max_pages(self) -> int:
        """The longest cursor chain a listing follows."""
        return self._max_pages

    def cursor_chain(self) -> CursorChain:
        """A fresh :class:`CursorChain` for a listing that follows cursors itself."""
        return CursorChain(self._max_pages)

    async def _follow(self, fetch: Callable[[str | None], Awaitable[_P]]) -> AsyncIterator[_P]:
        """Every page ``fetch(cursor)`` gives, from the first, along one cursor chain."""
        chain = self.cursor_chain()
        cursor: str | None = None
        while True:
            page = await fetch(cursor)
            yield page
            cursor = chain.follow(page.cursor)
            if cursor is None:
                return

    @property
    def host(self) -> str:
        return urlsplit(self._base_url).netloc or self._base_url

    def __repr__(self) -> str:
        flags = ", read_only=True" if self.read_only else ""
        return (
            f"SquareService(base_url={self._base_url!r}, "
            f"square_version={self._square_version!r}{flags})"
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> SquareService:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- customers ----------------------------------------------------------------

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
        params = _params(cursor=cursor, limit=limit, sort_field=sort_field, sort_order=sort_order)
        if count:
            params["count"] = "true"
        reply = await self._call("ListCustomers", "GET", "/v2/customers", params=params)
        return _parse(CustomerPage, reply.data)

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
        return _parse(CustomerPage, reply.data)

    async def retrieve_customer(self, customer_id: str) -> Customer:
        """RetrieveCustomer: the consistent read. ``NotFoundError`` when gone."""
        reply = await self._call("RetrieveCustomer", "GET", f"/v2/customers/{_seg(customer_id)}")
        return _parse(Customer, reply.data.get("customer"))

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
        body["idempotency_key"] = idempotency_key or _new_key()
        since = _utcnow() - _LOST_CREATE_WINDOW

        async def find() -> dict[str, Any] | None:
            found = await self._find_created_customer(fields, since)
            return {"customer": found.model_dump(mode="json")} if found else None

        data = await self._create("CreateCustomer", "/v2/customers", body, find)
        return _parse(Customer, data.get("customer"))

    async def update_customer(
        self, customer_id: str, fields: CustomerFields, version: int | None = None
    ) -> Customer:
        """UpdateCustomer (sparse). With ``version``, a stale version is a ``ConflictError``."""
        body = fields.to_body()
        if version is not None:
            body["version"] = version
        path = f"/v2/customers/{_seg(customer_id)}"
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
        return _parse(Customer, reply.data.get("customer"))

    async def delete_customer(self, customer_id: str, version: int | None = None) -> None:
        """DeleteCustomer (its cards go with it). With ``version``, stale → ``ConflictError``."""
        params = _params(version=version)
        path = f"/v2/customers/{_seg(customer_id)}"
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

    # -- bulk -----------------------------------------------------------------------

    async def bulk_create_customers(
        self, customers: Mapping[str, CustomerFields] | Sequence[CustomerFields]
    ) -> dict[str, Customer | SquareError]:
        """BulkCreateCustomers (1–100). A mapping's keys are the idempotency keys; for a
        sequence, keys are generated — the result keeps the input's order either way.
        Each entry is the new ``Customer`` or the ``SquareError`` that entry failed with."""
        if isinstance(customers, Mapping):
            entries = dict(customers)
        else:
            entries = {_new_key(): fields for fields in customers}
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
                out[key] = _parse(Customer, entry.get("customer"))
        return out

    # -- customer cards (deprecated endpoints) -----------------------------------

    async def create_customer_card(
        self,
        customer_id: str,
        card_nonce: str,
        *,
        billing_address: Address | None = None,
        cardholder_name: str | None = None,
        verification_token: str | None = None,
    ) -> Card:
        """CreateCustomerCard (deprecated by Square in favour of ``create_card``)."""
        body: dict[str, Any] = {"card_nonce": card_nonce}
        if billing_address is not None:
            body["billing_address"] = billing_address.to_json()
        if cardholder_name is not None:
            body["cardholder_name"] = cardholder_name
        if verification_token is not None:
            body["verification_token"] = verification_token
        reply = await self._call(
            "CreateCustomerCard",
            "POST",
            f"/v2/customers/{_seg(customer_id)}/cards",
            json=body,
            write=True,
        )
        return _parse(Card, reply.data.get("card"))

    async def delete_customer_card(self, customer_id: str, card_id: str) -> None:
        """DeleteCustomerCard (deprecated by Square in favour of ``disable_card``)."""
        path = f"/v2/customers/{_seg(customer_id)}/cards/{_seg(card_id)}"
        await self._call_delete("DeleteCustomerCard", "DELETE", path)

    # -- group membership ---------------------------------------------------------

    async def add_group_to_customer(self, customer_id: str, group_id: str) -> None:
        """AddGroupToCustomer (adding a member again changes nothing)."""
        path = f"/v2/customers/{_seg(customer_id)}/groups/{_seg(group_id)}"
        await self._call("AddGroupToCustomer", "PUT", path, write=True)

    async def remove_group_from_customer(self, customer_id: str, group_id: str) -> None:
        """RemoveGroupFromCustomer."""
        path = f"/v2/customers/{_seg(customer_id)}/groups/{_seg(group_id)}"
        await self._call("RemoveGroupFromCustomer", "DELETE", path, write=True)

    # -- customer groups --------------------------------------------------------------

    async def list_customer_groups(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> CustomerGroupPage:
        """ListCustomerGroups: one page (``limit`` 1–50)."""
        params = _params(cursor=cursor, limit=limit)
        reply = await self._call("ListCustomerGroups", "GET", "/v2/customers/groups", params=params)
        return _parse(CustomerGroupPage, reply.data)

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
        body = {"idempotency_key": idempotency_key or _new_key(), "group": {"name": name}}
        since = _utcnow() - _LOST_CREATE_WINDOW

        async def find() -> dict[str, Any] | None:
            found = await self._find_created_group(name, since)
            return {"group": found.model_dump(mode="json")} if found else None

        data = await self._create("CreateCustomerGroup", "/v2/customers/groups", body, find)
        return _parse(CustomerGroup, data.get("group"))

    async def retrieve_customer_group(self, group_id: str) -> CustomerGroup:
        reply = await self._call(
            "RetrieveCustomerGroup", "GET", f"/v2/customers/groups/{_seg(group_id)}"
        )
        return _parse(CustomerGroup, reply.data.get("group"))

    async def update_customer_group(self, group_id: str, name: str) -> CustomerGroup:
        """UpdateCustomerGroup: rename."""
        reply = await self._call(
            "UpdateCustomerGroup",
            "PUT",
            f"/v2/customers/groups/{_seg(group_id)}",
            json={"group": {"name": name}},
            write=True,
        )
        return _parse(CustomerGroup, reply.data.get("group"))

    async def delete_customer_group(self, group_id: str) -> None:
        """DeleteCustomerGroup (its members lose it from ``group_ids``)."""
        path = f"/v2/customers/groups/{_seg(group_id)}"
        await self._call_delete("DeleteCustomerGroup", "DELETE", path)

    # -- customer segments --------------------------------------------------------------

    async def list_customer_segments(
        self, *, cursor: str | None = None, limit: int | None = None
    ) -> CustomerSegmentPage:
        """ListCustomerSegments: one page (``limit`` 1–50)."""
        params = _params(cursor=cursor, limit=limit)
        reply = await self._call(
            "ListCustomerSegments", "GET", "/v2/customers/segments", params=params
        )
        return _parse(CustomerSegmentPage, reply.data)

    async def iter_customer_segments(
        self, *, limit: int | None = None
    ) -> AsyncIterator[CustomerSegment]:
        """Every customer segment, page by page."""

        def fetch(cursor: str | None) -> Awaitable[CustomerSegmentPage]:
            return self.list_customer_segments(cursor=cursor, limit=limit)

        async for page in self._follow(fetch):
            for segment in page.segments:
                yield segment

    async def retrieve_customer_segment(self, segment_id: str) -> CustomerSegment:
        reply = await self._call(
            "RetrieveCustomerSegment", "GET", f"/v2/customers/segments/{_seg(segment_id)}"
        )
        return _parse(CustomerSegment, reply.data.get("segment"))

    # -- cards ------------------------------------------------------------------------------

    async def list_cards(
        self,
        *,
        customer_id: str | None = None,
        include_disabled: bool = False,
        reference_id: str | None = None,
        sort_order: Literal["ASC", "DESC"] | None = None,
        cursor: str | None = None,
    ) -> CardPage:
        """ListCards: one page (25 cards), enabled ones unless ``include_disabled``."""
        params = _params(
            customer_id=customer_id, reference_id=reference_id, sort_order=sort_order, cursor=cursor
        )
        if include_disabled:
            params["include_disabled"] = "true"
        reply = await self._call("ListCards", "GET", "/v2/cards", params=params)
        return _parse(CardPage, reply.data)

    async def iter_cards(
        self,
        *,
        customer_id: str | None = None,
        include_disabled: bool = False,
        reference_id: str | None = None,
        sort_order: Literal["ASC", "DESC"] | None = None,
    ) -> AsyncIterator[Card]:
        """Every card matching the filters, page by page."""

        def fetch(cursor: str | None) -> Awaitable[CardPage]:
            return self.list_cards(
                customer_id=customer_id,
                include_disabled=include_disabled,
                reference_id=reference_id,
                sort_order=sort_order,
                cursor=cursor,
            )

        async for page in self._follow(fetch):
            for card in page.cards:
                yield card

    async def create_card(
        self,
        source_id: str,
        *,
        customer_id: str,
        cardholder_name: str | None = None,
        billing_address: Address | None = None,
        reference_id: str | None = None,
        verification_token: str | None = None,
        idempotency_key: str | None = None,
    ) -> Card:
        """CreateCard: save a card (a nonce or a payment id as ``source_id``) on file. One
        idempotency key covers all retries; a lost answer is sent once more with the same
        key (Square replays it), else ``LostAnswerError`` (a card cannot be looked up by
        its source)."""
        card: dict[str, Any] = {"customer_id": customer_id}
        if cardholder_name is not None:
            card["cardholder_name"] = cardholder_name
        if billing_address is not None:
            card["billing_address"] = billing_address.to_json()
        if reference_id is not None:
            card["reference_id"] = reference_id
        body: dict[str, Any] = {
            "idempotency_key": idempotency_key or _new_key(),
            "source_id": source_id,
            "card": card,
        }
        if verification_token is not None:
            body["verification_token"] = verification_token
        data = await self._create("CreateCard", "/v2/cards", body, None)
        return _parse(Card, data.get("card"))

    async def retrieve_card(self, card_id: str) -> Card:
        reply = await self._call("RetrieveCard", "GET", f"/v2/cards/{_seg(card_id)}")
        return _parse(Card, reply.data.get("card"))

    async def disable_card(self, card_id: str) -> Card:
        """DisableCard (for good: a card is never re-enabled). Again: no effect."""
        reply = await self._call(
            "DisableCard", "POST", f"/v2/cards/{_seg(card_id)}/disable", write=True
        )
        return _parse(Card, reply.data.get("card"))

    # -- the access token ---------------------------------------------------------------

    async def retrieve_token_status(self) -> TokenStatus:
        """RetrieveTokenStatus: the token's scopes, merchant and expiry (a read)."""
        reply = await self._call("RetrieveTokenStatus", "POST", "/oauth2/token/status")
        return _parse(TokenStatus, reply.data)

    async def check_token(self) -> TokenStatus | None:
        """Ask Square once what the token may do and record it in ``access``. ``None``
        when the question could not be answered (an older server, the network): the
        token's verdict stays unknown and a refused write will settle it."""
        try:
            status = await self.retrieve_token_status()
        except SquareError as err:
            log.info("RetrieveTokenStatus failed (%r): write access stays unknown", err)
            return None
        self.access.learn_token_scopes(status.scopes)
        self.token_status = status
        return status

    # -- creates whose answer was lost ----------------------------------------------

    async def _create(
        self,
        operation: str,
        path: str,
        body: Mapping[str, Any],
        find: Callable[[], Awaitable[dict[str, Any] | None]] | None,
    ) -> dict[str, Any]:
        """POST a create carrying its idempotency key; the answer's JSON. After retries
        that may have committed: once more with the same key, then ``find``."""
        try:
            reply = await self._call(operation, "POST", path, json=body, write=True)
            return reply.data
        except SquareError as err:
            if not _may_have_landed(err):
                raise
            first = err
        log.info("%s: the answer may have been lost; sending again with the same key", operation)
        try:
            reply = await self._call(operation, "POST", path, json=body, write=True)
            return reply.data
        except SquareError as err:
            if not isinstance(err, RateLimitedError | ServerError | NetworkError):
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
            if fresh and _fields_match(customer, fields):
                return customer
        return None

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

    # -- plumbing ---------------------------------------------------------------------

    async def _own_write_landed(
        self, customer_id: str, fields: CustomerFields, version: int
    ) -> Customer | None:
        """After a retried versioned update met a conflict: the fresh customer when our
        own earlier attempt committed (the version moved on and every field we sent holds
        our value), else ``None`` (a real conflict)."""
        try:
            current = await self.retrieve_customer(customer_id)
        except SquareError:
            return None
        if current.version > version and _fields_match(current, fields):
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
        try:
            await self._call(operation, method, path, params=params, write=True)
        except NotFoundError as err:
            if not err.after_ambiguous_attempt:
                raise
            log.info("%s: gone on retry after an ambiguous attempt; counted as done", operation)

    async def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        write: bool = False,
    ) -> _Reply:
        if not self.access.allows(operation) or (write and self.access.read_only):
            raise ReadOnlyError(self.access.reason(operation), status=None)
        loop = asyncio.get_running_loop()
        deadline_at = loop.time() + self._deadline
        attempt = 0
        ambiguous = False
        try:
            async with asyncio.timeout_at(deadline_at):
                while True:
                    try:
                        data = await self._send(operation, method, path, params, json, headers)
                    except SquareError as err:
                        if isinstance(err, ForbiddenError) and "INSUFFICIENT_SCOPES" in err.codes:
                            self.access.refused_for_scope(operation)
                        err.attempts = attempt + 1
                        err.after_ambiguous_attempt = ambiguous
                        if isinstance(err, RateLimitedError):
                            for listener in self.rate_limit_listeners:
                                listener(err.retry_after)
                        delay = self._retry_delay(err, attempt, deadline_at - loop.time())
                        if delay is None:
                            log.info(
                                "%s failed after %d attempt(s): %r", operation, attempt + 1, err
                            )
                            raise
                        ambiguous = ambiguous or _maybe_committed(err)
                        log.info(
                            "%s attempt %d failed (%s); retrying in %.2f s",
                            operation,
                            attempt + 1,
                            type(err).__name__,
                            delay,
                        )
                        await self._sleep(delay)
                        attempt += 1
                        continue
                    return _Reply(data=data, attempts=attempt + 1, ambiguous=ambiguous)
        except SquareError:
            raise
        except TimeoutError:
            late = NetworkTimeoutError(
                f"{self.host} did not answer within {self._deadline:g} s, the most one call "
                "may take with its retries: try again."
            )
            late.attempts = attempt + 1
            late.after_ambiguous_attempt = ambiguous
            log.info("%s ran out of time after %d attempt(s)", operation, attempt + 1)
            raise late from None

    def _retry_delay(self, err: SquareError, attempt: int, remaining: float) -> float | None:
        """Seconds to wait before the next attempt, or ``None`` to give up: after the last
        retry, on an error a retry cannot mend, or when the wait would not leave time
        (``remaining`` seconds of the call's deadline) for another attempt."""
        if attempt >= self._max_retries:
            return None
        if not isinstance(err, RateLimitedError | ServerError | NetworkError):
            return None
        if isinstance(err, UnreadableAnswerError):
            return None  # the same request would get the same answer
        ceiling = min(self._backoff_cap, self._backoff_base * (2**attempt))
        delay = self._rng.uniform(0.0, ceiling)  # full jitter
        if isinstance(err, RateLimitedError) and err.retry_after is not None:
            if err.retry_after > self._max_retry_after:
                return None
            delay = max(delay, err.retry_after)
        if not 0.0 <= delay < remaining:
            return None
        return delay

    async def _send(
        self,
        operation: str,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        json: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> dict[str, Any]:
        try:
            request = self._client.build_request(
                method,
                path,
                params=dict(params) if params else None,
                json=dict(json) if json is not None else None,
                headers=dict(headers) if headers else None,
            )
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            raise SquareError(
                f"The desk could not build this request ({type(exc).__name__})."
            ) from None
        try:
            async with asyncio.timeout(self._timeout):
                response = await self._client.send(request, stream=True)
                try:
                    raw = await _read_body(response, self._max_response_bytes)
                finally:
                    await response.aclose()
                status = response.status_code
                log.debug("%s %s %s -> %d", operation, method, path, status)
                # Parsed here: a capped body, within the attempt's time and the deadline.
                return self._interpret(status, response.headers, raw)
        except (httpx.ConnectTimeout, httpx.PoolTimeout):
            raise NetworkTimeoutError(
                f"Could not connect to {self.host} in time: check the network.", sent=False
            ) from None
        except (httpx.TimeoutException, TimeoutError):
            raise NetworkTimeoutError(
                f"{self.host} did not answer within {self._timeout:g} s: try again."
            ) from None
        except httpx.ConnectError:
            raise NetworkError(
                f"Could not connect to {self.host}: check the network or the URL.", sent=False
            ) from None
        except httpx.TransportError as exc:
            raise NetworkError(
                f"The connection to {self.host} broke ({type(exc).__name__}): try again."
            ) from None
        except BodyTooLarge as exc:
            raise ResponseTooLargeError(
                f"{self.host} sent an answer larger than {exc.budget // (1024 * 1024):,} MB, "
                "so it was dropped."
            ) from None
        except (BodyUnreadable, httpx.HTTPError) as exc:
            raise UnreadableAnswerError(
                f"{self.host} sent an answer the desk cannot read ({_reason(exc)})."
            ) from None

    def _interpret(self, status: int, headers: httpx.Headers, raw: bytes) -> dict[str, Any]:
        """Square's JSON object for a 2xx answer, else the typed error for it."""
        body: Any
        reason = ""
        try:
            body = _load_json(raw)
        except _Unreadable as exc:
            body, reason = None, str(exc)
        if 200 <= status < 300:
            if not isinstance(body, dict):
                reason = reason or "not a JSON object"
                raise UnreadableAnswerError(
                    f"{self.host} sent an answer the desk cannot read (HTTP {status}: {reason}).",
                    status=status,
                )
            return body
        retry_after = _parse_retry_after(headers.get("Retry-After"))
        raise error_from_envelope(status, body, retry_after=retry_after, secrets=self._secrets)


# --------------------------------------------------------------------------- helpers


async def _read_body(response: httpx.Response, budget: int) -> bytes:
    """The decoded body, within ``budget`` bytes (see :mod:`app.answer_body`)."""
    if response.is_stream_consumed:  # built in memory (a test transport): decoded already
        content = response.content
        if len(content) > budget:
            raise BodyTooLarge(budget)
        return content
    return await read_capped(response.aiter_raw(), response.headers.get("Content-Encoding"), budget)


class _Unreadable(Exception):
    """A body that is not JSON the desk will read."""


def _load_json(raw: bytes) -> Any:
    """The JSON in ``raw`` (``{}`` for an empty body); ``_Unreadable`` when it is not
    UTF-8 JSON, or nests deeper than ``MAX_JSON_DEPTH``."""
    if not raw.strip():
        return {}
    try:
        data = jsonlib.loads(raw)
    except RecursionError:
        raise _Unreadable("nested too deep") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, huge integers
        raise _Unreadable(f"not JSON: {type(exc).__name__}") from None
    if _too_deep(data, MAX_JSON_DEPTH):
        raise _Unreadable("nested too deep")
    return data


def _too_deep(data: Any, limit: int) -> bool:
    """Does ``data`` nest lists and objects deeper than ``limit``? (No recursion.)"""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Iterable[Any] = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _reason(exc: Exception) -> str:
    text = str(exc) if isinstance(exc, BodyUnreadable) else type(exc).__name__
    return text or type(exc).__name__


def _maybe_committed(err: SquareError) -> bool:
    """Could the failed attempt have changed something on the server?"""
    if isinstance(err, RateLimitedError):
        return False
    if isinstance(err, NetworkError):
        return err.sent
    return isinstance(err, ServerError)


_LOST_CREATE_WINDOW = timedelta(minutes=5)
"""How far back a lost create is looked for (the request's start, less clock skew)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _may_have_landed(err: SquareError) -> bool:
    """Did a create's retries end in a failure after which it may exist all the same?"""
    if not isinstance(err, RateLimitedError | ServerError | NetworkError):
        return False
    return err.after_ambiguous_attempt or _maybe_committed(err)


def _new_key() -> str:
    return str(uuid.uuid4())


def _seg(value: str) -> str:
    """A path segment, escaped (ids never smuggle a ``/`` into the path)."""
    if value in {"", ".", ".."}:  # would change the path's meaning
        return value.replace(".", "%2E") or "%20"
    return quote(value, safe=":")


def _params(**values: object) -> dict[str, str]:
    return {key: str(value) for key, value in values.items() if value is not None}


def _clear_null(body: Mapping[str, Any]) -> dict[str, str] | None:
    return {"X-Clear-Null": "true"} if any(v is None for v in body.values()) else None


def _query_body(query: QueryLike) -> dict[str, Any]:
    if query is None:
        return {}
    if isinstance(query, CustomerQuery):
        return query.to_body()
    return dict(query)


def _responses(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """A bulk answer's ``responses`` object (``{}`` when absent)."""
    responses = data.get("responses") or {}
    if not isinstance(responses, Mapping):
        raise UnreadableAnswerError(
            "Square sent an answer the desk cannot read: its responses are not an object."
        )
    return responses


def _parse(model: type[_M], data: Any) -> _M:
    try:
        return model.model_validate(data if data is not None else {})
    except PydanticValidationError as exc:
        raise UnreadableAnswerError(
            f"Square sent an answer the desk cannot read: a {model.__name__} with "
            f"{exc.error_count()} problem(s)."
        ) from None
    except (RecursionError, ValueError, TypeError):
        raise UnreadableAnswerError(
            f"Square sent an answer the desk cannot read: a malformed {model.__name__}."
        ) from None


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


def _fields_match(customer: Customer, fields: CustomerFields) -> bool:
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
