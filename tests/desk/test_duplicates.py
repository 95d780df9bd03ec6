"""Duplicates against the emulator's demo: a warning for each rule, none for a stranger,
and the finder's groups on the seeded duplicate families."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.desk.duplicate_groups import NAME_BLOCK_LIMIT
from app.desk.duplicate_keys import close_names, phone_key, within_edits
from app.desk.duplicates import (
    DuplicateGroup,
    all_customers,
    find_duplicates,
    find_matches,
    group_duplicates,
)
from app.square import Address, Customer, CustomerFields
from tests.desk.conftest import CountedSession


@pytest.fixture
async def loaded(session: CountedSession) -> CountedSession:
    await session.directory.load()
    return session


def names(matches: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(m.customer.display_name for m in matches)


async def test_the_issue_case_warns_of_jose_alvarez(loaded: CountedSession) -> None:
    fields = CustomerFields(
        given_name="Jose",
        family_name="Alvarez",
        email_address="jose.alvarez@gmail.com",
        phone_number="4152121200",
    )
    matches = await find_matches(fields, loaded.directory)
    assert [m.customer.display_name for m in matches] == ["José Álvarez"]
    assert matches[0].rules == ("email", "phone")
    assert matches[0].reason == "same email, same phone"


async def test_the_same_email_in_another_case_and_spacing(loaded: CountedSession) -> None:
    fields = CustomerFields(given_name="Peggy", email_address="  MARGARET.WHITFIELD@gmail.com ")
    matches = await find_matches(fields, loaded.directory)
    assert names(matches) == ["Margaret Whitfield", "Margaret Whitfield"]
    assert {m.rules for m in matches} == {("email",)}


async def test_the_same_phone_in_another_format(loaded: CountedSession) -> None:
    matches = await find_matches(CustomerFields(phone_number="312 448 2290"), loaded.directory)
    assert names(matches) == ["Daniel Okafor", "Daniel Okafor"]
    assert {m.rules for m in matches} == {("phone",)}


async def test_the_same_reference_id(loaded: CountedSession) -> None:
    everyone = await all_customers(loaded.directory)
    holder = next(c for c in everyone if c.reference_id)
    fields = CustomerFields(given_name="Someone", reference_id=holder.reference_id)
    matches = await find_matches(fields, loaded.directory)
    assert holder.id in {m.customer.id for m in matches}
    assert all("reference" in m.rules for m in matches)


async def test_a_nickname_with_the_same_company(loaded: CountedSession) -> None:
    fields = CustomerFields(given_name="Dan", family_name="Okafor", company_name="okafor design")
    matches = await find_matches(fields, loaded.directory)
    assert [(m.customer.display_name, m.rules) for m in matches] == [
        ("Daniel Okafor", ("name+company",))
    ]


async def test_a_typo_with_the_same_birthday(loaded: CountedSession) -> None:
    fields = CustomerFields(given_name="Rosalynd", family_name="Delgado", birthday="1990-11-23")
    matches = await find_matches(fields, loaded.directory)
    assert names(matches) == ["Rosalind Delgado", "Rosalind Delgato"]
    assert {m.rules for m in matches} == {("name+birthday",)}


async def test_a_nickname_and_a_typo_with_the_same_postal_code(loaded: CountedSession) -> None:
    fields = CustomerFields(
        given_name="Jimmy", family_name="Kowalsky", address=Address(postal_code="94 110")
    )
    matches = await find_matches(fields, loaded.directory)
    assert names(matches) == ["James Kowalski", "Jim Kowalski"]
    assert {m.rules for m in matches} == {("name+postal",)}


async def test_a_distinct_customer_and_a_bare_name_warn_of_nobody(loaded: CountedSession) -> None:
    stranger = CustomerFields(
        given_name="Zebulon",
        family_name="Quartermaine",
        email_address="zq@nowhere.test",
        phone_number="(971) 555-0199",
        birthday="1990-11-23",
        address=Address(postal_code="94110"),
    )
    assert await find_matches(stranger, loaded.directory) == []
    # the same name alone says nothing: a namesake is not a duplicate
    namesake = CustomerFields(given_name="Margaret", family_name="Whitfield")
    assert await find_matches(namesake, loaded.directory) == []


async def test_a_profile_is_not_its_own_duplicate(loaded: CountedSession) -> None:
    everyone = await all_customers(loaded.directory)
    jose = next(c for c in everyone if c.family_name == "Álvarez")
    assert await find_matches(jose, loaded.directory) == []
    liz = next(c for c in everyone if c.given_name == "Liz")
    # Liz shares nothing with Elizabeth Harington directly (the finder ties them through
    # Elizabeth Harrington, who shares her phone)
    assert names(await find_matches(liz, loaded.directory)) == ["Elizabeth Harrington"]


async def test_the_finder_groups_the_seeded_families_strongest_first(
    loaded: CountedSession,
) -> None:
    groups = group_duplicates(await all_customers(loaded.directory))
    found = [(g.strength, sorted(c.display_name for c in g.customers)) for g in groups]
    assert found == [
        (100, ["Elizabeth Harington", "Elizabeth Harrington", "Liz Harrington"]),
        (100, ["Margaret Whitfield", "Margaret Whitfield"]),
        (90, ["Daniel Okafor", "Daniel Okafor"]),
        (60, ["Rosalind Delgado", "Rosalind Delgato"]),
        (50, ["James Kowalski", "Jim Kowalski"]),
    ]
    assert groups[0].rules == ("email", "phone", "name+postal")
    assert groups[-1].reason == "similar name, same postal code"


def shape(groups: list[DuplicateGroup]) -> list[tuple[tuple[str, ...], list[str]]]:
    return [(g.rules, [c.id for c in g.customers]) for g in groups]


async def test_the_finder_reads_the_store_and_finds_the_same_groups(
    loaded: CountedSession,
) -> None:
    # what the screen and the CLI run: the rules' fields from the directory's store
    from_store = await find_duplicates(loaded.directory)
    from_models = group_duplicates(await all_customers(loaded.directory))
    assert shape(from_store) == shape(from_models)
    assert [g.to_json() for g in from_store] == [g.to_json() for g in from_models]
    assert [sorted(c.display_name for c in g.customers) for g in from_store][:2] == [
        ["Elizabeth Harington", "Elizabeth Harrington", "Liz Harrington"],
        ["Margaret Whitfield", "Margaret Whitfield"],
    ]
    # the oldest profile first in each group
    for group in from_store:
        created = [c.created_at for c in group.customers]
        assert created == sorted(created)  # type: ignore[type-var]


async def test_the_finder_sees_a_new_duplicate_and_forgets_a_deleted_one(
    loaded: CountedSession,
) -> None:
    directory = loaded.directory
    before = await find_duplicates(directory)
    okafor = next(g for g in before if g.rules == ("phone",) and len(g.customers) == 2)
    gone = okafor.customers[1]
    directory.remove(gone.id)
    stranger = next(
        c for c in await all_customers(directory) if c.email_address and c.id != gone.id
    )
    twin = Customer(
        id="TWIN0001",
        version=1,
        given_name="Someone",
        family_name="Else",
        email_address=stranger.email_address.upper(),  # type: ignore[union-attr]
        created_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    directory.apply(twin)
    after = await find_duplicates(directory)
    assert gone.id not in {c.id for g in after for c in g.customers}
    new = [g for g in after if twin.id in {c.id for c in g.customers}]
    assert shape(new) == [(("email",), [stranger.id, twin.id])]
    assert shape(after) == shape(group_duplicates(await all_customers(directory)))


def person(n: int, given: str, family: str, **fields: Any) -> Customer:
    return Customer(
        id=f"P{n:04d}",
        version=1,
        given_name=given,
        family_name=family,
        created_at=datetime(2020, 1, 1, tzinfo=UTC) + timedelta(days=n),
        **fields,
    )


def test_equally_strong_rules_keep_the_order_of_the_rules() -> None:
    a = person(1, "Robert", "Smith", company_name="Acme", birthday="1980-02-03")
    b = person(2, "Bob", "Smith", company_name="ACME", birthday="1980-02-03")
    for people in ([a, b], [b, a]):
        (group,) = group_duplicates(people)
        assert group.rules == ("name+company", "name+birthday")
        assert [c.id for c in group.customers] == ["P0001", "P0002"]  # oldest first


def test_a_name_block_too_big_to_compare_is_passed_over() -> None:
    rng = random.Random(5)
    givens = sorted({"".join(rng.choice("bcdfgkmnprstvz") for _ in range(7)) for _ in range(400)})
    givens = [g for g in givens if not any(within_edits(g, h, 1) for h in givens if h != g)]
    here = Address(postal_code="94110")
    crowd = [
        person(n, given, "Nguyen", address=here)
        for n, given in enumerate(givens[: NAME_BLOCK_LIMIT + 1])
    ]
    assert len(crowd) == NAME_BLOCK_LIMIT + 1
    seventh = crowd[7].given_name or ""
    typo = person(900, seventh[:-1] + "a", "Nguyen", address=here)  # one typo away
    # the pair shares only the family block (Nguyen, 94110), over the limit: passed over
    assert group_duplicates([*crowd, typo]) == []
    # at the limit: compared, and found
    smaller = crowd[: NAME_BLOCK_LIMIT - 1]
    assert [c.id for g in group_duplicates([*smaller, typo]) for c in g.customers] == [
        "P0007",
        "P0900",
    ]
    # a typo in the family name shares a given-name block of two: found beside the crowd
    other = person(901, seventh, "Nguyem", address=here)
    assert [c.id for g in group_duplicates([*crowd, other]) for c in g.customers] == [
        "P0007",
        "P0901",
    ]


def test_within_edits_is_the_edit_distance() -> None:
    def distance(a: str, b: str) -> int:
        previous = list(range(len(b) + 1))
        for i, x in enumerate(a, 1):
            current = [i]
            for j, y in enumerate(b, 1):
                current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
            previous = current
        return previous[-1]

    rng = random.Random(11)
    for _ in range(3000):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(0, 8)))
        b = "".join(rng.choice("abc") for _ in range(rng.randint(0, 8)))
        for limit in (0, 1, 2):
            assert within_edits(a, b, limit) is (distance(a, b) <= limit), (a, b, limit)


def test_keys() -> None:
    assert phone_key("(415) 212-1200") == phone_key("+1 415.212.1200") == "+14152121200"
    assert phone_key("020 7946 0018", "GB") == phone_key("+44 20 7946 0018") == "+442079460018"
    assert phone_key("not a phone") == ""
    assert within_edits("delgado", "delgato", 1) and not within_edits("delgado", "dorado", 1)
    assert close_names("Bob", "Smith", "Robert", "Smyth")
    assert not close_names("Bob", "Smith", "Alice", "Smith")
