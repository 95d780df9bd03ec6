"""Export (x) and the CSV import screen, driven with keys against the emulator's store."""

from __future__ import annotations

import csv
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, RadioButton

from app.desk.exchange import CSV_HEADINGS
from app.square import Customer
from app.tui import CustomerDeskApp
from screens.export import ExportDialog, default_path
from screens.import_customers import ImportScreen
from screens.search import SearchScreen
from tests.tui.helpers import SIZE, settle, type_text
from widgets.customer_table import CustomerTable


def exported_ids(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8") as stream:
        reader = csv.DictReader(stream)
        assert tuple(reader.fieldnames or ()) == CSV_HEADINGS
        return [row["Square Customer ID"] for row in reader]


async def export_to(pilot: Pilot[Any], path: Path, *, json_format: bool = False) -> None:
    await pilot.press("x")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, ExportDialog)
    if json_format:
        dialog.query_one("#json", RadioButton).value = True
        await pilot.pause()
        assert dialog.query_one("#path", Input).value.endswith(".json")
    dialog.query_one("#path", Input).value = str(path)
    dialog.query_one("#path", Input).focus()
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, SearchScreen)


async def test_x_exports_every_match_of_the_search_not_only_the_rows_shown(
    desk: CustomerDeskApp, tmp_path: Path
) -> None:
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        screen = desk.screen
        assert isinstance(screen, SearchScreen) and screen.results is not None
        assert screen.results.total == len(screen.results.customers) == 300
        screen.query_one(CustomerTable).focus()
        target = tmp_path / "out" / "all.csv"
        await export_to(pilot, target)
        ids = exported_ids(target)
        assert len(ids) == len(set(ids)) == 300
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
        assert any("Exported 300 customers" in n.message for n in desk._notifications)

        # a search: its matches, all of them
        screen.query_one("#search", Input).focus()
        await type_text(pilot, "jo")
        await settle(pilot)
        answer = [c.id for c in screen.query_one(CustomerTable).customers]
        screen.query_one(CustomerTable).focus()
        await export_to(pilot, tmp_path / "jo.csv")
        assert exported_ids(tmp_path / "jo.csv") == answer


async def test_x_with_marks_exports_the_marked_as_json(
    desk: CustomerDeskApp, tmp_path: Path
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = desk.screen.query_one(CustomerTable)
        table.focus()
        await pilot.press("space", "j", "space", "space")
        marked = [c.id for c in table.marked_customers]
        assert len(marked) == 3
        await export_to(pilot, tmp_path / "marked.json", json_format=True)
        data = json.loads((tmp_path / "marked.json").read_text(encoding="utf-8"))
        assert [Customer.model_validate(item).id for item in data] == marked


async def test_an_existing_file_is_replaced_only_when_the_agent_says_so(
    desk: CustomerDeskApp, tmp_path: Path
) -> None:
    target = tmp_path / "keep.csv"
    target.write_text("precious\n", encoding="utf-8")
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        desk.screen.query_one(CustomerTable).focus()
        await pilot.press("x")
        await settle(pilot)
        desk.screen.query_one("#path", Input).value = str(target)
        desk.screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("n")  # the confirmation: no
        await settle(pilot)
        assert target.read_text(encoding="utf-8") == "precious\n"
        assert isinstance(desk.screen, ExportDialog)


def test_the_default_file_is_dated() -> None:
    from datetime import date

    assert default_path("csv", date(2026, 11, 26)) == "~/customers-20261126.csv"
    assert default_path("json", date(2026, 1, 2)) == "~/customers-20260102.json"


# --------------------------------------------------------------------------- import

HEAD = "First Name,Last Name,Email Address,Phone Number,Company Name,Memo\n"


def import_file(folder: Path, existing_email: str) -> Path:
    path = folder / "import.csv"
    path.write_text(
        HEAD
        + "Grace,Hopper,grace.hopper@navy.example,,,\n"
        + "Alan,Turing,alan@bletchley.example,+44 20 7946 0000,,\n"
        + ",,,,Analytical Engines Ltd,\n"
        + "Bad,Email,not-an-email,,,\n"
        + f"Twin,Of Someone,{existing_email},,,\n"
        + ",,,,,only a note\n",
        encoding="utf-8",
    )
    return path


async def open_import(pilot: Pilot[Any], path: str) -> ImportScreen:
    desk = pilot.app
    desk.screen.query_one(CustomerTable).focus()
    await pilot.press("i")
    await settle(pilot)
    screen = desk.screen
    assert isinstance(screen, ImportScreen)
    await type_text(pilot, path)
    await pilot.press("enter")
    await settle(pilot)
    return screen


def statuses(screen: ImportScreen) -> dict[str, str]:
    table: DataTable[Any] = screen.query_one(DataTable)
    return {str(table.get_row(key)[1]): str(table.get_row(key)[2]) for key in table.rows}


async def test_import_previews_problems_creates_the_good_rows_and_a_rerun_creates_nothing(
    desk: CustomerDeskApp, tmp_path: Path
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        await settle(pilot)
        someone = desk.session.directory.search
        existing = next(c for c in (await someone("")).customers if c.email_address)
        assert existing.email_address
        path = import_file(tmp_path, existing.email_address)
        count_before = desk.session.directory.count
        screen = await open_import(pilot, str(path))
        summary = str(screen.query_one("#summary").render())
        assert "6 rows: 3 to create" in summary
        assert "1 likely duplicate" in summary and "2 invalid" in summary
        shown = statuses(screen)
        assert shown["Grace Hopper"] == "will be created"
        assert shown["Bad Email"] == "invalid"
        assert shown["Twin Of Someone"] == "likely duplicate"
        assert shown["(no name)"] == "invalid"
        assert desk.session.directory.count == count_before  # a preview writes nothing

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Created 3" in str(screen.query_one("#summary").render())
        assert statuses(screen)["Alan Turing"] == "created"
        found = await desk.session.service.search_customers(
            {"filter": {"email_address": {"exact": "grace.hopper@navy.example"}}}
        )
        assert len(found.customers) == 1

        # the same file again: every good row is already there, nothing to send
        screen.query_one("#path", Input).focus()
        await pilot.press("enter")
        await settle(pilot)
        assert "0 to create" in str(screen.query_one("#summary").render())
        assert "3 already there" in str(screen.query_one("#summary").render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        found = await desk.session.service.search_customers(
            {"filter": {"email_address": {"exact": "grace.hopper@navy.example"}}}
        )
        assert len(found.customers) == 1
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(desk.screen, SearchScreen)


def test_import_preview_snapshot(
    snap_compare: Any, desk: CustomerDeskApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)

    async def previewed(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        answer = (await desk.session.directory.search("")).customers
        first = next(c for c in answer if c.email_address)
        assert first.email_address
        import_file(tmp_path, first.email_address)
        await open_import(pilot, "import.csv")

    assert snap_compare(desk, terminal_size=SIZE, run_before=previewed)
