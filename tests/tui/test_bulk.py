"""Marks and bulk actions on the main screen, with keys, against the emulator's store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from app.square import Customer, CustomerGroup, SquareService
from app.tui import CustomerDeskApp
from screens.bulk import BulkRun, GroupChoice
from screens.confirm import ConfirmDialog
from screens.pick_group import GroupPicker
from screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.tui.helpers import SIZE, settle, type_text
from widgets.customer_table import CustomerTable


async def in_table(pilot: Pilot[Any]) -> CustomerTable:
    await settle(pilot)
    table = pilot.app.screen.query_one(CustomerTable)
    table.focus()
    await pilot.pause()
    return table


async def read_back(service: SquareService, ids: list[str]) -> dict[str, Customer]:
    found = await service.bulk_retrieve_customers(ids)
    return {cid: c for cid, c in found.items() if isinstance(c, Customer)}


async def group_named(service: SquareService, name: str) -> CustomerGroup:
    [group] = [g async for g in service.iter_customer_groups() if g.name == name]
    return group


async def test_ten_marked_rows_join_a_group_and_exactly_they_are_in_it(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        table = await in_table(pilot)
        shown_ids = [c.id for c in table.customers[:40]]
        await pilot.press("j", "j")
        await pilot.press(*["space"] * 10)  # rows 2..11, the cursor moving down each time
        marked = shown_ids[2:12]
        assert table.marks == set(marked)
        assert "10 marked" in str(pilot.app.screen.query_one("#status").render())
        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(desk.screen, GroupPicker)
        await type_text(pilot, "Spring Promo")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, BulkRun)
        assert "10 done" in str(desk.screen.query_one("#summary").render())
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)

        service = desk.session.service
        group = await group_named(service, "Spring Promo")
        stored = await read_back(service, shown_ids)
        assert {cid for cid, c in stored.items() if group.id in c.group_ids} == set(marked)

        # The same ten out again, through the group choice.
        await pilot.press("minus")
        await settle(pilot)
        assert isinstance(desk.screen, GroupChoice)
        await type_text(pilot, "spring promo")
        await pilot.press("enter")
        await settle(pilot)
        assert "10 done" in str(desk.screen.query_one("#summary").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)
        stored = await read_back(service, shown_ids)
        assert not {cid for cid, c in stored.items() if group.id in c.group_ids}


async def test_star_marks_the_answer_and_escape_clears_the_marks(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await type_text(pilot, "jo")
        await settle(pilot)
        table = await in_table(pilot)
        answer = {c.id for c in table.customers}
        assert 1 < len(answer) < 200
        await pilot.press("asterisk")
        assert table.marks == answer
        # a narrower search keeps only the marks still in sight
        pilot.app.screen.query_one("#search").focus()
        await pilot.press("end", "h")
        await settle(pilot)
        narrower = {c.id for c in table.customers}
        assert narrower < answer and table.marks == narrower
        table.focus()
        await pilot.press("escape")
        assert table.marks == set()
        assert "marked" not in str(pilot.app.screen.query_one("#status").render())


async def test_delete_marked_asks_once_naming_the_count_and_spares_a_changed_one(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        table = await in_table(pilot)
        await pilot.press("space", "space", "space")
        marked = [c.id for c in table.marked_customers]
        service = desk.session.service
        from app.square import CustomerFields

        await service.update_customer(marked[1], CustomerFields(note="changed meanwhile"))
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(desk.screen, ConfirmDialog)
        assert desk.screen.confirm_label == "Delete 3"
        assert "Delete 3 customers?" in desk.screen.question
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(desk.screen, BulkRun)
        assert "2 done · 1 changed meanwhile" in str(desk.screen.query_one("#summary").render())
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)
        assert set(await read_back(service, marked)) == {marked[1]}
        assert table.marks == {marked[1]}  # the deleted are gone from the answer


async def test_bulk_keys_are_hidden_and_refused_when_read_only(
    demo_db: Path, clock: FrozenClock
) -> None:
    from tests.tui.test_read_only import build, dump, press_refused, shown_write_keys

    before = dump(demo_db)
    desk = build(demo_db, clock, read_only=True)
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        table = await in_table(pilot)
        await pilot.press("space", "space")
        assert len(table.marks) == 2  # marking writes nothing: it stays
        assert shown_write_keys(desk) == set()
        for key in ("plus", "minus", "d", "i"):
            await press_refused(pilot, desk, key, "CUSTOMER_DESK_READ_ONLY=1")
            assert isinstance(desk.screen, SearchScreen)
    assert dump(demo_db) == before


def test_marks_snapshot(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def marked(pilot: Pilot[Any]) -> None:
        await in_table(pilot)
        await pilot.press("space", "j", "space", "space")

    assert snap_compare(desk, terminal_size=SIZE, run_before=marked)


def test_bulk_outcome_snapshot(snap_compare: Any, desk: CustomerDeskApp) -> None:
    async def outcome(pilot: Pilot[Any]) -> None:
        table = await in_table(pilot)
        await pilot.press("space", "space", "space", "space")
        await desk.session.service.delete_customer(table.marked_customers[2].id)
        await pilot.press("plus")
        await settle(pilot)
        await type_text(pilot, "Spring Promo")
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(desk, terminal_size=SIZE, run_before=outcome)
