"""Every field problem of an edit at once, before any request; the rest of a Customer saved."""

from __future__ import annotations

from datetime import date

from app.desk.edits import ProfileEdit
from app.desk.save import Saved, save_customer
from app.square import Customer, SquareService
from tests.desk.conftest import CountedSession

TODAY = date(2026, 11, 26)


def test_three_bad_fields_are_three_problems() -> None:
    edit = ProfileEdit.of(
        Customer(id="C1", given_name="Ada"),
        {"email_address": "ada@@example", "phone_number": "12", "birthday": "2030-01-01"},
    )
    problems = edit.problems(TODAY)
    assert set(problems) == {"email_address", "phone_number", "birthday"}
    assert "future" in problems["birthday"]


def test_dates_lengths_tax_ids_and_country() -> None:
    base = Customer(id="C1")
    assert ProfileEdit.of(base, {"birthday": "02-30"}).problems(TODAY) == {
        "birthday": "Not a real date: YYYY-MM-DD, or MM-DD without the year."
    }
    assert not ProfileEdit.of(base, {"birthday": "02-29"}).problems(TODAY)
    assert not ProfileEdit.of(base, {"birthday": "1990-07-04"}).problems(TODAY)
    assert set(ProfileEdit.of(base, {"nickname": "n" * 101}).problems(TODAY)) == {"nickname"}
    assert set(ProfileEdit.of(base, {"eu_vat": "IE-123"}).problems(TODAY)) == {"eu_vat"}
    assert set(ProfileEdit.of(base, {"country": "Ireland"}).problems(TODAY)) == {"country"}
    assert not ProfileEdit.of(base, {"phone_number": "+44 20 7946 0958"}).problems(TODAY)
    assert not ProfileEdit.of(base, {"email_address": "grace@lost.test"}).problems(TODAY)


async def test_the_rest_of_the_address_and_the_vat_number_are_saved(
    session: CountedSession, elsewhere: SquareService
) -> None:
    customer = (await elsewhere.list_customers(limit=1)).customers[0]
    base = await session.service.retrieve_customer(customer.id)
    changes = {
        "address_line_1": "1 Grand Canal Sq",
        "address_line_3": "Docklands",
        "sublocality": "Ringsend",
        "administrative_district_level_2": "Dublin City",
        "administrative_district_level_3": "Leinster",
        "country": "ie",
        "eu_vat": "ie 1234567fa",
    }
    result = await save_customer(session, ProfileEdit.of(base, changes))
    assert isinstance(result, Saved)
    stored = await elsewhere.retrieve_customer(customer.id)
    assert stored.address is not None and stored.tax_ids is not None
    assert stored.address.address_line_3 == "Docklands"
    assert stored.address.sublocality == "Ringsend"
    assert stored.address.administrative_district_level_2 == "Dublin City"
    assert stored.address.administrative_district_level_3 == "Leinster"
    assert stored.tax_ids.eu_vat == "IE1234567FA"
    cleared = await save_customer(session, ProfileEdit.of(result.customer, {"eu_vat": ""}))
    assert isinstance(cleared, Saved)
    again = await elsewhere.retrieve_customer(customer.id)
    assert again.tax_ids is None or not again.tax_ids.eu_vat
