"""No duplicate from a retry, driven with keys: groups, customers and cards under lost answers.

The emulator runs in-process with its `lost_answer_rate` fault: a write commits, then
its answer is lost. The agent retries as they would; the store must hold one object.
The emulator's clock is the test's: near now when the desk's look-up of a lost create
should find it, days back when the look-up must miss and only the key can help.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from app.emulator.faults import Faults
from app.square import CustomerGroup, SquareService
from app.tui import CustomerDeskApp
from screens.add_card import AddCardDialog
from screens.confirm import ConfirmDialog
from screens.customer import CustomerScreen
from screens.duplicate_warning import DuplicateWarning
from screens.pick_group import NEW, GroupPicker
from screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.sessions import in_process
from tests.tui.conftest import build_app
from tests.tui.helpers import SIZE, open_first, settle, type_text
from widgets.customer_table import CustomerTable
from widgets.profile_form import ProfileForm


def lossy_desk(db_path: Path, clock: FrozenClock, faults: Faults) -> CustomerDeskApp:
    """The desk on the emulator with ``faults`` (change them mid-test: they are live)."""
    connector = in_process(db_path, clock, faults=faults, backoff_base=0.001, backoff_cap=0.01)
    return build_app(db_path, clock, connector=connector)


def now_clock(days_back: int = 0) -> FrozenClock:
    return FrozenClock(datetime.now(UTC) - timedelta(days=days_back))


def service_of(desk: CustomerDeskApp) -> SquareService:
    assert desk.session.connected
    return desk.session.service


async def all_groups(desk: CustomerDeskApp) -> list[CustomerGroup]:
    return [g async for g in service_of(desk).iter_customer_groups()]


def notes(desk: CustomerDeskApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in desk._notifications]


async def open_groups_picker(pilot: Pilot[Any], name: str) -> GroupPicker:
    await pilot.press("a")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, GroupPicker)
    await type_text(pilot, name)
    return picker


async def highlight(pilot: Pilot[Any], option_id: str) -> None:
    options = pilot.app.screen.query_one(OptionList)
    for _ in range(options.option_count):
        highlighted = options.highlighted
        if highlighted is not None and options.get_option_at_index(highlighted).id == option_id:
            return
        await pilot.press("down")
    raise AssertionError(f"{option_id!r} is not offered")


# --------------------------------------------------------------------------- groups


async def test_typing_vip_offers_the_existing_vip_first(demo_db: Path) -> None:
    desk = lossy_desk(demo_db, now_clock(), Faults())
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        vip = next(g for g in await all_groups(desk) if g.name == "VIP")
        await service_of(desk).remove_group_from_customer(customer.id, vip.id)
        assert isinstance(desk.screen, CustomerScreen)
        desk.screen.action_reload()
        await settle(pilot)
        await pilot.press("]", "]")
        picker = await open_groups_picker(pilot, "vip")
        options = picker.query_one(OptionList)
        first = options.get_option_at_index(0)
        assert first.id == vip.id and options.highlighted == 0
        last = options.get_option_at_index(options.option_count - 1)
        assert last.id == NEW and "VIP" in str(last.prompt)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        assert vip.id in (await service_of(desk).retrieve_customer(customer.id)).group_ids
        assert [g.name for g in await all_groups(desk) if g.name.casefold() == "vip"] == ["VIP"]
        # Already a member now: VIP is shown but cannot be chosen again.
        picker = await open_groups_picker(pilot, " VIP ")
        options = picker.query_one(OptionList)
        assert options.get_option_at_index(0).id == vip.id
        assert options.get_option_at_index(0).disabled
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert NEW not in ids and options.highlighted != 0  # same name: nothing to create
        await pilot.press("escape")


async def test_creating_a_case_variant_asks_first_naming_both(demo_db: Path) -> None:
    desk = lossy_desk(demo_db, now_clock(), Faults())
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        await pilot.press("]", "]")
        await open_groups_picker(pilot, "vip")
        await highlight(pilot, NEW)
        await pilot.press("enter")
        await pilot.pause()
        dialog = desk.screen
        assert isinstance(dialog, ConfirmDialog)
        assert "“VIP”" in dialog.question and "“vip”" in dialog.question
        await pilot.press("n")  # no: nothing is created, the picker stays
        await pilot.pause()
        assert isinstance(desk.screen, GroupPicker)
        assert [g.name for g in await all_groups(desk) if g.name.casefold() == "vip"] == ["VIP"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(desk.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        groups = await all_groups(desk)
        assert sorted(g.name for g in groups if g.name.casefold() == "vip") == ["VIP", "vip"]
        lower = next(g for g in groups if g.name == "vip")
        assert lower.id in (await service_of(desk).retrieve_customer(customer.id)).group_ids


async def test_three_attempts_at_a_new_group_under_lost_answers_make_one_group(
    demo_db: Path,
) -> None:
    faults = Faults(lost_answer_rate=1.0)
    desk = lossy_desk(demo_db, now_clock(days_back=3), faults)
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        customer = await open_first(pilot)
        await pilot.press("]", "]")
        for attempt in range(3):
            if attempt == 2:
                faults.lost_answer_rate = 0.0  # the network heals for the third try
            await open_groups_picker(pilot, "Dup VIP")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(desk.screen, CustomerScreen)
            if attempt == 0:
                assert any("add “Dup VIP” again" in note for note in notes(desk)), notes(desk)
        named = [g for g in await all_groups(desk) if g.name.casefold() == "dup vip"]
        assert len(named) == 1
        assert named[0].id in (await service_of(desk).retrieve_customer(customer.id)).group_ids
        assert any("Added to Dup VIP" in note for note in notes(desk)), notes(desk)


# --------------------------------------------------------------------------- customers


async def start_new_customer(pilot: Pilot[Any], email: str) -> ProfileForm:
    await settle(pilot)
    if not isinstance(pilot.app.screen, SearchScreen):
        raise AssertionError("not on the customer list")
    pilot.app.screen.query_one(CustomerTable).focus()
    await pilot.press("n")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CustomerScreen)
    form = pilot.app.screen.query_one(ProfileForm)
    assert form.editing
    await type_text(pilot, "Grace")
    await pilot.press("tab")
    await type_text(pilot, "Hopper")
    pilot.app.screen.query_one("#email_address", Input).value = email
    return form


async def customers_with_email(desk: CustomerDeskApp, email: str) -> int:
    query = {"filter": {"email_address": {"exact": email}}}
    return len([c async for c in service_of(desk).iter_search(query)])


async def test_a_lost_create_is_found_and_reported_as_created(demo_db: Path) -> None:
    desk = lossy_desk(demo_db, now_clock(), Faults(lost_answer_rate=1.0))
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        form = await start_new_customer(pilot, "grace@lost.test")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.editing
        assert isinstance(desk.screen, CustomerScreen) and desk.screen.customer.id
        assert any("Created Grace Hopper" in note for note in notes(desk)), notes(desk)
        assert not any("Not saved" in note for note in notes(desk)), notes(desk)
        assert await customers_with_email(desk, "grace@lost.test") == 1


async def test_when_the_answer_is_lost_ctrl_s_again_creates_one_customer(demo_db: Path) -> None:
    faults = Faults(lost_answer_rate=1.0)
    desk = lossy_desk(demo_db, now_clock(days_back=3), faults)  # the look-up cannot tell
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        form = await start_new_customer(pilot, "grace@again.test")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        assert form.editing and not desk.screen.customer.id  # the form is kept
        assert desk.screen.query_one("#email_address", Input).value == "grace@again.test"
        lost = [note for note in notes(desk) if "answer was lost" in note]
        assert lost and "will not create a second customer" in lost[0]
        await pilot.press("ctrl+s")  # still lost: the same key again
        await settle(pilot)
        faults.lost_answer_rate = 0.0
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not form.editing and desk.screen.customer.id
        assert any("Created Grace Hopper" in note for note in notes(desk)), notes(desk)
        assert await customers_with_email(desk, "grace@again.test") == 1


async def test_discard_and_retype_after_a_lost_answer_creates_one_customer(
    demo_db: Path,
) -> None:
    faults = Faults(lost_answer_rate=1.0)
    desk = lossy_desk(demo_db, now_clock(days_back=3), faults)
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        await start_new_customer(pilot, "grace@retype.test")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert any("answer was lost" in note for note in notes(desk)), notes(desk)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(desk.screen, ConfirmDialog)
        await pilot.press("y")  # discard
        await settle(pilot)
        faults.lost_answer_rate = 0.0
        form = await start_new_customer(pilot, "grace@retype.test")
        await pilot.press("ctrl+s")
        await settle(pilot)
        # the lost create landed: the desk warns of it; going on replays the same key
        assert isinstance(desk.screen, DuplicateWarning)
        await pilot.press("c")
        await settle(pilot)
        assert not form.editing
        assert any("Created Grace Hopper" in note for note in notes(desk)), notes(desk)
        assert await customers_with_email(desk, "grace@retype.test") == 1
        # Created and shown: the same data typed once more is a deliberate second one.
        await pilot.press("escape")
        form = await start_new_customer(pilot, "grace@retype.test")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(desk.screen, DuplicateWarning)  # the same email: warned first
        await pilot.press("c")
        await settle(pilot)
        assert await customers_with_email(desk, "grace@retype.test") == 2


# --------------------------------------------------------------------------- cards


async def test_a_card_retried_after_a_lost_answer_is_added_once(demo_db: Path) -> None:
    faults = Faults(lost_answer_rate=1.0)
    desk = lossy_desk(demo_db, now_clock(), faults)
    async with desk.run_test(size=SIZE) as pilot:
        customer = await open_first(pilot)
        service = service_of(desk)
        before = {c.id async for c in service.iter_cards(customer_id=customer.id)}
        await pilot.press("]", "a")
        await pilot.pause()
        dialog = desk.screen
        assert isinstance(dialog, AddCardDialog)
        await type_text(pilot, "cnon:card-nonce-ok")
        await pilot.press("enter")
        await settle(pilot)
        assert desk.screen is dialog  # kept open, saying what happened
        error = str(dialog.query_one("#error").render())
        assert "answer was lost" in error and "not add a second card" in error
        assert isinstance(dialog, AddCardDialog)
        first_key = dialog.idempotency_key
        assert first_key
        faults.lost_answer_rate = 0.0
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen)
        assert dialog.idempotency_key == first_key
        after = {c.id async for c in service.iter_cards(customer_id=customer.id)}
        assert len(after - before) == 1 and before <= after
