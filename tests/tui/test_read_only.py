"""Read-only through the TUI: shown before the agent acts, every write key says why.

In the local, sandbox and custom modes, with `read_only` set (and a connector that does
not pass it on: the session applies the wish): the header says READ-ONLY, no write key
is in the footer, help or palette, pressing each one notifies why, and the emulator's
database is unchanged. A read-only token with no setting is found at connect, and a
token that turns out read-only at the first write flips the desk at once.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
from textual.widgets import HelpPanel
from textual.widgets._footer import FooterKey

from app.config import Environment, Secret, Settings
from app.emulator import DEMO_READONLY_TOKEN, DEMO_TOKEN
from app.palette import own_bindings, palette_entries
from app.tui import WRITE_BINDINGS, CustomerDeskApp
from screens.customer import CustomerScreen
from screens.search import SearchScreen
from tests.conftest import FrozenClock
from tests.sessions import in_process
from tests.tui.conftest import build_app
from tests.tui.helpers import settle, type_text
from widgets.cards_panel import CardsPanel
from widgets.environment_badge import EnvironmentBadge
from widgets.groups_panel import GroupsPanel

SIZE = (140, 40)
URLS = {
    Environment.LOCAL: "http://127.0.0.1:8765",
    Environment.SANDBOX: "https://connect.squareupsandbox.com",
    Environment.CUSTOM: "http://square-proxy.internal:8080",
}
WRITE_ACTIONS = {"new", "edit", "save", "delete", "add", "remove"}


def dump(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


class NoTokenStatus(httpx.AsyncBaseTransport):
    """An older server: no RetrieveTokenStatus (404), otherwise the emulator."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth2/token/status":
            return httpx.Response(404, json={"errors": [{"code": "NOT_FOUND"}]})
        return await self.inner.handle_async_request(request)


def build(
    db_path: Path,
    clock: FrozenClock,
    environment: Environment = Environment.LOCAL,
    *,
    read_only: bool = False,
    token: str = DEMO_TOKEN,
    token_status: bool = True,
) -> CustomerDeskApp:
    """The app on the emulator in-process; the connector itself knows nothing of read-only."""
    connector = in_process(
        db_path,
        clock,
        token=token,
        base_url=URLS[environment],
        wrap=None if token_status else NoTokenStatus,
    )
    settings = Settings(
        environment=environment,
        base_url=None if environment is Environment.LOCAL else URLS[environment],
        token=None if environment is Environment.LOCAL else Secret(token),
        read_only=read_only,
    )
    return build_app(db_path, clock, settings, connector)


def target_customer(db_path: Path) -> str:
    """The id of a customer with an enabled card on file and at least one group."""
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute(
            "SELECT c.customer_id FROM cards c"
            " JOIN group_members m ON m.customer_id = c.customer_id WHERE c.enabled LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert row is not None
    return str(row[0])


def footer_actions(desk: CustomerDeskApp) -> set[str]:
    return {key.action.rsplit(".", 1)[-1] for key in desk.screen.query(FooterKey)}


def shown_write_keys(desk: CustomerDeskApp) -> set[str]:
    """Write keys the footer, the help panel (active bindings) or the palette offer."""
    offered = {
        binding.id
        for binding in (b.binding for b in desk.screen.active_bindings.values())
        if binding.id in WRITE_BINDINGS
    }
    titles = {entry.title for entry in palette_entries(desk.screen, desk.keymap)}
    for node in [desk.screen, *desk.screen.query("*")]:
        for binding in own_bindings(node):
            if binding.id in WRITE_BINDINGS and binding.description in titles:
                offered.add(binding.id)
    return offered | {f"footer:{a}" for a in footer_actions(desk) & WRITE_ACTIONS}


def read_only_notes(desk: CustomerDeskApp) -> list[str]:
    return [n.message for n in desk._notifications if n.title == "Read-only"]


def badge_text(desk: CustomerDeskApp) -> str:
    return str(desk.screen.query_one(EnvironmentBadge).render())


async def press_refused(pilot: object, desk: CustomerDeskApp, key: str, why: str) -> None:
    before = len(read_only_notes(desk))
    await pilot.press(key)  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    notes = read_only_notes(desk)
    assert len(notes) == before + 1, f"{key}: no notification"
    assert why in notes[-1], notes[-1]


@pytest.mark.parametrize("environment", list(URLS), ids=lambda e: e.value)
async def test_every_write_key_says_why_and_changes_nothing(
    demo_db: Path, clock: FrozenClock, environment: Environment
) -> None:
    customer_id = target_customer(demo_db)
    before = dump(demo_db)
    desk = build(demo_db, clock, environment, read_only=True)
    why = "CUSTOMER_DESK_READ_ONLY=1"
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert desk.session.connected and desk.session.read_only
        assert "READ-ONLY" in badge_text(desk)
        assert shown_write_keys(desk) == set()
        # create: `n` opens no form
        desk.screen.query_one("#customers").focus()
        await press_refused(pilot, desk, "n", why)
        assert isinstance(desk.screen, SearchScreen)

        customer = await desk.session.service.retrieve_customer(customer_id)
        desk.push_screen(CustomerScreen(desk.session, customer))
        await settle(pilot)
        screen = desk.screen
        assert isinstance(screen, CustomerScreen)
        assert "READ-ONLY" in badge_text(desk)
        assert shown_write_keys(desk) == set()
        # save an edit (no edit mode, no save), delete the customer
        for key in ("e", "ctrl+s", "d"):
            await press_refused(pilot, desk, key, why)
            assert desk.screen is screen and not screen.form.editing
        # add and remove a card
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.query_one(CardsPanel).cards, "the customer has a card on file"
        assert shown_write_keys(desk) == set()
        for key in ("a", "d"):
            await press_refused(pilot, desk, key, why)
            assert desk.screen is screen  # no dialog, no confirmation
        # add to a group (the picker, where a new group is made, never opens), remove
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.query_one(GroupsPanel).groups, "the customer is in a group"
        assert shown_write_keys(desk) == set()
        for key in ("a", "d"):
            await press_refused(pilot, desk, key, why)
            assert desk.screen is screen
        # the help panel lists no write key either
        await pilot.press("f1")
        await settle(pilot)
        assert desk.screen.query(HelpPanel)
        assert shown_write_keys(desk) == set()
    assert dump(demo_db) == before


async def test_write_keys_are_offered_when_writes_are_allowed(
    demo_db: Path, clock: FrozenClock
) -> None:
    """The control: the same walk offers every write key when the desk may write."""
    customer_id = target_customer(demo_db)
    desk = build(demo_db, clock)
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert desk.session.connected and not desk.read_only
        assert "READ-ONLY" not in badge_text(desk)
        desk.screen.query_one("#customers").focus()
        await pilot.pause()
        assert "customers.new" in shown_write_keys(desk)
        customer = await desk.session.service.retrieve_customer(customer_id)
        desk.push_screen(CustomerScreen(desk.session, customer))
        await settle(pilot)
        assert {"customer.edit", "customer.delete"} <= shown_write_keys(desk)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert {"cards.add", "cards.remove"} <= shown_write_keys(desk)
        await pilot.press("e")
        await settle(pilot)
        assert read_only_notes(desk) == []


async def test_a_read_only_token_is_found_at_connect(demo_db: Path, clock: FrozenClock) -> None:
    before = dump(demo_db)
    desk = build(demo_db, clock, Environment.SANDBOX, token=DEMO_READONLY_TOKEN)
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert not desk.settings.read_only
        assert desk.read_only and "READ-ONLY" in badge_text(desk)
        desk.screen.query_one("#customers").focus()
        await pilot.pause()
        assert shown_write_keys(desk) == set()
        await press_refused(pilot, desk, "n", "this access token cannot change customers")
        assert isinstance(desk.screen, SearchScreen)
    assert dump(demo_db) == before


async def test_a_write_refused_for_scope_flips_the_desk_to_read_only(
    demo_db: Path, clock: FrozenClock
) -> None:
    """No token status (an older server): the first 403 INSUFFICIENT_SCOPES decides."""
    before = dump(demo_db)
    desk = build(demo_db, clock, token=DEMO_READONLY_TOKEN, token_status=False)
    async with desk.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert desk.session.connected and not desk.read_only
        assert "READ-ONLY" not in badge_text(desk)
        customer = (await desk.session.service.list_customers(limit=1)).customers[0]
        desk.push_screen(CustomerScreen(desk.session, customer))
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = desk.screen
        assert isinstance(screen, CustomerScreen) and screen.form.editing
        await type_text(pilot, "x")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert desk.read_only and "READ-ONLY" in badge_text(desk)
        assert any("read-only from now on" in note for note in read_only_notes(desk))
        assert "customer.save" not in shown_write_keys(desk)
        assert "customer.delete" not in shown_write_keys(desk)
    assert dump(demo_db) == before
