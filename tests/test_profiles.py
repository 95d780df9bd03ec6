"""Profiles: named accounts in config.toml, chosen by --profile or CUSTOMER_DESK_PROFILE."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError, Environment, list_profiles, load_settings

CONFIG = """
theme = "nord"
read_only = false
environment = "sandbox"
token_file = "/nowhere/top.token"

[profiles.shop-live]
environment = "production"
token_env = "SHOP_LIVE_TOKEN"
read_only = true
theme = "ansi-dark"

[profiles.shop-test]
environment = "custom"
base_url = "http://127.0.0.1:9999"
token_env = "SHOP_TEST_TOKEN"

[profiles.demo]
environment = "local"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    return path


def test_profiles_are_listed_in_the_files_order(config: Path) -> None:
    assert list_profiles({}, config_file=config) == ["shop-live", "shop-test", "demo"]
    assert list_profiles({}, config_file=config.with_name("none.toml")) == []


def test_a_profile_names_its_account_and_its_token_variable(config: Path) -> None:
    env = {
        "SHOP_LIVE_TOKEN": "EAAAlive-token-value-0001",
        # The generic variables are for no profile: never sent to the profile's Square.
        "SQUARE_ACCESS_TOKEN": "EAAAother-token-value-0002",
        "SQUARE_ENVIRONMENT": "sandbox",
    }
    settings = load_settings(env, config_file=config, use_keyring=False, profile="shop-live")
    assert settings.profile == "shop-live"
    assert settings.environment is Environment.PRODUCTION
    assert settings.token is not None
    assert settings.token.get_secret_value() == "EAAAlive-token-value-0001"
    assert settings.theme == "ansi-dark"
    assert settings.read_only
    assert "shop-live" in settings.read_only_reason


def test_a_profiles_read_only_cannot_be_lifted_by_the_environment(config: Path) -> None:
    env = {"SHOP_LIVE_TOKEN": "EAAAlive-token-value-0001", "CUSTOMER_DESK_READ_ONLY": "0"}
    settings = load_settings(env, config_file=config, use_keyring=False, profile="shop-live")
    assert settings.read_only


def test_the_profile_variable_chooses_and_top_level_is_the_default(config: Path) -> None:
    env = {"CUSTOMER_DESK_PROFILE": "shop-test", "SHOP_TEST_TOKEN": "EAAAtest-token-0003"}
    settings = load_settings(env, config_file=config, use_keyring=False)
    assert settings.environment is Environment.CUSTOM
    assert settings.base_url == "http://127.0.0.1:9999"
    assert settings.theme == "nord"  # the top level's, the profile names none
    assert not settings.read_only
    local = load_settings({}, config_file=config, use_keyring=False, profile="demo")
    assert local.environment is Environment.LOCAL and local.token is None


def test_a_missing_token_or_profile_says_what_to_do(config: Path) -> None:
    secret = "EAAAother-token-value-0002"
    with pytest.raises(ConfigError, match="SHOP_LIVE_TOKEN") as caught:
        load_settings(
            {"SQUARE_ACCESS_TOKEN": secret},
            config_file=config,
            use_keyring=False,
            profile="shop-live",
        )
    assert secret not in str(caught.value)
    with pytest.raises(ConfigError, match="shop-live, shop-test, demo"):
        load_settings({}, config_file=config, use_keyring=False, profile="nope")
    with pytest.raises(ConfigError, match="profile name"):
        load_settings({}, config_file=config, use_keyring=False, profile="../x")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('token = "EAAAsecret"', "holds a token"),
        ("colour = 1", "Unknown setting"),
        ("token_env = 3", "token_env"),
        ('keyring = "yes"', "keyring"),
    ],
)
def test_a_malformed_profile_is_one_sentence(tmp_path: Path, table: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(f"[profiles.p]\n{table}\n")
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings({}, config_file=path, use_keyring=False, profile="p")
    assert "EAAAsecret" not in str(caught.value)
