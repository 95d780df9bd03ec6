"""The duplicates finder, driven with keys: `D` from the main screen lists the seeded
families strongest first, `o` opens a profile (`enter` merges: test_merge_screen); its snapshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static

from screens.customer import CustomerScreen
from screens.duplicates import DuplicatesScreen
from tests.conftest import FrozenClock
from tests.tui.conftest import build_app
from tests.tui.helpers import SIZE, settle
from widgets.customer_table import CustomerTable


async def open_finder(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    pilot.app.screen.query_one(CustomerTable).focus()
    await pilot.press("D")
    await settle(pilot)


async def test_d_lists_the_seeded_families_and_enter_opens_one(
    demo_db: Path, clock: FrozenClock
) -> None:
    desk = build_app(demo_db, clock)
    async with desk.run_test(size=SIZE) as pilot:
        await open_finder(pilot)
        finder = desk.screen
        assert isinstance(finder, DuplicatesScreen)
        assert [g.strength for g in finder.groups] == [100, 100, 90, 60, 50]
        summary = str(finder.query_one("#summary", Static).render())
        assert summary.startswith("5 groups of likely duplicates (11 profiles) among 300")
        first = finder.groups[0].customers[0]
        await pilot.press("o")  # the cursor starts on the first group's first profile
        await settle(pilot)
        assert isinstance(desk.screen, CustomerScreen) and desk.screen.customer.id == first.id
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(desk.screen, DuplicatesScreen)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(desk.screen, DuplicatesScreen)


def test_snapshot_of_the_duplicates_screen(
    snap_compare: Any, demo_db: Path, clock: FrozenClock
) -> None:
    assert snap_compare(build_app(demo_db, clock), terminal_size=SIZE, run_before=open_finder)
