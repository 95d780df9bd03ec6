"""The guided merge, driven with keys: `enter` on a family in the finder, the value kept on a
row, the confirmation naming what is deleted, the merge end to end and history listing it;
its snapshot on the seeded family."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import DataTable

from app.desk.merge import MergeFinished
from app.square import NotFoundError, SquareService
from screens.confirm import ConfirmDialog
from screens.duplicates import DuplicatesScreen
from screens.history import HistoryScreen
from screens.merge import MergeScreen
from tests.conftest import FrozenClock
from tests.tui.helpers import SIZE, settle
from tests.tui.test_history import journalled
from widgets.customer_table import CustomerTable


async def open_merge(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    pilot.app.screen.query_one(CustomerTable).focus()
    await pilot.press("D")
    await settle(pilot)
    await pilot.press("enter")  # the first family
    await settle(pilot)


async def test_a_merge_end_to_end_and_history_lists_it(
    demo_db: Path, clock: FrozenClock, service: SquareService
) -> None:
    desk = journalled(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        await open_merge(pilot)
        merge = desk.screen
        assert isinstance(merge, MergeScreen) and merge.plan is not None
        plan = merge.plan
        other = plan.others[0]
        await pilot.press("down", "down", "down")  # the company row
        before = merge.plan.value("company_name")
        await pilot.press("right")
        options = plan.options("company_name")
        assert merge.plan.value("company_name") == (options[1] if len(options) > 1 else before)
        await pilot.press("ctrl+s")
        await pilot.pause()
        dialog = desk.screen
        assert isinstance(dialog, ConfirmDialog)
        assert other.display_name in dialog.question and "delete" in dialog.question
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(merge.result, MergeFinished), merge.result
        assert merge.steps[-1].startswith("Merged into")
        try:
            await service.retrieve_customer(other.id)
            raise AssertionError("the other profile is still there")
        except NotFoundError:
            pass
        kept = await service.retrieve_customer(plan.survivor_id)
        assert kept.company_name == (merge.plan.value("company_name") or None)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(desk.screen, DuplicatesScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        history = desk.screen
        assert isinstance(history, HistoryScreen)
        operations = [c.operation for c in desk.session.journal.changes()]
        assert operations[:1] == ["merge.finish"] and "merge.start" in operations
        table = history.query_one(DataTable)
        listed = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert listed[0].startswith("Merge (finish) into"), listed


def test_snapshot_of_the_merge_screen(snap_compare: Any, demo_db: Path, clock: FrozenClock) -> None:
    assert snap_compare(journalled(demo_db, clock), terminal_size=SIZE, run_before=open_merge)
