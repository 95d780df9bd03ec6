"""The demo's start loads only what serving needs: the desk's first rows wait for it.

In a fresh interpreter the embedded demo starts on a seeded database and answers the
desk's first calls (the token's status, a search); `email_validator`, whose import
compiles large patterns, loads only when an email is first checked (a write).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys

import httpx

from app.emulator.runner import start_background

running = start_background(sys.argv[1], token="start-light-token")
try:
    auth = {"Authorization": "Bearer start-light-token"}
    status = httpx.post(running.base_url + "/oauth2/token/status", headers=auth)
    assert status.status_code == 200, status.text
    found = httpx.post(running.base_url + "/v2/customers/search", headers=auth, json={"limit": 1})
    assert found.status_code == 200 and found.json()["customers"], found.text
    assert "email_validator" not in sys.modules, "loaded before any email was checked"
    made = httpx.post(
        running.base_url + "/v2/customers",
        headers=auth,
        json={"given_name": "Light", "email_address": "not an email"},
    )
    assert made.status_code == 400 and "email" in made.text.lower(), made.text
    assert "email_validator" in sys.modules
finally:
    running.stop(1.0)
"""


def test_the_demo_starts_and_answers_without_email_validator(demo_db: Path) -> None:
    subprocess.run([sys.executable, "-c", SCRIPT, str(demo_db)], cwd=ROOT, check=True)
