"""SearchCustomers through the SDK: every filter, sorting, cursors, count, errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import phonenumbers
import pytest
from square import Square
from square.types.customer import Customer

from .conftest import expect_error, new_customer, some, unique
from .openapi import WireChecker


@dataclass
class Cohort:
    """Customers made for this module, all findable by the fuzzy reference `tag`."""

    tag: str
    people: list[Customer]
    group_a: str
    group_b: str

    def ids(self, *indexes: int) -> list[str]:
        return [some(self.people[i].id) for i in indexes]


@pytest.fixture(scope="module")
def cohort(square: Square) -> Cohort:
    tag = unique("srch")
    specs: list[dict[str, Any]] = [
        {
            "given_name": "Steven",
            "family_name": "Johnson",
            "email_address": f"steven.johnson.{tag}@gmail.com",
            "phone_number": "+1-415-212-1200",
            "reference_id": f"NYC_M_35_JOHNSON_{tag}",
        },
        {
            "given_name": "Ada",
            "family_name": "Byron",
            "email_address": f"mygmail.{tag}@stevensbakery.com",
            "phone_number": "+1-212-415-1234",
            "reference_id": f"NYC_F_20_BYRON_{tag}",
        },
        {
            "company_name": "Zeta Supplies",
            "email_address": f"orders.{tag}@zeta.example",
            "phone_number": "+1 (551) 234-1567",
            "reference_id": f"SFO_X_99_ZETA_{tag}",
        },
        {"given_name": "Björn", "family_name": "Åberg", "reference_id": f"LON_M_41_ABERG_{tag}"},
        {"given_name": "carla", "family_name": "diaz", "reference_id": f"MAD_F_33_DIAZ_{tag}"},
    ]
    people = [new_customer(square, **spec) for spec in specs]
    group_a = some(square.customers.groups.create(group={"name": unique("GroupA")}).group)
    group_b = some(square.customers.groups.create(group={"name": unique("GroupB")}).group)
    for index in (0, 1):
        square.customers.groups.add(customer_id=some(people[index].id), group_id=some(group_a.id))
    square.customers.groups.add(customer_id=some(people[1].id), group_id=some(group_b.id))
    return Cohort(tag, people, some(group_a.id), some(group_b.id))


def _ids(square: Square, flt: dict[str, Any], **kwargs: Any) -> list[str]:
    """Ids of every match, across pages."""
    query: dict[str, Any] = {"filter": flt, **kwargs.pop("query", {})}
    ids: list[str] = []
    cursor: str | None = None
    while True:
        page = square.customers.search(query=query, cursor=cursor, limit=100, **kwargs)
        ids.extend(some(c.id) for c in page.customers or [])
        cursor = page.cursor
        if cursor is None:
            return ids


def _mine(cohort: Cohort, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"reference_id": {"fuzzy": cohort.tag}, **(extra or {})}


def test_fuzzy_reference_finds_the_cohort_in_default_order(square: Square, cohort: Cohort) -> None:
    # DEFAULT: given + family name (accents and case aside), then company
    assert _ids(square, _mine(cohort)) == cohort.ids(1, 3, 4, 0, 2)
    # every token, any order, punctuation dropped: `NYC M` finds NYC_M_35_JOHNSON
    assert _ids(square, {"reference_id": {"fuzzy": f"{cohort.tag} NYC M"}}) == cohort.ids(0)
    assert _ids(square, {"reference_id": {"fuzzy": f"m nyc {cohort.tag}"}}) == cohort.ids(0)


def test_exact_reference(square: Square, cohort: Cohort) -> None:
    ref = some(cohort.people[2].reference_id)
    assert _ids(square, {"reference_id": {"exact": ref}}) == cohort.ids(2)
    assert _ids(square, {"reference_id": {"exact": ref[:-1]}}) == []


def test_email_filters(square: Square, cohort: Cohort) -> None:
    email = some(cohort.people[0].email_address)
    assert _ids(square, {"email_address": {"exact": email.upper()}}) == cohort.ids(0)
    # fuzzy: `Steven gmail` finds steven.johnson@gmail.com and mygmail@stevensbakery.com
    fuzzy = {"email_address": {"fuzzy": f"Steven gmail {cohort.tag}"}}
    assert _ids(square, fuzzy) == cohort.ids(1, 0)
    assert _ids(square, {"email_address": {"fuzzy": f"{cohort.tag} zeta"}}) == cohort.ids(2)


def test_phone_filters(square: Square, cohort: Cohort) -> None:
    # exact: an E.164 query (or a variation of one) against stored numbers in E.164
    for query in ("+14152121200", "+1 (415) 212-1200"):
        found = _ids(square, {"phone_number": {"exact": query}})
        assert some(cohort.people[0].id) in found
        for cid in found:
            stored = some(some(square.customers.get(customer_id=cid).customer).phone_number)
            number = phonenumbers.parse(stored, None if stored.startswith("+") else "US")
            assert phonenumbers.format_number(number, 0) == "+14152121200"
    # fuzzy: every digit token appears somewhere in the number, any order
    assert _ids(square, _mine(cohort, {"phone_number": {"fuzzy": "415"}})) == cohort.ids(1, 0, 2)
    assert _ids(square, _mine(cohort, {"phone_number": {"fuzzy": "415 123"}})) == cohort.ids(1, 2)


def test_creation_source(square: Square, cohort: Cohort) -> None:
    include = {"creation_source": {"values": ["THIRD_PARTY"], "rule": "INCLUDE"}}
    exclude = {"creation_source": {"values": ["THIRD_PARTY"], "rule": "EXCLUDE"}}
    assert len(_ids(square, _mine(cohort, include))) == 5
    assert _ids(square, _mine(cohort, exclude)) == []
    seeded = _ids(square, {"creation_source": {"values": ["DIRECTORY", "IMPORT"]}})
    for cid in seeded[:5]:
        customer = some(square.customers.get(customer_id=cid).customer)
        assert customer.creation_source in ("DIRECTORY", "IMPORT")


def test_created_and_updated_at(square: Square, cohort: Cohort) -> None:
    first, last = cohort.people[0], cohort.people[-1]
    start, end = some(first.created_at), some(last.created_at)
    created = _ids(square, _mine(cohort, {"created_at": {"start_at": start}}))
    assert set(created) == set(cohort.ids(0, 1, 2, 3, 4))  # start inclusive
    before_last = _ids(square, _mine(cohort, {"created_at": {"start_at": start, "end_at": end}}))
    assert some(last.id) not in before_last  # end exclusive
    assert _ids(square, _mine(cohort, {"created_at": {"end_at": start}})) == []
    touched = some(
        square.customers.update(customer_id=some(cohort.people[3].id), note="touched").customer
    )
    recent = _ids(square, _mine(cohort, {"updated_at": {"start_at": some(touched.updated_at)}}))
    assert some(touched.id) in recent


def test_group_filters(square: Square, cohort: Cohort, checker: WireChecker) -> None:
    a, b = cohort.group_a, cohort.group_b
    assert _ids(square, _mine(cohort, {"group_ids": {"any": [a, b]}})) == cohort.ids(1, 0)
    assert _ids(square, _mine(cohort, {"group_ids": {"all": [a, b]}})) == cohort.ids(1)
    assert _ids(square, _mine(cohort, {"group_ids": {"none": [a]}})) == cohort.ids(3, 4, 2)
    both = {"group_ids": {"any": [a], "none": [b]}}
    assert _ids(square, _mine(cohort, both)) == cohort.ids(0)
    # an unknown group id: an empty result `{}`, not an error
    assert _ids(square, {"group_ids": {"any": ["NO_SUCH_GROUP"]}}) == []
    assert checker.last_body == {}


def test_segment_filters(square: Square) -> None:
    segments = [some(s.id) for s in square.customers.segments.list()]
    first = segments[0]
    page = square.customers.search(
        query={"filter": {"segment_ids": {"any": [first]}}}, limit=100, count=True
    )
    members = page.customers or []
    assert members and some(page.count) >= len(members)
    assert all(first in (c.segment_ids or []) for c in members)
    none = square.customers.search(
        query={"filter": {"segment_ids": {"none": [first]}}}, limit=100, count=True
    )
    total = some(square.customers.list(limit=1, count=True).response.count)
    assert some(page.count) + some(none.count) == total
    err = expect_error(
        lambda: square.customers.search(
            query={"filter": {"segment_ids": {"any": ["NO_SUCH_SEGMENT"]}}}
        ),
        400,
        "BAD_REQUEST",
    )
    assert "NO_SUCH_SEGMENT" in some(err.errors[0].detail)
    # up to three segment ids in the filter, in any combination of all / any / none
    four = {"all": segments[:2], "none": segments[2:4]}
    expect_error(
        lambda: square.customers.search(query={"filter": {"segment_ids": four}}),
        400,
        "ARRAY_LENGTH_TOO_LONG",
        field="query.filter.segment_ids",
    )


def test_sort_by_creation(square: Square, cohort: Cohort) -> None:
    asc = _ids(square, _mine(cohort), query={"sort": {"field": "CREATED_AT", "order": "ASC"}})
    desc = _ids(square, _mine(cohort), query={"sort": {"field": "CREATED_AT", "order": "DESC"}})
    assert asc == cohort.ids(0, 1, 2, 3, 4) and desc == asc[::-1]
    default_desc = _ids(square, _mine(cohort), query={"sort": {"order": "DESC"}})
    assert default_desc == cohort.ids(2, 0, 4, 3, 1)


def test_cursor_pages_and_count(square: Square, cohort: Cohort) -> None:
    query = {"filter": _mine(cohort)}
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = square.customers.search(query=query, limit=2, cursor=cursor, count=True)
        assert page.count == 5
        seen.extend(some(c.id) for c in some(page.customers))
        pages += 1
        cursor = page.cursor
        if cursor is None:
            break

        # a cursor only works with the query that made it
        def search_again(c: str = cursor) -> object:
            return square.customers.search(
                query={"filter": _mine(cohort), "sort": {"field": "CREATED_AT"}}, cursor=c
            )

        expect_error(
            search_again,
            400,
            "INVALID_CURSOR",
            field="cursor",
        )
    assert pages == 3 and seen == cohort.ids(1, 3, 4, 0, 2)
    expect_error(
        lambda: square.customers.search(query=query, cursor="garbage"),
        400,
        "INVALID_CURSOR",
        field="cursor",
    )
    # count without results: only the count
    square.customers.search(
        query={"filter": {"reference_id": {"exact": "no-such-reference"}}}, count=True
    )


def test_no_query_is_everyone_in_default_order(square: Square) -> None:
    listed = [some(c.id) for c in square.customers.list()]
    searched = _ids(square, {})
    assert searched == listed
    page = square.customers.search(limit=100, count=True)
    assert page.count == len(listed)


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        (
            {"filter": {"email_address": {"exact": "a@b.co", "fuzzy": "a"}}},
            "BAD_REQUEST",
            "query.filter.email_address",
        ),
        (
            {"filter": {"created_at": {"start_at": "yesterday"}}},
            "INVALID_TIME",
            "query.filter.created_at.start_at",
        ),
        (
            {
                "filter": {
                    "updated_at": {
                        "start_at": "2024-02-01T00:00:00Z",
                        "end_at": "2024-01-01T00:00:00Z",
                    }
                }
            },
            "INVALID_TIME_RANGE",
            "query.filter.updated_at",
        ),
        ({"sort": {"field": "NAME"}}, "INVALID_ENUM_VALUE", "query.sort.field"),
        (
            {"filter": {"creation_source": {"values": ["NOWHERE"]}}},
            "INVALID_ENUM_VALUE",
            "query.filter.creation_source.values[0]",
        ),
    ],
)
def test_bad_queries(square: Square, query: dict[str, Any], code: str, field: str) -> None:
    expect_error(lambda: square.customers.search(query=query), 400, code, field=field)


def test_bad_limits(square: Square) -> None:
    expect_error(lambda: square.customers.search(limit=0), 400, "VALUE_TOO_LOW", field="limit")
    expect_error(lambda: square.customers.search(limit=101), 400, "VALUE_TOO_HIGH", field="limit")
