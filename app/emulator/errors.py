"""Square's error envelope: one exception type that carries the `errors` list and status."""

from __future__ import annotations

from typing import Any

INVALID_REQUEST = "INVALID_REQUEST_ERROR"
AUTHENTICATION = "AUTHENTICATION_ERROR"
RATE_LIMIT = "RATE_LIMIT_ERROR"
API = "API_ERROR"
PAYMENT_METHOD = "PAYMENT_METHOD_ERROR"


def error_dict(
    category: str, code: str, detail: str | None = None, field: str | None = None
) -> dict[str, str]:
    """One entry of Square's `errors` list (`detail` and `field` only when known)."""
    out = {"category": category, "code": code}
    if detail is not None:
        out["detail"] = detail
    if field is not None:
        out["field"] = field
    return out


class ApiError(Exception):
    """An error answer: HTTP status plus Square's `errors` list."""

    def __init__(
        self,
        status: int,
        category: str,
        code: str,
        detail: str | None = None,
        field: str | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code}: {detail or ''}")
        self.status = status
        self.errors: list[dict[str, str]] = [error_dict(category, code, detail, field)]
        self.headers = headers or {}

    @property
    def code(self) -> str:
        return self.errors[0]["code"]

    def body(self) -> dict[str, Any]:
        return {"errors": self.errors}


def bad_request(code: str, detail: str, field: str | None = None) -> ApiError:
    """A 400 `INVALID_REQUEST_ERROR`."""
    return ApiError(400, INVALID_REQUEST, code, detail, field)


def not_found(detail: str, field: str | None = None) -> ApiError:
    return ApiError(404, INVALID_REQUEST, "NOT_FOUND", detail, field)


def customer_not_found(customer_id: str) -> ApiError:
    return not_found(f"Customer with ID `{customer_id}` not found.", "customer_id")


def unauthorized() -> ApiError:
    return ApiError(401, AUTHENTICATION, "UNAUTHORIZED", "This request could not be authorized.")


def insufficient_scopes(scope: str) -> ApiError:
    return ApiError(
        403,
        AUTHENTICATION,
        "INSUFFICIENT_SCOPES",
        f"The merchant has not given your application sufficient permissions to do this. "
        f"Required scope: {scope}.",
    )


def version_mismatch(customer_id: str) -> ApiError:
    # Default chosen in NOTES.md: 409 CONFLICT, field `version` (VERSION_MISMATCH is not in
    # Square's ErrorCode enum, and the SDKs' strict parsers reject an unknown code).
    return ApiError(
        409,
        INVALID_REQUEST,
        "CONFLICT",
        f"The version of customer `{customer_id}` does not match the expected version.",
        "version",
    )
