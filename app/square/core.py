"""The client's core: one call, its retries within one deadline, and one attempt on the wire.

:class:`ServiceCore` holds what every endpoint shares: the httpx client with the token in
its headers, the :class:`~app.square.retry.RetryPolicy`, the write-access state
(:class:`~app.square.access.WriteAccess`, consulted before anything is sent), and
``_call``: the attempts of one operation within its ``deadline``, each attempt's answer
read capped (:mod:`app.square.body`) and turned into Square's JSON object or a typed
:class:`~app.square.errors.SquareError`. The endpoint modules build on it; the retries'
*"did my write land"* questions are :mod:`app.square.recovery`'s.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Self
from urllib.parse import urlsplit

import httpx
from pydantic import SecretStr

from app.config import DEFAULT_DEADLINE, DEFAULT_SQUARE_VERSION, Secret
from app.square.access import TokenStatus, WriteAccess
from app.square.body import (
    ACCEPT_ENCODING,
    BodyTooLarge,
    BodyUnreadable,
    JsonUnreadable,
    load_json,
    read_body,
)
from app.square.errors import (
    ForbiddenError,
    NetworkError,
    NetworkTimeoutError,
    RateLimitedError,
    ReadOnlyError,
    ResponseTooLargeError,
    SquareError,
    UnreadableAnswerError,
    error_from_envelope,
)
from app.square.limits import MAX_PAGES, MAX_RESPONSE_BYTES
from app.square.paging import CursorChain, P, follow_pages
from app.square.retry import RetryPolicy, maybe_committed, parse_retry_after

__all__ = ["Reply", "ServiceCore", "Sleep"]

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class Reply:
    """A call that succeeded: Square's JSON object and how it was reached."""

    data: dict[str, Any]
    attempts: int
    ambiguous: bool
    """True when an attempt before the successful one may have committed."""


class ServiceCore:
    """The shared half of :class:`~app.square.client.SquareService`: construction,
    identity, lifecycle, and the call with its retries. Use ``async with`` or ``aclose()``."""

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
        self.access = WriteAccess(wish=read_only)
        """The effective read-only state: the one place it is decided (see app.square.access)."""
        self.retry = RetryPolicy(
            max_retries=max_retries,
            backoff_base=backoff_base,
            backoff_cap=backoff_cap,
            max_retry_after=max_retry_after,
        )
        """How a failed call is retried (from ``max_retries`` and the backoff arguments)."""
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

    # -- lifecycle and identity -------------------------------------------------

    @property
    def _secrets(self) -> tuple[str, ...]:
        """Texts blanked out (in any letter case) of any error detail the server echoes back;
        anything shaped like a Square token is blanked too (`app.square.redaction`)."""
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

    def _follow(self, fetch: Callable[[str | None], Awaitable[P]]) -> AsyncIterator[P]:
        """Every page ``fetch(cursor)`` gives, from the first, along one cursor chain."""
        return follow_pages(fetch, self.cursor_chain())

    @property
    def host(self) -> str:
        return urlsplit(self._base_url).netloc or self._base_url

    def __repr__(self) -> str:
        flags = ", read_only=True" if self.read_only else ""
        return (
            f"{type(self).__name__}(base_url={self._base_url!r}, "
            f"square_version={self._square_version!r}{flags})"
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    # -- one call -------------------------------------------------------------------

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
    ) -> Reply:
        """One operation: refused at once when ``access`` forbids it (or it is a ``write``
        on a read-only desk), else attempted and retried as ``retry`` says, all within one
        ``deadline``. Square's answer, or the typed error of the last attempt."""
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
                        delay = self.retry.delay(err, attempt, deadline_at - loop.time(), self._rng)
                        if delay is None:
                            log.info(
                                "%s failed after %d attempt(s): %r", operation, attempt + 1, err
                            )
                            raise
                        ambiguous = ambiguous or maybe_committed(err)
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
                    return Reply(data=data, attempts=attempt + 1, ambiguous=ambiguous)
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
                    raw = await read_body(response, self._max_response_bytes)
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
            body = load_json(raw)
        except JsonUnreadable as exc:
            body, reason = None, str(exc)
        if 200 <= status < 300:
            if not isinstance(body, dict):
                reason = reason or "not a JSON object"
                raise UnreadableAnswerError(
                    f"{self.host} sent an answer the desk cannot read (HTTP {status}: {reason}).",
                    status=status,
                )
            return body
        retry_after = parse_retry_after(headers.get("Retry-After"))
        raise error_from_envelope(status, body, retry_after=retry_after, secrets=self._secrets)


def _reason(exc: Exception) -> str:
    text = str(exc) if isinstance(exc, BodyUnreadable) else type(exc).__name__
    return text or type(exc).__name__
