"""The Square client: models, typed errors, retry policy, and one method per endpoint.

Import public names from here (``from app.square import SquareService, Customer``), not
from the modules, so callers do not depend on the package's inner layout:

=================  ==============================================================
``client``         :class:`SquareService`, put together from the modules below
``core``           construction, one call with its retries within one deadline
``recovery``       did my write land: lost creates, retried updates and deletes
``customers``      ``bulk``, ``groups``, ``segments``, ``cards``,
                   ``custom_attributes``, ``token``: the endpoints, one module per
                   resource
``errors``         the typed error family (:class:`SquareError` and its subclasses)
``retry``          :class:`RetryPolicy`: what is retried, how long to wait
``paging``         :class:`CursorChain`: one listing's cursors, checked
``body``           an answer read within a byte budget, its JSON checked
``wire``           path segments, query parameters, parsed models
``limits``         the ceilings on what a server may send
``models``         pydantic models of Square's objects and request bodies
``attribute_models``  custom attribute definitions, values, schemas and types
``access``         :class:`WriteAccess`: the one read-only decision
``redaction``      the token and token-shaped text blanked out of messages
=================  ==============================================================

The names load lazily (on first use): the settings import ``redaction`` before the first
frame, when neither httpx nor pydantic may load, and ``app.config`` (which the client's
core reads) may import this package without importing the client in a cycle.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.square.access import (
        CUSTOMERS_WRITE,
        PAYMENTS_WRITE,
        WRITE_OPERATIONS,
        TokenStatus,
        WriteAccess,
    )
    from app.square.attribute_models import (
        AttributeType,
        CustomAttribute,
        CustomAttributeDefinition,
        CustomAttributeDefinitionFields,
        CustomAttributeDefinitionPage,
        CustomAttributePage,
        CustomAttributeUpsert,
        SelectionOption,
        Visibility,
        selection_schema,
        type_schema,
        wire_value,
    )
    from app.square.client import SquareService
    from app.square.customers import QueryLike
    from app.square.errors import (
        CardDeclinedError,
        ConflictError,
        ForbiddenError,
        LostAnswerError,
        NetworkError,
        NetworkTimeoutError,
        NotFoundError,
        PaginationError,
        RateLimitedError,
        ReadOnlyError,
        ResponseTooLargeError,
        ServerError,
        SquareError,
        UnauthorizedError,
        UnreadableAnswerError,
        ValidationError,
        error_from_envelope,
        error_from_errors,
    )
    from app.square.models import (
        Address,
        AddressFilter,
        BulkUpdateEntry,
        Card,
        CardPage,
        CreationSourceFilter,
        CustomAttributeFilter,
        CustomAttributeFilters,
        CustomAttributeFilterValue,
        Customer,
        CustomerFields,
        CustomerFilter,
        CustomerGroup,
        CustomerGroupPage,
        CustomerPage,
        CustomerPreferences,
        CustomerQuery,
        CustomerSegment,
        CustomerSegmentPage,
        CustomerSort,
        CustomerTaxIds,
        FilterValue,
        NumberRange,
        TextFilter,
        TimeRange,
    )
    from app.square.paging import CursorChain
    from app.square.redaction import (
        REDACTED,
        looks_secret,
        redact,
        shown,
    )
    from app.square.retry import RetryPolicy

__all__ = [
    "CUSTOMERS_WRITE",
    "PAYMENTS_WRITE",
    "REDACTED",
    "WRITE_OPERATIONS",
    "Address",
    "AddressFilter",
    "AttributeType",
    "BulkUpdateEntry",
    "Card",
    "CardDeclinedError",
    "CardPage",
    "ConflictError",
    "CreationSourceFilter",
    "CursorChain",
    "CustomAttribute",
    "CustomAttributeDefinition",
    "CustomAttributeDefinitionFields",
    "CustomAttributeDefinitionPage",
    "CustomAttributeFilter",
    "CustomAttributeFilterValue",
    "CustomAttributeFilters",
    "CustomAttributePage",
    "CustomAttributeUpsert",
    "Customer",
    "CustomerFields",
    "CustomerFilter",
    "CustomerGroup",
    "CustomerGroupPage",
    "CustomerPage",
    "CustomerPreferences",
    "CustomerQuery",
    "CustomerSegment",
    "CustomerSegmentPage",
    "CustomerSort",
    "CustomerTaxIds",
    "FilterValue",
    "ForbiddenError",
    "LostAnswerError",
    "NetworkError",
    "NetworkTimeoutError",
    "NotFoundError",
    "NumberRange",
    "PaginationError",
    "QueryLike",
    "RateLimitedError",
    "ReadOnlyError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "SelectionOption",
    "ServerError",
    "SquareError",
    "SquareService",
    "TextFilter",
    "TimeRange",
    "TokenStatus",
    "UnauthorizedError",
    "UnreadableAnswerError",
    "ValidationError",
    "Visibility",
    "WriteAccess",
    "error_from_envelope",
    "error_from_errors",
    "looks_secret",
    "redact",
    "selection_schema",
    "shown",
    "type_schema",
    "wire_value",
]

_HOMES: dict[str, str] = {
    "CUSTOMERS_WRITE": "access",
    "PAYMENTS_WRITE": "access",
    "WRITE_OPERATIONS": "access",
    "TokenStatus": "access",
    "WriteAccess": "access",
    "AttributeType": "attribute_models",
    "CustomAttribute": "attribute_models",
    "CustomAttributeDefinition": "attribute_models",
    "CustomAttributeDefinitionFields": "attribute_models",
    "CustomAttributeDefinitionPage": "attribute_models",
    "CustomAttributePage": "attribute_models",
    "CustomAttributeUpsert": "attribute_models",
    "SelectionOption": "attribute_models",
    "Visibility": "attribute_models",
    "selection_schema": "attribute_models",
    "type_schema": "attribute_models",
    "wire_value": "attribute_models",
    "SquareService": "client",
    "QueryLike": "customers",
    "CardDeclinedError": "errors",
    "ConflictError": "errors",
    "ForbiddenError": "errors",
    "LostAnswerError": "errors",
    "NetworkError": "errors",
    "NetworkTimeoutError": "errors",
    "NotFoundError": "errors",
    "PaginationError": "errors",
    "RateLimitedError": "errors",
    "ReadOnlyError": "errors",
    "ResponseTooLargeError": "errors",
    "ServerError": "errors",
    "SquareError": "errors",
    "UnauthorizedError": "errors",
    "UnreadableAnswerError": "errors",
    "ValidationError": "errors",
    "error_from_envelope": "errors",
    "error_from_errors": "errors",
    "Address": "models",
    "AddressFilter": "models",
    "CustomAttributeFilter": "models",
    "CustomAttributeFilters": "models",
    "CustomAttributeFilterValue": "models",
    "NumberRange": "models",
    "BulkUpdateEntry": "models",
    "Card": "models",
    "CardPage": "models",
    "CreationSourceFilter": "models",
    "Customer": "models",
    "CustomerFields": "models",
    "CustomerFilter": "models",
    "CustomerGroup": "models",
    "CustomerGroupPage": "models",
    "CustomerPage": "models",
    "CustomerPreferences": "models",
    "CustomerQuery": "models",
    "CustomerSegment": "models",
    "CustomerSegmentPage": "models",
    "CustomerSort": "models",
    "CustomerTaxIds": "models",
    "FilterValue": "models",
    "TextFilter": "models",
    "TimeRange": "models",
    "CursorChain": "paging",
    "REDACTED": "redaction",
    "looks_secret": "redaction",
    "redact": "redaction",
    "shown": "redaction",
    "RetryPolicy": "retry",
}
"""Each public name → the module of this package that defines it."""


def __getattr__(name: str) -> object:
    """A public name, imported from its module on first use (then kept here)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
