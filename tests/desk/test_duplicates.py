"""Duplicates against the emulator's demo: a warning for each rule, none for a stranger,
and the finder's groups on the seeded duplicate families."""

from __future__ import annotations

import pytest

from app.desk.duplicate_keys import close_names, phone_key, within_edits
from app.desk.duplicates import all_customers, find_matches, group_duplicates
from app.square import Address, CustomerFields
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


def test_keys() -> None:
    assert phone_key("(415) 212-1200") == phone_key("+1 415.212.1200") == "+14152121200"
    assert phone_key("020 7946 0018", "GB") == phone_key("+44 20 7946 0018") == "+442079460018"
    assert phone_key("not a phone") == ""
    assert within_edits("delgado", "delgato", 1) and not within_edits("delgado", "dorado", 1)
    assert close_names("Bob", "Smith", "Robert", "Smyth")
    assert not close_names("Bob", "Smith", "Alice", "Smith")
