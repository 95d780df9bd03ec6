"""SearchCustomers' query: what it may ask for (`Query`), and its parsing from a request.

`parse_search_query` validates the request's `query` (already type-checked against
`shapes.SEARCH_CUSTOMERS`) into a `Query`, which the replica answers (`replica.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import APPLICATION_ID
from .attribute_filter import customers_matching
from .errors import bad_request
from .limits import FILTER_TEXT_MAX, SEGMENT_FILTER_MAX
from .validation import check_max, parse_time

if TYPE_CHECKING:
    from .store import Store

Key = tuple[str, str]
"""A position in an ordering: (sort key or created_at, customer id)."""
Body = dict[str, Any]


@dataclass
class TextFilter:
    exact: str | None = None
    fuzzy: str | None = None


@dataclass
class Query:
    """A parsed, validated SearchCustomers query (or ListCustomers' sort)."""

    email: TextFilter | None = None
    phone: TextFilter | None = None
    reference: TextFilter | None = None
    sources: frozenset[str] | None = None
    source_rule: str = "INCLUDE"
    created: tuple[str | None, str | None] | None = None
    updated: tuple[str | None, str | None] | None = None
    groups_any: frozenset[str] | None = None
    groups_all: frozenset[str] | None = None
    groups_none: frozenset[str] | None = None
    segments_any: frozenset[str] | None = None
    segments_all: frozenset[str] | None = None
    segments_none: frozenset[str] | None = None
    custom_ids: frozenset[str] | None = None
    """The customers the `custom_attribute` filters match (None: no such filter)."""
    sort_field: str = "DEFAULT"
    descending: bool = False
    empty: bool = False  # known to match nothing (e.g. an unparsable exact phone)

    def has_filter(self) -> bool:
        return any(
            v is not None
            for v in (
                self.email,
                self.phone,
                self.reference,
                self.sources,
                self.created,
                self.updated,
                self.groups_any,
                self.groups_all,
                self.groups_none,
                self.segments_any,
                self.segments_all,
                self.segments_none,
                self.custom_ids,
            )
        )


def _text_filter(raw: Body | None, path: str) -> TextFilter | None:
    if not raw:
        return None
    exact, fuzzy = raw.get("exact"), raw.get("fuzzy")
    if exact is not None and fuzzy is not None:
        raise bad_request(
            "BAD_REQUEST", f"Only one of `exact` and `fuzzy` may be set in `{path}`.", path
        )
    if exact is None and fuzzy is None:
        return None
    check_max(exact, FILTER_TEXT_MAX, f"{path}.exact")
    check_max(fuzzy, FILTER_TEXT_MAX, f"{path}.fuzzy")
    return TextFilter(exact=exact, fuzzy=fuzzy)


def _time_range(raw: Body | None, path: str) -> tuple[str | None, str | None] | None:
    if not raw:
        return None
    start = raw.get("start_at")
    end = raw.get("end_at")
    lo = parse_time(start, f"{path}.start_at") if start else None
    hi = parse_time(end, f"{path}.end_at") if end else None
    if lo is not None and hi is not None and hi < lo:
        raise bad_request(
            "INVALID_TIME_RANGE", f"`{path}.end_at` is before `{path}.start_at`.", path
        )
    if lo is None and hi is None:
        return None
    return (lo, hi)


def parse_search_query(store: Store, raw: Body, app: str = APPLICATION_ID) -> Query:
    """Validate SearchCustomers' `query` (already type-checked) into a `Query`; `app` is
    the caller's application (which custom attributes it may filter on)."""
    flt: Body = raw.get("filter") or {}
    sort: Body = raw.get("sort") or {}
    base = "query.filter"
    query = Query(
        email=_text_filter(flt.get("email_address"), f"{base}.email_address"),
        phone=_text_filter(flt.get("phone_number"), f"{base}.phone_number"),
        reference=_text_filter(flt.get("reference_id"), f"{base}.reference_id"),
        created=_time_range(flt.get("created_at"), f"{base}.created_at"),
        updated=_time_range(flt.get("updated_at"), f"{base}.updated_at"),
        sort_field=sort.get("field") or "DEFAULT",
        descending=(sort.get("order") or "ASC") == "DESC",
    )
    source = flt.get("creation_source")
    if source and source.get("values"):
        query.sources = frozenset(source["values"])
        query.source_rule = source.get("rule") or "INCLUDE"
    custom = flt.get("custom_attribute")
    if custom and custom.get("filters"):
        query.custom_ids = customers_matching(store, custom, app, f"{base}.custom_attribute")
    groups = flt.get("group_ids")
    if groups:
        known = {g["id"] for g in store.list_groups()}
        for part in ("any", "all", "none"):
            ids = groups.get(part)
            if ids is None:
                continue
            if any(i not in known for i in ids):
                query.empty = True  # unknown group ids: an empty result, not an error
            setattr(query, f"groups_{part}", frozenset(ids))
    segments = flt.get("segment_ids")
    if segments:
        # Up to three segment ids in the whole filter, in any mix of all / any / none.
        given = sum(len(segments.get(part) or ()) for part in ("any", "all", "none"))
        if given > SEGMENT_FILTER_MAX:
            raise bad_request(
                "ARRAY_LENGTH_TOO_LONG",
                f"`{base}.segment_ids` may hold at most {SEGMENT_FILTER_MAX} segment "
                f"ids in all, `any`, `all` and `none` together ({given} given).",
                f"{base}.segment_ids",
            )
        for part in ("any", "all", "none"):
            ids = segments.get(part)
            if ids is None:
                continue
            path = f"{base}.segment_ids.{part}"
            for segment_id in ids:
                if store.get_segment(segment_id) is None:
                    raise bad_request(
                        "BAD_REQUEST", f"Segment with ID `{segment_id}` was not found.", path
                    )
            setattr(query, f"segments_{part}", frozenset(ids))
    if query.email and query.email.exact is not None and not query.email.exact.strip():
        query.empty = True
    return query
