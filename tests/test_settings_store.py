"""The desk's writes to config.toml: one line changed, everything else kept, 0600."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from app.config import load_settings
from app.settings_store import SettingsWriteError, save_setting, with_setting

TEXT = """# my desk
environment = "sandbox"   # keep this comment
theme = "nord"

[keymap]
"customers.new" = "N"

[profiles.shop]
environment = "production"
theme = "gruvbox"

[profiles."other"]
read_only = true
"""


def test_the_top_level_line_is_replaced_and_nothing_else_changes() -> None:
    new = with_setting(TEXT, "theme", "ansi-dark")
    assert new == TEXT.replace('theme = "nord"', 'theme = "ansi-dark"')


def test_a_new_key_goes_at_the_end_of_its_table() -> None:
    new = with_setting(TEXT, "mouse", False)
    assert new == TEXT.replace('theme = "nord"\n', 'theme = "nord"\nmouse = false\n')
    other = with_setting(TEXT, "theme", "dracula", profile="other")
    assert tomllib.loads(other)["profiles"]["other"]["theme"] == "dracula"
    assert other.startswith(TEXT.rstrip("\n"))


def test_a_profile_table_gets_the_profile_s_theme() -> None:
    new = with_setting(TEXT, "theme", "monokai", profile="shop")
    data = tomllib.loads(new)
    assert data["profiles"]["shop"]["theme"] == "monokai" and data["theme"] == "nord"


def test_what_cannot_be_written_safely_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    broken = 'theme = """nord\ntheme = 1\n"""\n'
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(SettingsWriteError):
        save_setting(path, "theme", "x")
    assert path.read_text(encoding="utf-8") == broken
    with pytest.raises(SettingsWriteError):
        with_setting("", "token", "secret")


def test_a_new_file_is_private_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "fresh" / "config.toml"
    save_setting(path, "theme", "ansi-light")
    save_setting(path, "mouse", False)
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    settings = load_settings({}, config_file=path, use_keyring=False)
    assert settings.theme == "ansi-light" and settings.mouse is False
