"""`customer-desk customers …` and `groups …` against the embedded demo emulator.

Each command runs as a script runs it (``main(argv)``: its own emulator on a copy of the
seeded demo); stdout is parsed, stderr read, exit codes checked, and what Square holds
read back through another command or the store.
"""

from __future__ import annotations

import csv
import io
import json
import stat
from pathlib import Path

import pytest

from app.cli import main
from app.desk.exchange import CSV_HEADINGS

ADA = "ada lovelace"


class Desk:
    """``customer-desk`` on one demo database, its output captured."""

    def __init__(self, db: Path, capsys: pytest.CaptureFixture[str]) -> None:
        self.db = db
        self.capsys = capsys
        self.err = ""

    def __call__(self, *argv: str, demo: bool = True) -> tuple[int, str]:
        self.capsys.readouterr()
        code = main([*argv, *(["--demo", "--db", str(self.db)] if demo else [])])
        out, self.err = self.capsys.readouterr()
        return code, out

    def json(self, *argv: str) -> object:
        code, out = self(*argv)
        assert code == 0, self.err
        return json.loads(out)


@pytest.fixture
def desk(
    demo_db: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Desk:
    monkeypatch.setenv("CUSTOMER_DESK_CONFIG", str(demo_db.with_name("none.toml")))
    for name in ("SQUARE_ACCESS_TOKEN", "SQUARE_ENVIRONMENT", "CUSTOMER_DESK_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("CUSTOMER_DESK_READ_ONLY", raising=False)
    return Desk(demo_db, capsys)


def ada_id(desk: Desk) -> str:
    found = desk.json("customers", "search", ADA)
    assert isinstance(found, list)
    return str(found[0]["id"])


def test_search_prints_ada_as_json(desk: Desk) -> None:
    found = desk.json("customers", "search", ADA)
    assert isinstance(found, list) and found[0]["given_name"] == "Ada"
    assert found[0]["family_name"] == "Lovelace" and found[0]["email_address"] == "ada@example.com"
    some = desk.json("customers", "search", "group:VIP", "--limit", "3")
    assert isinstance(some, list) and 0 < len(some) <= 3


def test_show_prints_one_customer_or_fails(desk: Desk) -> None:
    customer_id = ada_id(desk)
    shown = desk.json("customers", "show", customer_id)
    assert isinstance(shown, dict) and shown["id"] == customer_id
    code, out = desk("customers", "show", "NO_SUCH_CUSTOMER")
    assert (code, out) == (1, "")
    assert "No customer NO_SUCH_CUSTOMER" in desk.err


def test_export_writes_every_customer_as_csv_or_json(desk: Desk, tmp_path: Path) -> None:
    code, out = desk("customers", "export", "--format", "csv")
    assert code == 0, desk.err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert tuple(rows[0]) == CSV_HEADINGS
    assert len(rows) == 300 and len({r["Square Customer ID"] for r in rows}) == 300
    target = tmp_path / "out.json"
    code, out = desk("customers", "export", "group:VIP", "--format", "json", "-o", str(target))
    assert (code, out) == (0, "")
    assert "wrote" in desk.err and str(target) in desk.err
    vip = json.loads(target.read_text())
    assert vip and all("B5N2JD2I1F23FT48MYKEZ1UA54" in c["group_ids"] for c in vip)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


IMPORT = (
    "First Name,Last Name,Email Address,Phone Number,Memo\n"
    "Grace,Hopper,grace@navy.example,+1 202-555-0101,compiler\n"
    "Alan,Turing,alan@bletchley.example,,\n"
    "Bad,Mail,not-an-email,,\n"
    "Ada,Lovelace,ada@example.com,+1 206-222-3333,\n"
)


def test_import_previews_creates_the_new_and_again_nothing(desk: Desk, tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text(IMPORT)
    code, out = desk("customers", "import", str(source), "--dry-run")
    preview = json.loads(out)
    assert code == 1  # an invalid row
    assert (preview["create"], preview["invalid"], preview["duplicate"]) == (2, 1, 1)
    assert "line 4 (Email Address): not an email address" in desk.err
    assert "line 5: likely the same as customer" in desk.err
    assert desk.json("customers", "search", "grace hopper") == []  # nothing written

    code, out = desk("customers", "import", str(source))
    report = json.loads(out)
    assert code == 1  # the invalid row was not imported
    assert [r["line"] for r in report["created"]] == [2, 3]
    grace = desk.json("customers", "search", "grace hopper")
    assert isinstance(grace, list) and [g["email_address"] for g in grace] == ["grace@navy.example"]

    code, out = desk("customers", "import", str(source))
    again = json.loads(out)
    assert again["created"] == [] and {"line": 2, "status": "exists"} in again["skipped"]
    assert len(desk.json("customers", "search", "grace hopper")) == 1  # type: ignore[arg-type]


def test_groups_list_add_and_remove_by_name_any_case(desk: Desk) -> None:
    groups = desk.json("groups", "list")
    assert isinstance(groups, list) and "VIP" in [g["name"] for g in groups]
    customer_id = ada_id(desk)
    added = desk.json("groups", "add", customer_id, "wholesale")
    assert isinstance(added, dict) and added["group"]["name"] == "Wholesale"
    shown = desk.json("customers", "show", customer_id)
    assert isinstance(shown, dict) and added["group"]["id"] in shown["group_ids"]
    desk.json("groups", "remove", customer_id, added["group"]["id"])
    shown = desk.json("customers", "show", customer_id)
    assert isinstance(shown, dict) and added["group"]["id"] not in shown["group_ids"]

    code, _ = desk("groups", "add", customer_id, "Night Owls")
    assert code == 1 and "--create" in desk.err
    made = desk.json("groups", "add", customer_id, "Night Owls", "--create")
    assert isinstance(made, dict) and made["created"] is True
    code, _ = desk("groups", "add", "NO_SUCH_CUSTOMER", "VIP")
    assert code == 1 and "No customer" in desk.err


def test_read_only_refuses_every_write_with_the_reason(desk: Desk, tmp_path: Path) -> None:
    customer_id = ada_id(desk)
    before = desk.json("customers", "show", customer_id)
    code, out = desk("groups", "add", customer_id, "VIP", "--read-only")
    assert (code, out) == (1, "")
    assert "Read-only" in desk.err and "--read-only" in desk.err
    source = tmp_path / "one.csv"
    source.write_text("First Name,Email Address\nNew,new@example.com\n")
    code, out = desk("--read-only", "customers", "import", str(source))
    assert code == 1 and "Read-only" in desk.err
    assert desk.json("customers", "show", customer_id) == before
    assert desk.json("customers", "search", "new@example.com") == []


@pytest.mark.parametrize(
    "argv",
    [
        ["customers", "search"],  # no query
        ["customers", "search", "created:>someday"],  # a malformed query
        ["customers", "export", "--format", "xml"],
        ["customers", "search", ADA, "--limit", "0"],
        ["customers", "import", "/no/such/file.csv"],
        ["groups", "frobnicate"],
        ["--profile", "nope", "groups", "list"],
    ],
)
def test_bad_usage_exits_2_with_a_message(desk: Desk, argv: list[str]) -> None:
    code, out = desk(*argv)
    assert code == 2 and out == ""
    assert desk.err.strip() and "Traceback" not in desk.err


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["customers"],
        ["customers", "search"],
        ["customers", "show"],
        ["customers", "export"],
        ["customers", "import"],
        ["groups"],
        ["groups", "list"],
        ["groups", "add"],
        ["groups", "remove"],
        ["serve"],
    ],
)
def test_every_command_has_help(desk: Desk, argv: list[str]) -> None:
    code, out = desk(*argv, "--help", demo=False)
    assert code == 0 and out.startswith("usage: customer-desk")


def test_a_profile_is_chosen_by_name(
    desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[profiles.careful]\nenvironment = "local"\nread_only = true\n')
    monkeypatch.setenv("CUSTOMER_DESK_CONFIG", str(config))
    customer_id = ada_id(desk)
    code, _ = desk("--profile", "careful", "groups", "add", customer_id, "VIP")
    assert code == 1 and "profile 'careful'" in desk.err
    code, _ = desk("groups", "add", customer_id, "VIP")  # no profile: writes
    assert code == 0, desk.err
