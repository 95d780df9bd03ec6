"""Refusals of hostile input as Square's SDK sees them: typed `ApiError`s with codes of
Square's `ErrorCode` enum, answers that fit the spec (issue 8, point 3)."""

from __future__ import annotations

from square import Square

from app.emulator import guard, limits

from .conftest import NO_RETRY, expect_error, new_customer, some, unique


def test_a_note_over_the_limit_is_value_too_long(square: Square) -> None:
    too_long = "n" * (limits.NOTE_MAX + 1)
    expect_error(
        lambda: square.customers.create(given_name=unique("Note"), note=too_long),
        400,
        "VALUE_TOO_LONG",
        field="note",
    )
    customer = new_customer(square, note="n" * limits.NOTE_MAX)
    assert customer.note == "n" * limits.NOTE_MAX
    expect_error(
        lambda: square.customers.update(customer_id=some(customer.id), note=too_long),
        400,
        "VALUE_TOO_LONG",
        field="note",
    )
    again = some(square.customers.get(customer_id=some(customer.id)).customer)
    assert again.note == "n" * limits.NOTE_MAX and again.version == customer.version


def test_a_body_over_the_cap_is_request_entity_too_large(square: Square) -> None:
    expect_error(
        lambda: square.customers.create(
            given_name=unique("Big"), note="x" * guard.BODY_MAX, request_options=NO_RETRY
        ),
        413,
        "REQUEST_ENTITY_TOO_LARGE",
    )


def test_timestamps_past_the_calendar_edge_are_invalid_time(square: Square) -> None:
    for moment in ("0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"):

        def search_from(moment: str = moment) -> object:
            return square.customers.search(query={"filter": {"created_at": {"start_at": moment}}})

        expect_error(
            search_from,
            400,
            "INVALID_TIME",
            field="query.filter.created_at.start_at",
        )


def test_a_huge_limit_is_refused(square: Square) -> None:
    expect_error(lambda: square.customers.list(limit=10**40), 400, "VALUE_TOO_HIGH", field="limit")
    expect_error(lambda: square.customers.search(limit=10**40), 400, "BAD_REQUEST")


def test_a_group_name_over_the_limit(square: Square) -> None:
    expect_error(
        lambda: square.customers.groups.create(group={"name": "g" * (limits.GROUP_NAME_MAX + 1)}),
        400,
        "VALUE_TOO_LONG",
        field="group.name",
    )


def test_a_bulk_entry_over_a_limit_fails_alone(square: Square) -> None:
    kept = new_customer(square)
    answer = square.customers.bulk_update_customers(
        customers={some(kept.id): {"note": "n" * (limits.NOTE_MAX + 1)}}
    )
    (entry,) = some(answer.responses).values()
    assert entry.customer is None
    (error,) = some(entry.errors)
    assert (error.code, error.category) == ("VALUE_TOO_LONG", "INVALID_REQUEST_ERROR")
