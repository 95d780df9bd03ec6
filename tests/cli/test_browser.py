"""`customer-desk serve` in headless Chromium: the page loads, a search shows rows, a
customer opens. The screenshots are kept in ``.artifacts/`` (gitignored).

The terminal in the page is drawn on a canvas, so the test reads what the desk sent the
browser — the websocket's frames, escape codes taken out — and looks at the pictures.
Chromium is Debian's (``/usr/bin/chromium``; ``.ci/run`` installs it), driven through
Playwright's Python package with ``executable_path`` (Playwright's own download cannot
be used here).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / ".artifacts"
ANSI = re.compile(r"\x1b\[[0-9;?$]*[A-Za-z]|\x1b\][^\x07]*\x07")

pytestmark = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)",
    ),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(demo_db: Path, tmp_path: Path) -> Iterator[str]:
    """``customer-desk serve --demo`` on a copy of the demo, in its own process group."""
    pytest.importorskip("textual_serve", reason="the [web] extra is not installed")
    port = free_port()
    env = {**os.environ, "CUSTOMER_DESK_CONFIG": str(tmp_path / "none.toml")}
    env.pop("SQUARE_ACCESS_TOKEN", None)
    log = (tmp_path / "serve.log").open("wb")
    argv = [sys.executable, "-m", "app.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(
        [*argv, "--demo", "--db", str(demo_db)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the app processes it starts go with it
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError((tmp_path / "serve.log").read_text()) from None
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
    assert b"NO authentication" in (tmp_path / "serve.log").read_bytes()


class Screen:
    """What the desk has sent the page since a mark, as text."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.frames: list[str] = []
        self.mark = 0
        page.on("websocket", self._watch)

    def _watch(self, ws: Any) -> None:
        def received(frame: str | bytes) -> None:
            text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
            self.frames.append(ANSI.sub("", text))

        ws.on("framereceived", received)

    def since_mark(self) -> str:
        return "".join(self.frames[self.mark :])

    def set_mark(self) -> None:
        self.mark = len(self.frames)

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not check(self.since_mark()):
            if time.monotonic() > deadline:
                self.page.screenshot(path=str(ARTIFACTS / "browser-failed.png"))
                seen = " ".join(self.since_mark().split())[-600:]
                raise AssertionError(f"the page never showed {what}; it showed: {seen}")
            self.page.wait_for_timeout(100)  # lets Playwright deliver the frames


def test_the_desk_in_chromium_searches_and_opens_a_customer(served: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 800})
            screen = Screen(page)
            page.goto(served)
            screen.wait_for(lambda t: "LOCAL DEMO" in t, "the header", timeout=60)
            screen.wait_for(lambda t: "directory loaded" in t, "the loaded directory", 60)
            page.screenshot(path=str(ARTIFACTS / "browser-1-loaded.png"))

            screen.set_mark()
            page.locator("textarea.xterm-helper-textarea").focus()  # no click: no row picked
            page.keyboard.type("lovelace", delay=30)
            screen.wait_for(
                lambda t: "Lovelace" in t and "ada@example.com" in t and "1 match " in t,
                "Ada's row alone",
            )
            page.screenshot(path=str(ARTIFACTS / "browser-2-search.png"))

            screen.set_mark()
            page.keyboard.press("Enter")  # from the search box to the results
            screen.wait_for(lambda t: "Open" in t, "the table's keys")
            screen.set_mark()
            page.keyboard.press("Enter")  # open the customer
            screen.wait_for(lambda t: "Cards" in t and "Groups" in t, "the customer screen")
            screen.wait_for(lambda t: "Analytical Engines" in t, "Ada's profile")
            page.screenshot(path=str(ARTIFACTS / "browser-3-customer.png"))
        finally:
            browser.close()
