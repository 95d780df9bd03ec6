"""The typed error family, built from Square's error envelopes (pure functions)."""

from __future__ import annotations

import pytest

from app.square import (
    CardDeclinedError,
    ConflictError,
    ForbiddenError,
    NetworkError,
    NetworkTimeoutError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    SquareError,
    UnauthorizedError,
    ValidationError,
    error_from_envelope,
    error_from_errors,
)


def err(code: str, category: str = "INVALID_REQUEST_ERROR", **extra: str) -> dict[str, str]:
    return {"category": category, "code": code, **extra}


def envelope(*errors: dict[str, str]) -> dict[str, object]:
    return {"errors": list(errors)}


NOT_FOUND = {
    "category": "INVALID_REQUEST_ERROR",
    "code": "NOT_FOUND",
    "detail": "Customer with ID `X` not found.",
    "field": "customer_id",
}
UNAUTHORIZED = {
    "category": "AUTHENTICATION_ERROR",
    "code": "UNAUTHORIZED",
    "detail": "This request could not be authorized.",
}


@pytest.mark.parametrize(
    ("status", "errors", "kind"),
    [
        (404, [NOT_FOUND], NotFoundError),
        (401, [UNAUTHORIZED], UnauthorizedError),
        (403, [err("INSUFFICIENT_SCOPES", "AUTHENTICATION_ERROR")], ForbiddenError),
        (400, [err("VERSION_MISMATCH", field="version")], ConflictError),
        (409, [{"category": "INVALID_REQUEST_ERROR", "code": "CONFLICT"}], ConflictError),
        (429, [{"category": "RATE_LIMIT_ERROR", "code": "RATE_LIMITED"}], RateLimitedError),
        (500, [{"category": "API_ERROR", "code": "INTERNAL_SERVER_ERROR"}], ServerError),
        (503, [], ServerError),
        (402, [{"category": "PAYMENT_METHOD_ERROR", "code": "CARD_DECLINED"}], CardDeclinedError),
        (400, [err("INVALID_EMAIL_ADDRESS", field="email_address")], ValidationError),
        (405, [], SquareError),
    ],
)  # fmt: skip
def test_status_and_code_pick_the_error_type(
    status: int, errors: list[dict[str, str]], kind: type[SquareError]
) -> None:
    error = error_from_envelope(status, envelope(*errors))
    assert type(error) is kind
    assert error.status == status
    assert error.errors == errors
    assert str(error) and len(str(error)) < 120


def test_validation_field_errors() -> None:
    err = error_from_envelope(
        400,
        envelope(
            {
                "category": "INVALID_REQUEST_ERROR",
                "code": "INVALID_EMAIL_ADDRESS",
                "detail": "Expected email_address to be a valid email address.",
                "field": "email_address",
            },
            {"category": "INVALID_REQUEST_ERROR", "code": "VALUE_TOO_LONG", "field": "given_name"},
            {"category": "INVALID_REQUEST_ERROR", "code": "BAD_REQUEST", "detail": "No field."},
        ),
    )
    assert isinstance(err, ValidationError)
    assert err.field_errors == {
        "email_address": "Expected email_address to be a valid email address.",
        "given_name": "VALUE_TOO_LONG",
    }
    assert err.code == "INVALID_EMAIL_ADDRESS"
    assert "valid email address" in str(err)


def test_messages_are_short_and_human() -> None:
    assert str(error_from_envelope(404, envelope(NOT_FOUND))) == "Customer with ID `X` not found."
    assert "access token" in str(error_from_envelope(401, envelope(UNAUTHORIZED)))
    limited = error_from_envelope(429, {}, retry_after=3.2)
    assert isinstance(limited, RateLimitedError) and limited.retry_after == 3.2
    assert str(limited) == "Square is limiting requests: try again in 3 s."
    assert "HTTP 502" in str(error_from_envelope(502, "<html>bad gateway</html>"))
    assert "reload" in str(
        error_from_envelope(400, envelope({"category": "x", "code": "VERSION_MISMATCH"}))
    )


def test_envelope_garbage_is_tolerated() -> None:
    assert isinstance(error_from_envelope(400, None), ValidationError)
    assert isinstance(error_from_envelope(400, {"errors": "nope"}), ValidationError)
    assert error_from_envelope(400, {"errors": [1, None]}).errors == []


def test_secrets_are_blanked_out_of_details() -> None:
    err = error_from_envelope(
        401,
        envelope({**UNAUTHORIZED, "detail": "Token sekrit-123 was revoked"}),
        secrets=["sekrit-123"],
    )
    assert "sekrit-123" not in str(err) and "sekrit-123" not in repr(err)
    assert "sekrit-123" not in repr(err.errors)


def test_bulk_entry_errors_are_typed_by_code() -> None:
    assert isinstance(error_from_errors([NOT_FOUND]), NotFoundError)
    assert isinstance(
        error_from_errors([{"category": "x", "code": "VERSION_MISMATCH"}]), ConflictError
    )
    assert isinstance(
        error_from_errors([{"category": "x", "code": "INVALID_VALUE"}]), ValidationError
    )


def test_timeouts_are_timeout_errors() -> None:
    err = NetworkTimeoutError("slow")
    assert isinstance(err, NetworkError) and isinstance(err, TimeoutError)
    assert isinstance(err, SquareError) and err.status is None and str(err) == "slow"
