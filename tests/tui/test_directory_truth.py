"""The main screen over a 2,500-customer directory: a search typed during the load is
answered again as customers arrive and says what it covers; the table reaches the last
of every match; `s` sorts."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from app.tui import CustomerDeskApp
from screens.search import SearchScreen
from tests.conftest import FrozenClock, seeded_file
from tests.sessions import in_process
from tests.tui.conftest import build_app
from tests.tui.helpers import settle, type_text
from widgets.customer_table import CustomerTable

SIZE = (120, 40)
CUSTOMERS = 2500


@pytest.fixture(scope="session")
def big_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_file(tmp_path_factory.mktemp("big-tui") / "big.sqlite3", CUSTOMERS, 5)


@pytest.fixture
def big_copy(big_db: Path, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "big.sqlite3"
    shutil.copyfile(big_db, path)
    yield path


def build(db: Path, clock: FrozenClock, faults: Any = None) -> CustomerDeskApp:
    connector = in_process(db, clock, faults=faults, directory_options={"concurrency": 4})
    return build_app(db, clock, connector=connector)


def late_customer(db: Path) -> str:
    """The name of the customer created last (the load reaches it last)."""
    from app.emulator.store import Store

    store = Store(db)
    try:
        rows = store.conn.execute(
            "SELECT doc FROM customers ORDER BY created_at DESC LIMIT 20"
        ).fetchall()
    finally:
        store.close()
    for (doc,) in rows:
        data = json.loads(doc)
        if data.get("given_name") and data.get("family_name"):
            return f"{data['given_name']} {data['family_name']}"
    raise AssertionError("no named customer among the newest")


async def test_a_search_during_the_load_is_answered_again_as_customers_arrive(
    big_copy: Path, clock: FrozenClock
) -> None:
    from app.emulator.faults import Faults

    name = late_customer(big_copy)
    app = build(big_copy, clock, Faults(rate_limit=12, burst=2, latency_ms=5))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        for _ in range(500):  # until the load has begun
            await pilot.pause(0.01)
            if app.session.connected and app.session.directory.count > 0:
                break
        await type_text(pilot, name.lower())
        partial_answers: list[tuple[int, int]] = []
        statuses: list[str] = []
        for _ in range(3000):
            await pilot.pause(0.01)
            results = screen.results
            statuses.append(str(screen.query_one("#status", Static).render()))
            if results is None:
                continue
            if results.covers is not None:
                partial_answers.append((results.covers[0], results.total))
            elif name in [c.display_name for c in results.customers]:
                break
        else:
            raise AssertionError("the late customer never showed")
        await settle(pilot)
        # while loading, the answer said what it covered, and was asked again as rows came
        assert partial_answers, "no answer was given during the load"
        held = [h for h, _ in partial_answers]
        assert len(set(held)) >= 2 and held == sorted(held)
        assert any("covers" in text and "of 2,500 customers" in text for text in statuses)
        final = str(screen.query_one("#status", Static).render())
        assert "covers" not in final
        table = screen.query_one(CustomerTable)
        assert name in [c.display_name for c in table.customers]


async def test_the_table_reaches_the_last_of_every_match(
    big_copy: Path, clock: FrozenClock
) -> None:
    app = build(big_copy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        table = screen.query_one(CustomerTable)
        assert table.row_count == CUSTOMERS
        assert app.session.connected
        last = (await app.session.directory.search("")).customers[CUSTOMERS - 1]
        table.focus()
        await pilot.press("G")
        await pilot.pause()
        assert table.cursor_row == CUSTOMERS - 1
        assert table.selected_customer is not None and table.selected_customer.id == last.id
        lines = [table.render_line(y).text for y in range(table.size.height)]
        assert any(last.display_name in line for line in lines)
        await pilot.press("g")
        assert table.cursor_row == 0


async def test_s_cycles_the_sort(big_copy: Path, clock: FrozenClock) -> None:
    app = build(big_copy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        table = screen.query_one(CustomerTable)
        table.focus()
        await pilot.press("s")
        await settle(pilot)
        sorts = [screen.sort]
        await pilot.press("s")
        await settle(pilot)
        sorts.append(screen.sort)
        assert sorts == ["name", "created"]
        stamps = [c.created_at for c in table.customers[:30] if c.created_at is not None]
        assert stamps == sorted(stamps, reverse=True)
        assert "newest created" in str(screen.query_one("#status", Static).render())
        screen.query_one("#search", Input).focus()
        await pilot.press("s")  # typed into the search bar, not a sort
        assert screen.sort == "created"
