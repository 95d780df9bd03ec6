"""The search bar's language, parsed without a server."""

from __future__ import annotations

import pytest

from app.directory.query import QueryError, parse_query


def test_plain_words() -> None:
    q = parse_query("  Ada LOV ")
    assert (q.kind, q.words, q.filter) == ("words", ["ada", "lov"], {})
    assert not q.has_operators
    assert parse_query("").kind == "empty"
    assert parse_query("  ,, ").kind == "empty"


def test_email_phone_and_id_look_alikes() -> None:
    q = parse_query("Ada@Example.com")
    assert (q.kind, q.exact_email) == ("email", "ada@example.com")
    assert parse_query("ada@exa").exact_email is None
    q = parse_query("+1 (206) 222-3333")
    assert (q.kind, q.words, q.exact_phone) == ("phone", ["12062223333"], "2062223333")
    q = parse_query("3333")
    assert (q.kind, q.words, q.exact_phone) == ("phone", ["3333"], None)
    q = parse_query("jdkyhbwt1d4f8mfh63dbmen8y4")
    assert (q.kind, q.exact_id) == ("id", "JDKYHBWT1D4F8MFH63DBMEN8Y4")


def test_operators_map_to_filters() -> None:
    q = parse_query("ada email:gmail.com phone:415 ref:NYC_M source:directory,import")
    assert q.words == ["ada"]
    assert q.filter == {
        "email_address": {"fuzzy": "gmail com"},
        "phone_number": {"fuzzy": "415"},
        "reference_id": {"fuzzy": "NYC M"},
        "creation_source": {"values": ["DIRECTORY", "IMPORT"], "rule": "INCLUDE"},
    }
    assert parse_query("-source:third-party").filter["creation_source"] == {
        "values": ["THIRD_PARTY"],
        "rule": "EXCLUDE",
    }


def test_groups_and_segments_keep_names_for_later() -> None:
    q = parse_query('group:VIP -group:"Staff & Family" segment:Loyal')
    assert q.groups == {"all": ["VIP"], "none": ["Staff & Family"]}
    assert q.segments == {"all": ["Loyal"]}
    assert q.has_operators and q.kind == "empty"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("created:>2024-01-01", "2024-01-02T00:00:00.000Z", None),
        ("created:>=2024-01-01", "2024-01-01T00:00:00.000Z", None),
        ("created:<2024-01-01", None, "2024-01-01T00:00:00.000Z"),
        ("created:<=2024-02", None, "2024-03-01T00:00:00.000Z"),
        ("created:2024", "2024-01-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"),
        ("created:2024-12", "2024-12-01T00:00:00.000Z", "2025-01-01T00:00:00.000Z"),
        ("created:2024-01..2024-03", "2024-01-01T00:00:00.000Z", "2024-04-01T00:00:00.000Z"),
        (
            "created:>2024-01-01 created:<2024-06-01",
            "2024-01-02T00:00:00.000Z",
            "2024-06-01T00:00:00.000Z",
        ),
        ("created:>2024-05-01T10:00:00Z", "2024-05-01T10:00:00.001Z", None),
    ],
)
def test_dates(text: str, start: str | None, end: str | None) -> None:
    span = parse_query(text).filter["created_at"]
    assert span.get("start_at") == start
    assert span.get("end_at") == end


def test_updated_operator() -> None:
    assert parse_query("updated:>=2025-06-01").filter == {
        "updated_at": {"start_at": "2025-06-01T00:00:00.000Z"}
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("created:>soon", "created: expects a date"),
        ("created:2024-13-01", "created: expects a date"),
        ("updated:<yesterday", "updated: expects a date"),
        ("created:>2025-01-01 created:<2024-01-01", "date range is empty"),
        ("source:martian", "unknown creation source 'martian'"),
        ("phone:abc", "phone: needs digits"),
        ("phone:415abc", "phone: expects digits"),
        ("email:@@", "email: needs letters or digits"),
        ("-email:gmail", "only group:, segment: and source: can be negated"),
    ],
)
def test_malformed_operators(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(text)


def test_unknown_keys_are_words_and_empty_operators_are_ignored() -> None:
    q = parse_query("re:invoice email:")
    assert q.words == ["invoice", "re"]
    assert not q.has_operators


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("", False),
        ("ada lov", False),
        ("O'Connor", False),
        ("ada@exa", True),
        ("+1 206 222", True),
        ("3333", True),
        ("jdkyhbwt1d4f8mfh63dbmen8y4", True),
        ("email:gmail", True),
        ("ada group:VIP", True),
        ("-source:import", True),
        ("created:>2024-01-01", True),
    ],
)
def test_which_queries_ask_square(text: str, asks: bool) -> None:
    assert parse_query(text).asks_square is asks
