"""Settings: environment choice, token sources, config.toml, keymap, clear errors."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from pathlib import Path

import httpx
import pytest

from app.config import ConfigError, Environment, Settings, config_path, load_settings
from app.square import NetworkTimeoutError, SquareService

TOKEN = "EAAAl-test-token-0123456789"


def load(env: dict[str, str], tmp_path: Path, toml: str | None = None) -> Settings:
    path = tmp_path / "config.toml"
    if toml is not None:
        path.write_text(toml, encoding="utf-8")
    return load_settings(env, config_file=path, use_keyring=False)


def test_no_token_is_the_local_demo(tmp_path: Path) -> None:
    settings = load({}, tmp_path)
    assert settings.environment is Environment.LOCAL
    assert settings.base_url is None and settings.token is None
    assert settings.label == "LOCAL DEMO"
    assert settings.square_version == "2025-08-20"
    assert not settings.read_only


def test_a_token_without_environment_is_sandbox(tmp_path: Path) -> None:
    settings = load({"SQUARE_ACCESS_TOKEN": TOKEN}, tmp_path)
    assert settings.environment is Environment.SANDBOX
    assert settings.base_url == "https://connect.squareupsandbox.com"
    assert settings.token is not None and settings.token.get_secret_value() == TOKEN
    assert settings.token_source == "SQUARE_ACCESS_TOKEN"


def test_production_only_by_name(tmp_path: Path) -> None:
    settings = load({"SQUARE_ACCESS_TOKEN": TOKEN, "SQUARE_ENVIRONMENT": "Production"}, tmp_path)
    assert settings.environment is Environment.PRODUCTION
    assert settings.base_url == "https://connect.squareup.com"
    assert settings.label == "PRODUCTION"


def test_token_never_shows(tmp_path: Path) -> None:
    settings = load({"SQUARE_ACCESS_TOKEN": TOKEN, "SQUARE_ENVIRONMENT": "sandbox"}, tmp_path)
    assert TOKEN not in repr(settings) and TOKEN not in str(settings)
    assert TOKEN not in json.dumps(dataclasses.asdict(settings), default=str)


def test_custom_base_url(tmp_path: Path) -> None:
    settings = load(
        {"SQUARE_ACCESS_TOKEN": TOKEN, "SQUARE_BASE_URL": "http://127.0.0.1:8765/"}, tmp_path
    )
    assert settings.environment is Environment.CUSTOM
    assert settings.base_url == "http://127.0.0.1:8765"
    assert settings.label == "CUSTOM (127.0.0.1:8765)"


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SQUARE_ENVIRONMENT": "production"}, "SQUARE_ACCESS_TOKEN"),
        ({"SQUARE_ENVIRONMENT": "staging"}, "not one of"),
        ({"SQUARE_ENVIRONMENT": "custom", "SQUARE_ACCESS_TOKEN": TOKEN}, "SQUARE_BASE_URL"),
        ({"SQUARE_BASE_URL": "ftp://x", "SQUARE_ACCESS_TOKEN": TOKEN}, "http://"),
        ({"SQUARE_ACCESS_TOKEN": "Bearer abc"}, "Bearer"),
        ({"SQUARE_ACCESS_TOKEN": "ab\x00c"}, "control characters"),
        ({"CUSTOMER_DESK_READ_ONLY": "maybe"}, "use 1 or 0"),
        ({"SQUARE_TOKEN_FILE": "/nonexistent/token"}, "does not exist"),
    ],
)
def test_problems_are_one_clear_sentence(env: dict[str, str], says: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=says) as info:
        load(env, tmp_path)
    assert TOKEN not in str(info.value)


def test_token_file(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")
    token_file.chmod(0o600)
    settings = load(
        {"SQUARE_TOKEN_FILE": str(token_file), "SQUARE_ENVIRONMENT": "sandbox"}, tmp_path
    )
    assert settings.token is not None and settings.token.get_secret_value() == TOKEN
    assert settings.token_source == str(token_file)


def test_token_file_readable_by_others_is_refused(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN, encoding="utf-8")
    token_file.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600") as info:
        load({"SQUARE_TOKEN_FILE": str(token_file)}, tmp_path)
    assert TOKEN not in str(info.value)


def test_empty_token_file_is_refused(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("\n", encoding="utf-8")
    token_file.chmod(0o600)
    with pytest.raises(ConfigError, match="empty"):
        load({"SQUARE_TOKEN_FILE": str(token_file)}, tmp_path)


def test_config_file_with_environment_variables_over_it(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN, encoding="utf-8")
    token_file.chmod(0o600)
    toml = f"""
environment = "production"
token_file = "{token_file}"
square_version = "2024-01-18"
read_only = true
timeout = 5

[keymap]
save = "ctrl+s"
quit = ["ctrl+q", "f10"]
"""
    settings = load({}, tmp_path, toml)
    assert settings.environment is Environment.PRODUCTION
    assert settings.square_version == "2024-01-18"
    assert settings.read_only and settings.timeout == 5.0
    assert settings.keymap == {"save": "ctrl+s", "quit": "ctrl+q,f10"}
    assert settings.config_file == tmp_path / "config.toml"

    over = load(
        {
            "SQUARE_ENVIRONMENT": "sandbox",
            "CUSTOMER_DESK_READ_ONLY": "0",
            "SQUARE_VERSION": "2025-08-20",
        },
        tmp_path,
        toml,
    )
    assert over.environment is Environment.SANDBOX
    assert not over.read_only and over.square_version == "2025-08-20"


def test_the_read_only_wish_says_where_it_came_from(tmp_path: Path) -> None:
    from_file = load({}, tmp_path, "read_only = true\n")
    assert from_file.read_only and from_file.read_only_source == str(tmp_path / "config.toml")
    assert "read_only = true in" in from_file.read_only_reason
    from_env = load({"CUSTOMER_DESK_READ_ONLY": "1"}, tmp_path, "read_only = false\n")
    assert from_env.read_only and from_env.read_only_source == "CUSTOMER_DESK_READ_ONLY"
    assert from_env.read_only_reason.endswith("CUSTOMER_DESK_READ_ONLY=1")
    assert load({}, tmp_path, "").read_only_source is None


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("environment = ", "not valid TOML"),
        ('token = "abc"', "holds a token"),
        ('colour = "red"', "Unknown setting"),
        ("read_only = 3", "true or false"),
        ("timeout = -1", "number of seconds"),
        ("[keymap]\nsave = 3", "keymap.save"),
        ('keymap = "x"', "table"),
    ],
)
def test_bad_config_file(toml: str, says: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=says):
        load({}, tmp_path, toml)


def test_explicit_local_ignores_a_token(tmp_path: Path) -> None:
    settings = load({"SQUARE_ENVIRONMENT": "local", "SQUARE_ACCESS_TOKEN": TOKEN}, tmp_path)
    assert settings.environment is Environment.LOCAL and settings.token is None


def test_config_path(tmp_path: Path) -> None:
    assert config_path({"CUSTOMER_DESK_CONFIG": str(tmp_path / "c.toml")}) == tmp_path / "c.toml"
    assert config_path({}).name == "config.toml"


class FakeKeyring:
    """Stands in for the optional third-party `keyring` package."""

    def __init__(self, passwords: dict[tuple[str, str], str], broken: bool = False) -> None:
        self.passwords = passwords
        self.broken = broken

    def get_password(self, service: str, user: str) -> str | None:
        if self.broken:
            raise RuntimeError("keyring locked")
        return self.passwords.get((service, user))


def test_token_from_the_os_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(
        sys.modules, "keyring", FakeKeyring({("customer-desk", "production"): TOKEN})
    )
    path = tmp_path / "config.toml"
    settings = load_settings({"SQUARE_ENVIRONMENT": "production"}, config_file=path)
    assert settings.token is not None and settings.token.get_secret_value() == TOKEN
    assert settings.token_source == "keyring"
    # without a named environment the keyring is not consulted: the local demo
    assert load_settings({}, config_file=path).environment is Environment.LOCAL


def test_a_broken_keyring_is_no_keyring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "keyring", FakeKeyring({}, broken=True))
    with pytest.raises(ConfigError, match="No Square access token for SANDBOX"):
        load_settings({"SQUARE_ENVIRONMENT": "sandbox"}, config_file=tmp_path / "c.toml")


def test_an_unreadable_config_file(tmp_path: Path) -> None:
    folder = tmp_path / "config.toml"
    folder.mkdir()  # a directory where the file should be: unreadable as a file
    with pytest.raises(ConfigError, match="Cannot read the config file"):
        load_settings({}, config_file=folder, use_keyring=False)


def test_the_call_deadline_from_file_and_environment(tmp_path: Path) -> None:
    assert load({}, tmp_path).deadline == 30.0
    assert load({}, tmp_path, "deadline = 12").deadline == 12.0
    over = load({"CUSTOMER_DESK_DEADLINE": " 4.5 "}, tmp_path, "deadline = 12")
    assert over.deadline == 4.5


@pytest.mark.parametrize(
    ("env", "toml"),
    [
        ({"CUSTOMER_DESK_DEADLINE": "inf"}, None),
        ({"CUSTOMER_DESK_DEADLINE": "nan"}, None),
        ({"CUSTOMER_DESK_DEADLINE": "0"}, None),
        ({"CUSTOMER_DESK_DEADLINE": "EAAAl-pasted-token-by-mistake"}, None),
        ({}, "deadline = 100000"),
        ({}, "deadline = true"),
        ({}, 'deadline = "EAAAl-pasted-token-by-mistake"'),
    ],
)
def test_a_bad_deadline_is_refused_without_echoing_it(
    env: dict[str, str], toml: str | None, tmp_path: Path
) -> None:
    with pytest.raises(ConfigError, match="number of seconds above 0 and at most 600") as info:
        load(env, tmp_path, toml)
    assert "pasted" not in str(info.value)


async def test_the_service_takes_its_deadline_from_settings(tmp_path: Path) -> None:
    settings = load({"SQUARE_ACCESS_TOKEN": TOKEN, "CUSTOMER_DESK_DEADLINE": "0.2"}, tmp_path)

    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    service = SquareService.from_settings(settings, transport=httpx.MockTransport(never))
    async with service:
        with pytest.raises(NetworkTimeoutError) as info:
            await service.list_customers()
    assert "within 0.2 s" in str(info.value)
