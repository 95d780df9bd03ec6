"""Export and import against the emulator: Square's columns, a preview's problems, once only."""

from __future__ import annotations

import io
import json
import stat
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from app.config import Settings
from app.desk.exchange import (
    CSV_HEADINGS,
    IMPORT_COLUMNS,
    export_customers,
    export_text,
    group_names,
    guard_cell,
    unguard_cell,
)
from app.desk.exchange_import import (
    ImportReport,
    import_customers,
    preview_import,
    read_import,
)
from app.desk.outcomes import Refused
from app.emulator.faults import Faults
from app.emulator.seed import seed_demo
from app.emulator.store import Store
from app.session import Session
from app.square import Customer
from tests.conftest import FrozenClock
from tests.sessions import in_process

Opener = Callable[..., Awaitable[Session]]


@pytest.fixture
async def open_session(clock: FrozenClock) -> AsyncIterator[Opener]:
    made: list[Session] = []

    async def open_(db: Path, settings: Settings | None = None, **options: Any) -> Session:
        options.setdefault("backoff_base", 0.001)
        options.setdefault("backoff_cap", 0.01)
        session = Session(settings or Settings(), in_process(db, clock, **options))
        made.append(session)
        await session.connect(lambda _step: None)
        return session

    yield open_
    for session in made:
        await session.aclose()


async def everyone(session: Session) -> list[Customer]:
    return [c async for c in session.service.iter_customers()]


def empty_db(tmp_path: Path, name: str = "empty.sqlite3") -> Path:
    path = tmp_path / name
    Store(path).close()
    return path


CSV_HEAD = "First Name,Last Name,Email Address,Phone Number,Reference ID,Birthday,Memo\n"


def test_cells_a_spreadsheet_would_run_are_guarded_and_read_back() -> None:
    for text in ["=1+1", "@cmd", "+x", "-2+3", "'=x", "''+y", "\tx"]:
        assert guard_cell(text).startswith("'")
        assert unguard_cell(guard_cell(text)) == text
    for text in ["+1 206-222-3333", "-12", "Ada", "'quoted", ""]:
        assert guard_cell(text) == text
        assert unguard_cell(guard_cell(text)) == text


async def test_export_writes_square_columns_atomically_0600(
    demo_db: Path, open_session: Opener, tmp_path: Path
) -> None:
    session = await open_session(demo_db)
    customers = await everyone(session)
    names = await group_names(session.service)
    seen: list[tuple[int, int | None]] = []
    target = tmp_path / "out" / "customers.csv"
    written = export_customers(
        customers, "csv", target, progress=lambda d, t: seen.append((d, t)), groups=names
    )
    assert written == len(customers) == 300
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert stat.S_IMODE(target.parent.stat().st_mode) == 0o700
    assert seen[-1] == (300, 300) and len(seen) > 10
    assert list(target.parent.iterdir()) == [target]  # no temporary file left
    import csv

    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_HEADINGS
    ada = next(r for r in rows if r["Email Address"] == "ada@example.com")
    assert (ada["First Name"], ada["Last Name"], ada["City"]) == ("Ada", "Lovelace", "Phoenix")
    in_groups = next(c for c in customers if c.group_ids)
    row = next(r for r in rows if r["Square Customer ID"] == in_groups.id)
    assert row["Groups"].split("; ") == [names[g] for g in in_groups.group_ids]


def test_a_failed_export_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "customers.json"
    target.write_text("old")

    def boom(customers: int, _total: int | None) -> None:
        if customers >= 1:
            raise RuntimeError("disk full")

    bad = Customer(id="X1", given_name="A")
    with pytest.raises(RuntimeError):
        export_customers([bad, bad], "json", target, progress=boom)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["customers.json"]


async def test_json_export_is_squares_customer_objects(demo_db: Path, open_session: Opener) -> None:
    session = await open_session(demo_db)
    customers = (await session.service.list_customers(limit=5)).customers
    data = json.loads(export_text(customers, "json"))
    assert [Customer.model_validate(d) for d in data] == customers
    assert json.loads(export_text([], "json")) == []


def test_the_preview_says_what_is_wrong_with_each_row() -> None:
    text = CSV_HEAD + (
        "Ada,Lovelace,ada@example.com,+1 206-222-3333,,12-10,ok\n"
        "Bob,,not-an-email,,,,\n"
        "Cy,,,12,,,\n"
        ",,,,R-1,,only a ref\n" + "Dee," + "x" * 301 + ",,,,,\n"
        "Eve,,,,,13-45,\n"
        "Ada,Lovelace,ADA@example.com,(206) 222-3333,,12-10,ok\n"
    )
    preview = read_import(io.StringIO(text))
    by_line = {row.line: row for row in preview.rows}
    assert by_line[2].status == "create" and by_line[2].fields is not None
    assert by_line[2].fields.birthday == "0000-12-10"
    assert [p.column for p in by_line[3].problems] == ["Email Address"]
    assert [p.column for p in by_line[4].problems] == ["Phone Number"]
    assert by_line[5].problems[0].column is None  # no identity
    assert "300" in by_line[6].problems[0].message
    assert by_line[7].problems[0].column == "Birthday"
    assert by_line[8].status == "repeat" and by_line[8].matches == ("2",)
    assert by_line[8].key == by_line[2].key
    assert preview.counts() == {
        "create": 1,
        "exists": 0,
        "duplicate": 0,
        "repeat": 1,
        "invalid": 5,
    }


def test_a_file_without_squares_columns_is_one_problem() -> None:
    preview = read_import(io.StringIO("name;mail\nAda;ada@example.com\n"))
    assert preview.rows == () and preview.problems
    assert "First Name" in preview.problems[0]


async def test_likely_duplicates_of_existing_customers_are_flagged(
    demo_db: Path, open_session: Opener
) -> None:
    session = await open_session(demo_db)
    text = CSV_HEAD + (
        "Someone,Else,ADA@example.com,,,,\n"  # Ada's email
        "Other,Person,,+1 206-222-3333,,,\n"  # Ada's phone
        "Fresh,Face,fresh@example.com,,,,\n"
    )
    preview = await preview_import(io.StringIO(text), session)
    ada = (await session.directory.search("ada lovelace")).customers[0]
    assert [(r.status, r.matches) for r in preview.rows] == [
        ("duplicate", (ada.id,)),
        ("duplicate", (ada.id,)),
        ("create", ()),
    ]
    report = await import_customers(preview, session)
    assert isinstance(report, ImportReport)
    assert sorted(report.created) == [4] and report.skipped == {2: "duplicate", 3: "duplicate"}
    again = await import_customers(preview.allowing_duplicates(), session)
    assert isinstance(again, ImportReport)
    assert sorted(again.created) == [2, 3] and again.skipped == {4: "exists"}


async def test_import_refused_when_read_only(demo_db: Path, open_session: Opener) -> None:
    session = await open_session(demo_db, Settings(read_only=True))
    before = len(await everyone(session))
    preview = await preview_import(io.StringIO(CSV_HEAD + "New,One,,,,,\n"), session)
    result = await import_customers(preview, session)
    assert isinstance(result, Refused) and "CUSTOMER_DESK_READ_ONLY" in result.reason
    assert len(await everyone(session)) == before


ADDRESS_COLUMNS = {
    c.field.removeprefix("address.") for c in IMPORT_COLUMNS if c.field.startswith("address.")
}
"""The parts of an address Square's CSV has (not the address's own first / last name)."""


def customer_key(c: Customer) -> tuple[object, ...]:
    address = c.address.model_dump(exclude_none=True) if c.address else {}
    return (
        c.given_name,
        c.family_name,
        c.email_address,
        c.phone_number,
        c.nickname,
        c.company_name,
        c.birthday,
        c.reference_id,
        c.note,
        tuple(sorted((k, v) for k, v in address.items() if k in ADDRESS_COLUMNS)),
    )


async def test_2500_customers_round_trip_once_even_when_cut_short(
    tmp_path: Path, open_session: Opener
) -> None:
    source_db = tmp_path / "source.sqlite3"
    store = Store(source_db)
    seed_demo(store, customers=2500, seed=7)
    store.close()
    source = await open_session(source_db)
    originals = await everyone(source)
    assert len(originals) == 2500
    csv_file = tmp_path / "customers.csv"
    assert export_customers(originals, "csv", csv_file) == 2500

    target_db = empty_db(tmp_path)
    faults = Faults(latency_ms=0.001)  # active from the start: changed live below
    target = await open_session(target_db, faults=faults, max_retries=0)
    preview = await preview_import(csv_file, target)
    assert preview.counts()["create"] == 2500, preview.counts()

    # The first run is cut short: Square stops answering after some batches.
    calls = 0

    def progress(done: int, _total: int | None) -> None:
        nonlocal calls
        calls += 1
        if done >= 700:
            faults.error_rate = 1.0

    first = await import_customers(preview, target, progress=progress)
    assert isinstance(first, ImportReport)
    assert first.stopped and 700 <= len(first.created) < 2500
    faults.error_rate = 0.0

    # A new run (a new process: a fresh session) imports the same file again.
    again = await open_session(target_db)
    preview2 = await preview_import(csv_file, again)
    assert preview2.counts()["exists"] == len(first.created)
    second = await import_customers(preview2, again)
    assert isinstance(second, ImportReport) and second.complete
    assert len(first.created) + len(second.created) == 2500

    imported = await everyone(again)
    assert len(imported) == 2500
    assert sorted(map(customer_key, imported), key=repr) == sorted(
        map(customer_key, originals), key=repr
    )
    # And once more: nothing.
    third = await import_customers(await preview_import(csv_file, again), again)
    assert isinstance(third, ImportReport) and not third.created
    assert len(await everyone(again)) == 2500
