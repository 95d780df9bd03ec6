"""Who sees and changes which custom attribute: keys, visibility, and the records as JSON.

Every definition has an owner: the application that created it, or `square` for the
seller's own custom fields (made in the Dashboard, always `VISIBILITY_READ_WRITE_VALUES`).
The owner names a definition by its simple key; any other application must use the
qualified key `owner:key`, and sees that in every answer (NOTES "Keys"). Visibility
(NOTES "Visibility"):

| visibility | owner | other applications |
| --- | --- | --- |
| `VISIBILITY_HIDDEN` (default) | everything | nothing: not listed, not found |
| `VISIBILITY_READ_ONLY` | everything | read the definition and values |
| `VISIBILITY_READ_WRITE_VALUES` | everything | read; upsert and delete values |

Only the owner updates or deletes a definition. **Defaults** where Square is silent: a
definition the caller may not see answers 404 `NOT_FOUND` as if absent; a change it may
not make answers 403 `FORBIDDEN`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from .errors import AUTHENTICATION, ApiError, not_found

if TYPE_CHECKING:
    from .store_attributes import AttributeTables, Record

SELLER = "square"
"""The owner of the seller's own custom fields (their keys read `square:…`)."""
HIDDEN = "VISIBILITY_HIDDEN"
READ_ONLY = "VISIBILITY_READ_ONLY"
READ_WRITE_VALUES = "VISIBILITY_READ_WRITE_VALUES"
VISIBILITIES = frozenset({HIDDEN, READ_ONLY, READ_WRITE_VALUES})

SIMPLE_KEY = re.compile(r"[a-zA-Z0-9._-]{1,60}")
_KEY = re.compile(r"(?:([a-zA-Z0-9._-]+):)?([a-zA-Z0-9._-]{1,60})")


def owner_and_key(text: str, app: str) -> tuple[str, str] | None:
    """(owner, simple key) a caller's key names: `owner:key`, or its own `key`; None when
    the text is no key at all."""
    match = _KEY.fullmatch(text)
    if match is None:
        return None
    return (match.group(1) or app, match.group(2))


def visible(definition: Record, app: str) -> bool:
    return bool(definition["owner"] == app or definition.get("visibility", HIDDEN) != HIDDEN)


def values_writable(definition: Record, app: str) -> bool:
    return bool(definition["owner"] == app or definition.get("visibility") == READ_WRITE_VALUES)


def shown_key(definition: Record, app: str) -> str:
    """The key as this caller sees it: simple for the owner, else qualified."""
    owner, key = definition["owner"], definition["key"]
    return str(key) if owner == app else f"{owner}:{key}"


def forbidden(detail: str, field: str | None = "key") -> ApiError:
    # Default (NOTES: UNDOCUMENTED): 403 FORBIDDEN for a change only the owner may make.
    return ApiError(403, AUTHENTICATION, "FORBIDDEN", detail, field)


def definition_not_found(text: str, field: str = "key") -> ApiError:
    return not_found(f"Custom attribute definition with key `{text[:100]}` not found.", field)


def find_definition(store: AttributeTables, app: str, text: str, field: str = "key") -> Record:
    """The definition `text` names for this caller, else 404 (hidden ones included)."""
    names = owner_and_key(text, app)
    definition = store.get_definition(*names) if names else None
    if definition is None or not visible(definition, app):
        raise definition_not_found(text, field)
    return definition


def visible_definitions(store: AttributeTables, app: str) -> list[Record]:
    """The definitions this caller sees, oldest first."""
    return [d for d in store.list_definitions() if visible(d, app)]


def definition_json(definition: Record, app: str) -> dict[str, Any]:
    """A `CustomAttributeDefinition` as Square answers it (empty values left out)."""
    out: dict[str, Any] = {"key": shown_key(definition, app), "schema": definition["schema"]}
    for name in ("name", "description"):
        if definition.get(name):
            out[name] = definition[name]
    out["visibility"] = definition.get("visibility", HIDDEN)
    out["version"] = definition["version"]
    out["updated_at"] = definition["updated_at"]
    out["created_at"] = definition["created_at"]
    return out


def attribute_json(
    value: Record, definition: Record, app: str, *, with_definition: bool = False
) -> dict[str, Any]:
    """A `CustomAttribute` as Square answers it; `visibility` is the definition's now."""
    out: dict[str, Any] = {
        "key": shown_key(definition, app),
        "value": value["value"],
        "version": value["version"],
        "visibility": definition.get("visibility", HIDDEN),
    }
    if with_definition:
        out["definition"] = definition_json(definition, app)
    out["updated_at"] = value["updated_at"]
    out["created_at"] = value["created_at"]
    return out
