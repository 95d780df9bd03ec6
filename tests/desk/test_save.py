"""Save with merge, against the emulator: every case of a change saved elsewhere meanwhile.

The agent's edit stands on the version they opened; "elsewhere" is another client saving
first. What the store holds afterwards is read back through that other client.
"""

from __future__ import annotations

from app.config import Settings
from app.desk.edits import ProfileEdit
from app.desk.outcomes import Gone, Refused, Rejected
from app.desk.save import Clashes, Saved, save_customer
from app.square import Address, Customer, CustomerFields, SquareService
from tests.desk.conftest import CountedSession, SessionMaker


async def with_address(service: SquareService) -> Customer:
    """A customer whose address has a first line, a city and a postal code."""
    async for customer in service.iter_customers():
        address = customer.address
        if address and address.address_line_1 and address.locality and address.postal_code:
            return customer
    raise AssertionError("the demo has no customer with a full address")


async def opened(session: CountedSession, elsewhere: SquareService) -> Customer:
    """The customer the agent opens (as the profile screen reads it)."""
    customer = await with_address(elsewhere)
    return await session.service.retrieve_customer(customer.id)


async def test_an_edit_nobody_else_touched_is_saved(
    session: CountedSession, elsewhere: SquareService
) -> None:
    base = await opened(session, elsewhere)
    result = await save_customer(session, ProfileEdit.of(base, {"note": "Prefers email."}))
    assert isinstance(result, Saved) and not result.merged
    stored = await elsewhere.retrieve_customer(base.id)
    assert stored.note == "Prefers email." and stored.version == base.version + 1
    assert stored.given_name == base.given_name
    assert session.directory.get(base.id) == result.customer  # searchable as saved


async def test_a_field_changed_elsewhere_that_the_agent_did_not_touch_is_merged(
    session: CountedSession, elsewhere: SquareService
) -> None:
    base = await opened(session, elsewhere)
    await elsewhere.update_customer(
        base.id, CustomerFields(nickname="Elsewhere"), version=base.version
    )
    result = await save_customer(session, ProfileEdit.of(base, {"note": "Typed here."}))
    assert isinstance(result, Saved) and result.merged
    stored = await elsewhere.retrieve_customer(base.id)
    assert (stored.nickname, stored.note) == ("Elsewhere", "Typed here.")
    assert stored.version == base.version + 2


async def test_the_same_field_is_a_clash_and_a_second_save_overwrites_it(
    session: CountedSession, elsewhere: SquareService
) -> None:
    base = await opened(session, elsewhere)
    await elsewhere.update_customer(
        base.id, CustomerFields(nickname="Theirs", note="Their note"), version=base.version
    )
    edit = ProfileEdit.of(base, {"nickname": "Mine", "company_name": "Mine & Co"})
    result = await save_customer(session, edit)
    assert isinstance(result, Clashes)
    assert dict(result.theirs) == {"nickname": "Theirs"}  # their note is no clash: merged
    assert result.kept == {"nickname", "company_name"}
    assert result.latest.version == base.version + 1
    stored = await elsewhere.retrieve_customer(base.id)
    assert stored.nickname == "Theirs" and stored.company_name == base.company_name  # unsaved

    # The agent's text is kept over the latest version: saving again overwrites theirs.
    again = edit.rebased(result.latest, keep=result.kept)
    assert again.text("note") == "Their note" and again.text("nickname") == "Mine"
    second = await save_customer(session, again)
    assert isinstance(second, Saved) and not second.merged
    stored = await elsewhere.retrieve_customer(base.id)
    assert (stored.nickname, stored.company_name) == ("Mine", "Mine & Co")
    assert stored.note == "Their note"


async def test_the_same_value_typed_on_both_sides_is_no_clash(
    session: CountedSession, elsewhere: SquareService
) -> None:
    base = await opened(session, elsewhere)
    await elsewhere.update_customer(base.id, CustomerFields(nickname="Ada"), version=base.version)
    result = await save_customer(session, ProfileEdit.of(base, {"nickname": " Ada "}))
    assert isinstance(result, Saved) and result.merged
    assert (await elsewhere.retrieve_customer(base.id)).nickname == "Ada"


async def test_address_parts_changed_on_each_side_are_merged_part_by_part(
    session: CountedSession, elsewhere: SquareService
) -> None:
    base = await opened(session, elsewhere)
    assert base.address is not None
    theirs = base.address.model_copy(update={"postal_code": "99999"})
    await elsewhere.update_customer(base.id, CustomerFields(address=theirs), version=base.version)
    result = await save_customer(session, ProfileEdit.of(base, {"locality": "Springfield"}))
    assert isinstance(result, Saved) and result.merged
    stored = (await elsewhere.retrieve_customer(base.id)).address
    assert stored is not None
    assert (stored.locality, stored.postal_code) == ("Springfield", "99999")
    assert stored.address_line_1 == base.address.address_line_1


async def test_the_same_address_part_is_a_clash_of_that_part_only(
    session: CountedSession, elsewhere: SquareService
) -> None:
    base = await opened(session, elsewhere)
    assert base.address is not None
    theirs = base.address.model_copy(update={"locality": "Shelbyville", "postal_code": "11111"})
    await elsewhere.update_customer(base.id, CustomerFields(address=theirs), version=base.version)
    edit = ProfileEdit.of(base, {"locality": "Springfield", "address_line_2": "Flat 2"})
    result = await save_customer(session, edit)
    assert isinstance(result, Clashes)
    assert dict(result.theirs) == {"locality": "Shelbyville"}
    again = edit.rebased(result.latest, keep=result.kept)
    assert again.text("postal_code") == "11111"  # theirs, merged
    assert isinstance(await save_customer(session, again), Saved)
    stored = (await elsewhere.retrieve_customer(base.id)).address
    assert stored is not None
    assert (stored.locality, stored.address_line_2, stored.postal_code) == (
        "Springfield",
        "Flat 2",
        "11111",
    )


async def test_deleted_elsewhere_is_gone_and_leaves_the_directory(
    session: CountedSession, elsewhere: SquareService
) -> None:
    base = await opened(session, elsewhere)
    session.directory.apply(base)
    await elsewhere.delete_customer(base.id)
    result = await save_customer(session, ProfileEdit.of(base, {"note": "Too late."}))
    assert result == Gone(base.id)
    assert session.directory.get(base.id) is None


async def test_a_value_square_refuses_is_rejected_beside_its_field(
    session: CountedSession, elsewhere: SquareService
) -> None:
    base = await opened(session, elsewhere)
    result = await save_customer(session, ProfileEdit.of(base, {"email_address": "not-an-email"}))
    assert isinstance(result, Rejected) and result.base is None
    assert "email_address" in result.field_errors and result.message
    assert (await elsewhere.retrieve_customer(base.id)).version == base.version


async def test_an_edit_sends_only_what_changed_and_the_address_whole() -> None:
    base = Customer(
        id="C1",
        given_name="Ada",
        note="old",
        address=Address(address_line_1="1 Main St", locality="Paris", country="FR"),
    )
    edit = ProfileEdit.of(base, {"note": "  ", "country": "gb", "given_name": "Ada"})
    assert edit.changed() == {"note": "  ", "country": "gb"}
    body = edit.fields().to_body()
    assert body["note"] is None  # emptied: cleared on Square
    sent = {part: value for part, value in body["address"].items() if value is not None}
    assert sent == {"address_line_1": "1 Main St", "locality": "Paris", "country": "GB"}
    assert "given_name" not in body


async def test_read_only_refuses_before_any_request(
    make_session: SessionMaker, elsewhere: SquareService
) -> None:
    session = await make_session(Settings(read_only=True))
    base = await with_address(elsewhere)
    sent = session.requests
    result = await save_customer(session, ProfileEdit.of(base, {"note": "x"}))
    assert isinstance(result, Refused) and result.operation == "UpdateCustomer"
    assert "CUSTOMER_DESK_READ_ONLY=1" in result.reason
    assert session.requests == sent
    assert (await elsewhere.retrieve_customer(base.id)).version == base.version
