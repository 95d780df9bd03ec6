"""The `customer-desk` command's wiring: the embedded demo over loopback, and bad settings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.cli import embedded_factory, main


async def test_the_embedded_demo_serves_a_seeded_directory_over_loopback(tmp_path: Path) -> None:
    steps: list[str] = []
    connection = await embedded_factory(tmp_path / "demo.sqlite3")(steps.append)
    try:
        assert steps and "demo" in steps[0]
        assert connection.service.base_url.startswith("http://127.0.0.1:")
        await connection.directory.load()
        assert connection.directory.count >= 2000
        results = await connection.directory.search("ada lovelace")
        assert results.customers[0].display_name == "Ada Lovelace"
    finally:
        await connection.aclose()
    assert (tmp_path / "demo.sqlite3").exists()


async def test_the_embedded_demo_honours_read_only(tmp_path: Path) -> None:
    """`CUSTOMER_DESK_READ_ONLY=1 customer-desk --demo`: the session's wish reaches the
    client, whatever the connector does."""
    import sqlite3
    from contextlib import closing

    from app.config import Settings
    from app.session import Session
    from app.square import CustomerFields, ReadOnlyError

    db = tmp_path / "demo.sqlite3"
    settings = Settings(read_only=True)
    session = Session(settings, embedded_factory(db, settings))
    assert session.read_only and not session.may_write("UpdateCustomer")  # before connecting
    await session.connect(lambda _: None)
    try:
        assert session.read_only and session.service.read_only
        assert session.access is session.service.access  # one decision
        customer = (await session.service.list_customers(limit=1)).customers[0]
        with closing(sqlite3.connect(db)) as conn:
            before = list(conn.iterdump())
        with pytest.raises(ReadOnlyError, match="CUSTOMER_DESK_READ_ONLY=1"):
            await session.service.update_customer(customer.id, CustomerFields(note="x"))
        with pytest.raises(ReadOnlyError):
            await session.service.delete_customer(customer.id)
        with closing(sqlite3.connect(db)) as conn:
            assert list(conn.iterdump()) == before
    finally:
        await session.aclose()


def test_a_bad_setting_is_one_sentence_and_exit_code_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SQUARE_ACCESS_TOKEN", "secret-token-value")
    monkeypatch.setenv("SQUARE_ENVIRONMENT", "staging")
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "SQUARE_ENVIRONMENT" in err and "sandbox" in err
    assert "secret-token-value" not in err
    assert "Traceback" not in err


def test_cache_clear_and_the_cache_switch(tmp_path: Path, monkeypatch: Any, capsys: Any) -> None:
    from app import cli
    from app.config import ConfigError, load_settings
    from app.directory import place

    folder = tmp_path / "directory"
    folder.mkdir()
    for name in ("sandbox-x-M1.directory.sqlite3", "sandbox-x-M1.directory.sqlite3-wal"):
        (folder / name).write_text("")
    (folder / "keep.txt").write_text("not a store")
    monkeypatch.setattr(place, "default_folder", lambda: folder)
    assert cli.main(["cache", "clear"]) == 0
    assert "removed 2 file(s)" in capsys.readouterr().out
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    none = tmp_path / "none.toml"
    assert load_settings({}, config_file=none, use_keyring=False).cache is True
    off = load_settings({"CUSTOMER_DESK_CACHE": "0"}, config_file=none, use_keyring=False)
    assert off.cache is False and cli.store_place(off, tmp_path / "d.sqlite3").folder is None
    toml = tmp_path / "c.toml"
    toml.write_text("cache = false\n")
    assert load_settings({}, config_file=toml, use_keyring=False).cache is False
    try:
        load_settings({"CUSTOMER_DESK_CACHE": "maybe"}, config_file=none, use_keyring=False)
    except ConfigError as error:
        assert "CUSTOMER_DESK_CACHE" in str(error)
    else:
        raise AssertionError("a bad CUSTOMER_DESK_CACHE was accepted")


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["--demo"],
        ["--demo", "--db", "x.sqlite3"],
        ["--db=x.sqlite3", "--read-only"],
        ["--profile", "serve"],  # a command's name as an option's value
        ["--pro", "shop", "--de"],  # abbreviated options
        ["--no-journal", "--no-cache"],
    ],
)
def test_the_desk_s_options_parse_as_the_whole_parser_does(argv: list[str]) -> None:
    """A plain `customer-desk [OPTIONS]` is parsed without the command modules, to the
    same arguments as the whole command line's parser gives."""
    from app.cli import build_parser, desk_options

    light = desk_options(argv)
    assert light is not None
    assert vars(light) == vars(build_parser().parse_args(argv))


@pytest.mark.parametrize(
    "argv",
    [
        ["customers", "search", "ada"],
        ["serve"],
        ["--demo", "groups", "list"],
        ["-h"],
        ["--he"],
        ["bogus"],
        ["--bogus"],
        ["--profile"],
        ["--"],
    ],
)
def test_anything_else_goes_to_the_whole_parser(argv: list[str]) -> None:
    from app.cli import desk_options

    assert desk_options(argv) is None
