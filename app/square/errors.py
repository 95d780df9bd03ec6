"""The client's typed errors, and how Square's error envelopes become them.

Every failed call raises a :class:`SquareError`; its ``str()`` is one short sentence fit
for a notification, and no text of it holds the access token (server-echoed details go
through :func:`app.square.redaction.redact`). The family::

    SquareError                    .status, .errors, .code(s), .detail, .attempts
    ├── ValidationError            400 / 422: a value refused; .field_errors
    ├── NotFoundError              404: it does not exist (any more)
    ├── ConflictError              409 or VERSION_MISMATCH: changed elsewhere first
    ├── UnauthorizedError          401: the token is wrong, expired or revoked
    ├── ForbiddenError             403: the token may not do this
    │   └── ReadOnlyError          refused locally, before anything was sent
    ├── CardDeclinedError          402 and PAYMENT_METHOD_ERROR
    ├── RateLimitedError           429: .retry_after
    ├── ServerError                5xx and 408: the same call may work later
    │   └── UnreadableAnswerError  an answer that cannot be read (never retried)
    │       └── ResponseTooLargeError
    ├── PaginationError            a listing's cursors repeated or ran on
    └── NetworkError               no answer: .sent
        ├── NetworkTimeoutError    no answer in time (also a TimeoutError)
        └── LostAnswerError        a create whose answer was lost and not found

:func:`error_from_envelope` turns an HTTP error answer into its class,
:func:`error_from_errors` a bulk entry's ``errors`` list.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from app.square.limits import MAX_DETAIL_LENGTH, RETRY_AFTER_CEILING
from app.square.redaction import redact

__all__ = [
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
    "UnauthorizedError",
    "UnreadableAnswerError",
    "ValidationError",
    "error_from_envelope",
    "error_from_errors",
]


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
    blanked out of keys and values (see `app.square.redaction`)."""
    out = []
    for entry in errors:
        clean: dict[str, str] = {}
        for key, value in entry.items():
            if value is None:
                continue
            clean[redact(str(key), secrets)] = redact(str(value), secrets)
        out.append(clean)
    return out


def _clip(text: str) -> str:
    return text if len(text) <= MAX_DETAIL_LENGTH else text[: MAX_DETAIL_LENGTH - 1] + "…"
