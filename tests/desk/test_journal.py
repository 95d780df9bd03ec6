"""The journal: every write's intent before the request, its outcome after, 0600, no token;
an open intent (the desk killed mid-write) settled at the next start by looking it up."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx

from app.config import Settings
from app.desk.create import Created, create_customer
from app.desk.delete import Deleted, delete_customer
from app.desk.edits import ProfileEdit
from app.desk.groups import Memberships
from app.desk.journal import Journal
from app.desk.save import Saved, save_customer
from app.emulator import DEMO_TOKEN
from app.session import Session
from app.square import CustomerFields, SquareService
from tests.conftest import FrozenClock
from tests.desk.conftest import SessionMaker
from tests.sessions import in_process

GRACE = CustomerFields(given_name="Grace", family_name="Hopper", email_address="grace@desk.test")


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_each_write_is_an_intent_then_an_outcome_in_a_private_file(
    make_session: SessionMaker, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "journal.jsonl"
    session = await make_session(journal=Journal(path))
    created = await create_customer(session, GRACE)
    assert isinstance(created, Created)
    grace = created.customer
    saved = await save_customer(session, ProfileEdit.of(grace, {"nickname": "Amazing"}))
    assert isinstance(saved, Saved)
    memberships = Memberships(session, grace.id)
    group = next(iter((await memberships.catalogue()).groups.values()))
    await memberships.join(group)
    await memberships.leave(group)
    latest = await session.service.retrieve_customer(grace.id)
    assert isinstance(await delete_customer(session, latest), Deleted)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    written = lines(path)
    assert [(line["phase"], line.get("operation")) for line in written] == [
        ("intent", "customer.create"),
        ("outcome", None),
        ("intent", "customer.update"),
        ("outcome", None),
        ("intent", "group.add"),
        ("outcome", None),
        ("intent", "group.remove"),
        ("outcome", None),
        ("intent", "customer.delete"),
        ("outcome", None),
    ]
    for intent, outcome in zip(written[::2], written[1::2], strict=True):
        assert outcome["intent_id"] == intent["intent_id"] and outcome["ok"] is True
        assert intent["time"].endswith("+00:00") and intent["seller"] and intent["environment"]
    create, update = written[0], written[2]
    assert create["idempotency_key"] and create["after"]["email_address"] == "grace@desk.test"
    assert written[1]["customer_id"] == grace.id
    assert update["customer_id"] == grace.id
    assert update["before"] == {"nickname": None}
    assert update["after"] == {"nickname": "Amazing"}
    assert written[4]["detail"]["group_id"] == group.id
    assert written[8]["before"]["given_name"] == "Grace"
    assert DEMO_TOKEN not in path.read_text()
    assert session.journal.open_intents() == []
    history = session.journal.changes(grace.id)
    assert [c.operation for c in history][:2] == ["customer.delete", "group.remove"]


async def test_the_intent_is_on_disk_before_the_request_leaves(
    demo_db: Path, clock: FrozenClock, tmp_path: Path
) -> None:
    path = tmp_path / "journal.jsonl"
    seen: list[list[str]] = []

    class Peek(httpx.AsyncBaseTransport):
        def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
            self.inner = inner

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method != "GET" and "/token/status" not in request.url.path:
                seen.append([line["phase"] for line in lines(path)])
            return await self.inner.handle_async_request(request)

    session = Session(Settings(), in_process(demo_db, clock, wrap=Peek), Journal(path))
    try:
        await session.connect(lambda _step: None)
        created = await create_customer(session, GRACE)
    finally:
        await session.aclose()
    assert isinstance(created, Created)
    assert seen == [["intent"]]


KILLED_WRITE = textwrap.dedent(
    """
    import asyncio, os, signal, sys
    from pathlib import Path
    import httpx
    from app.config import Settings
    from app.desk.edits import ProfileEdit
    from app.desk.journal import Journal
    from app.desk.save import save_customer
    from app.session import Session
    from tests.conftest import FrozenClock
    from tests.sessions import in_process

    db, journal_path, customer_id, when = sys.argv[1:5]

    class Killer(httpx.AsyncBaseTransport):
        def __init__(self, inner):
            self.inner = inner
        async def handle_async_request(self, request):
            if request.method == "PUT" and when == "before":
                os.kill(os.getpid(), signal.SIGKILL)
            response = await self.inner.handle_async_request(request)
            if request.method == "PUT":
                os.kill(os.getpid(), signal.SIGKILL)  # landed; the desk dies before the outcome
            return response

    async def main():
        session = Session(Settings(), in_process(Path(db), FrozenClock(), wrap=Killer),
                          Journal(Path(journal_path)))
        await session.connect(lambda step: None)
        customer = await session.service.retrieve_customer(customer_id)
        await save_customer(session, ProfileEdit.of(customer, {"nickname": "Killed"}))

    asyncio.run(main())
    """
)


async def killed_save(demo_db: Path, journal: Path, customer_id: str, when: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED_WRITE, str(demo_db), str(journal), customer_id, when],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == -9, done.stderr.decode()[-2000:]


async def some_customer_id(service: SquareService) -> str:
    page = await service.list_customers(limit=1)
    return page.customers[0].id


async def test_a_desk_killed_after_the_write_landed_settles_it_as_landed_at_restart(
    make_session: SessionMaker, service: SquareService, demo_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "journal.jsonl"
    customer_id = await some_customer_id(service)
    await killed_save(demo_db, path, customer_id, "after")
    assert [line["phase"] for line in lines(path)] == ["intent"]

    session = await make_session(journal=Journal(path))
    assert any("landed" in notice and "customer.update" in notice for notice in session.notices)
    [change] = session.journal.changes()
    assert change.outcome is not None and change.outcome.settled == "landed"
    assert change.outcome.ok and session.journal.open_intents() == []
    assert (await service.retrieve_customer(customer_id)).nickname == "Killed"


async def test_a_desk_killed_before_the_request_left_settles_it_as_not_landed(
    make_session: SessionMaker, service: SquareService, demo_db: Path, tmp_path: Path
) -> None:
    path = tmp_path / "journal.jsonl"
    customer_id = await some_customer_id(service)
    await killed_save(demo_db, path, customer_id, "before")
    session = await make_session(journal=Journal(path))
    [change] = session.journal.changes()
    assert change.outcome is not None and change.outcome.settled == "did not land"
    assert not change.outcome.ok
    assert (await service.retrieve_customer(customer_id)).nickname != "Killed"


async def test_a_lost_create_is_left_open_then_found_by_looking_it_up(
    make_session: SessionMaker, tmp_path: Path
) -> None:
    from app.emulator.faults import Faults

    path = tmp_path / "journal.jsonl"
    made = await make_session()
    journal = Journal(path)
    journal.bind(made.journal.environment, made.journal.seller)
    intent_id = journal.intent("customer.create", name="Grace Hopper", after=GRACE.to_body())
    created = await create_customer(made, GRACE)  # it landed, and its answer never came
    assert isinstance(created, Created)
    later = await make_session(journal=Journal(path), faults=Faults())
    change = later.journal.change(intent_id)
    assert change is not None and change.outcome is not None
    assert change.outcome.settled == "landed" and change.subject_id == created.customer.id


def test_a_torn_last_line_is_skipped_and_the_journal_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    first = Journal(path)
    first.bind("local", "demo")
    kept = first.intent("customer.delete", customer_id="C1", name="Ada")
    with path.open("ab") as file:
        file.write(b'{"phase":"intent","intent_id":"x')
    second = Journal(path)
    second.bind("local", "demo")
    assert [c.intent_id for c in second.open_intents()] == [kept]
    second.outcome(kept, ok=True)
    third = Journal(path)
    third.bind("local", "demo")
    assert third.open_intents() == []
