"""How requests and answers are shaped: path segments, query parameters, parsed models, keys.

Small pure helpers every endpoint module shares: an id escaped into a path, optional query
parameters, a model validated out of an answer (anything malformed is an
:class:`~app.square.errors.UnreadableAnswerError`), and a fresh idempotency key.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar
from urllib.parse import quote

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from app.square.errors import UnreadableAnswerError

__all__ = ["new_key", "parse", "query_params", "seg"]

M = TypeVar("M", bound=BaseModel)


def new_key() -> str:
    """A fresh idempotency key."""
    return str(uuid.uuid4())


def seg(value: str) -> str:
    """A path segment, escaped (ids never smuggle a ``/`` into the path)."""
    if value in {"", ".", ".."}:  # would change the path's meaning
        return value.replace(".", "%2E") or "%20"
    return quote(value, safe=":")


def query_params(**values: object) -> dict[str, str]:
    """Query parameters: the values given, as text; ``None`` left out."""
    return {key: str(value) for key, value in values.items() if value is not None}


def parse(model: type[M], data: Any) -> M:
    """``model`` validated from an answer's ``data`` (``None`` counts as ``{}``)."""
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
