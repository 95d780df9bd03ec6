"""The embedded demo's defaults: a token made for each run, a 0700 folder, 0600 files."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import httpx
import pytest

from app.cli import DEMO_DB_ENV, default_demo_db, embedded_factory, prepare_demo_files
from app.emulator import DEMO_READONLY_TOKEN, DEMO_TOKEN
from app.emulator.runner import start_background
from app.square import CustomerFields


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def answer_to(base_url: str, token: str) -> int:
    response = httpx.get(
        f"{base_url}/v2/customers",
        params={"limit": 1},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code


def test_start_background_with_a_token_accepts_it_alone(demo_db: Path) -> None:
    running = start_background(demo_db, token="a-token-for-this-run")
    try:
        assert running.token == "a-token-for-this-run"
        assert answer_to(running.base_url, "a-token-for-this-run") == 200
        assert answer_to(running.base_url, DEMO_TOKEN) == 401
        assert answer_to(running.base_url, DEMO_READONLY_TOKEN) == 401
        assert answer_to(running.base_url, "A-TOKEN-FOR-THIS-RUN") == 401
    finally:
        running.stop()


@pytest.mark.parametrize("bad", ["", "  ", " padded "])
def test_start_background_refuses_a_blank_token(demo_db: Path, bad: str) -> None:
    with pytest.raises(ValueError):
        start_background(demo_db, token=bad)


async def test_the_embedded_demo_uses_a_new_token_each_run_and_refuses_the_published_one(
    demo_db: Path,
) -> None:
    tokens = []
    for _run in range(2):
        connection = await embedded_factory(demo_db)(lambda _text: None)
        try:
            token = connection.service._token.get_secret_value()
            tokens.append(token)
            assert token not in (DEMO_TOKEN, DEMO_READONLY_TOKEN) and len(token) >= 32
            base_url = connection.service.base_url
            assert answer_to(base_url, DEMO_TOKEN) == 401
            assert answer_to(base_url, DEMO_READONLY_TOKEN) == 401
            await connection.directory.load()  # and the app itself connects
            assert connection.directory.count > 0
            created = await connection.service.create_customer(
                CustomerFields(given_name="Token", family_name="Test")
            )
            assert created.id
        finally:
            await connection.aclose()
    assert tokens[0] != tokens[1]


async def test_a_new_demo_folder_is_0700_and_its_files_0600(tmp_path: Path) -> None:
    db = tmp_path / "new" / "deeper" / "demo.sqlite3"
    connection = await embedded_factory(db)(lambda _text: None)
    try:
        await connection.service.create_customer(CustomerFields(given_name="Mode"))  # a WAL
        assert mode(db.parent) == 0o700
        files = [p for p in db.parent.iterdir() if p.name.startswith("demo.sqlite3")]
        assert db in files and len(files) >= 2  # the database and its -wal/-shm
        assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    finally:
        await connection.aclose()
    assert mode(db) == 0o600


async def test_an_existing_demo_is_tightened_at_start(
    tmp_path: Path, demo_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(DEMO_DB_ENV, raising=False)
    db = default_demo_db()
    assert db == tmp_path / "data" / "customer-desk" / "demo.sqlite3"
    db.parent.mkdir(parents=True)
    db.parent.chmod(0o755)
    shutil.copyfile(demo_db, db)
    db.chmod(0o644)
    connection = await embedded_factory(db)(lambda _text: None)
    try:
        assert mode(db.parent) == 0o700  # the app's own folder
        assert mode(db) == 0o600
    finally:
        await connection.aclose()


def test_a_folder_the_user_named_keeps_its_mode_but_the_files_are_0600(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    folder.chmod(0o755)
    db = folder / "demo.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        path = db.with_name(db.name + suffix)
        path.write_bytes(b"")
        path.chmod(0o664)
    prepare_demo_files(db)
    assert mode(folder) == 0o755
    assert [mode(db.with_name(db.name + s)) for s in ("", "-wal", "-shm")] == [0o600] * 3


def test_a_missing_database_is_made_0600_before_sqlite_opens_it(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        db = tmp_path / "fresh" / "demo.sqlite3"
        prepare_demo_files(db)
    finally:
        os.umask(old)
    assert db.exists() and db.stat().st_size == 0
    assert mode(db) == 0o600 and mode(db.parent) == 0o700


def test_the_demo_database_can_be_named_by_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DEMO_DB_ENV, str(tmp_path / "elsewhere.sqlite3"))
    assert default_demo_db() == tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv(DEMO_DB_ENV, "  ")
    assert default_demo_db().name == "demo.sqlite3"
    assert default_demo_db() != tmp_path / "elsewhere.sqlite3"
