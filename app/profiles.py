"""Named accounts: ``[profiles.NAME]`` tables in config.toml, one Square account each.

A profile names everything that says *which* Square the desk talks to and how safely:

```toml
[profiles.shop-live]
environment = "production"
token_env = "SHOP_LIVE_TOKEN"     # the variable holding its token (never the token itself)
read_only = true                  # sticks: CUSTOMER_DESK_READ_ONLY=0 cannot lift it
theme = "ansi-dark"

[profiles.shop-test]
environment = "sandbox"
token_file = "~/.config/customer-desk/shop-test.token"   # chmod 600
```

Keys: ``environment``, ``base_url``, ``square_version``, ``token_env``, ``token_file``,
``keyring`` (true by default: the OS keyring, service ``customer-desk``, user = the
profile's name), ``read_only``, ``timeout``, ``deadline``, ``theme``. The top-level
settings are the defaults of every profile, except how to reach Square: with a profile,
``environment``, ``base_url`` and the token come from the profile alone (the variables
``SQUARE_ENVIRONMENT``, ``SQUARE_BASE_URL``, ``SQUARE_TOKEN_FILE`` and
``SQUARE_ACCESS_TOKEN`` are not read), so that a token meant for one account never goes
to another. ``--profile NAME`` or ``CUSTOMER_DESK_PROFILE`` chooses one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "CONNECTION_VARIABLES",
    "PROFILE_ENV",
    "PROFILE_KEYS",
    "ProfileError",
    "check_name",
    "profile_names",
    "profile_values",
]

PROFILE_ENV = "CUSTOMER_DESK_PROFILE"
"""Names the profile when ``--profile`` does not."""

PROFILE_KEYS = frozenset(
    {
        "environment",
        "base_url",
        "square_version",
        "token_env",
        "token_file",
        "keyring",
        "read_only",
        "timeout",
        "deadline",
        "theme",
    }
)

CONNECTION_VARIABLES = (
    "SQUARE_ENVIRONMENT",
    "SQUARE_BASE_URL",
    "SQUARE_TOKEN_FILE",
    "SQUARE_ACCESS_TOKEN",
)
"""The variables a profile replaces: which Square, and with which token."""

_CONNECTION_KEYS = ("environment", "base_url", "token_file")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
_VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")


class ProfileError(ValueError):
    """A profile is unknown or malformed; the message says what to fix."""


def check_name(name: str) -> str:
    """``name`` when it can be a profile's name (letters, digits, ``-_.``, 64 at most)."""
    if not _NAME.fullmatch(name):
        raise ProfileError(
            f"{name[:40]!r} is not a profile name: use letters, digits, '-', '_' or '.'."
        )
    return name


def _tables(values: Mapping[str, Any], path: Path | None) -> dict[str, Any]:
    tables = values.get("profiles", {})
    if not isinstance(tables, dict):
        raise ProfileError(f"profiles in {path or 'config.toml'} must be [profiles.NAME] tables.")
    return tables


def profile_names(values: Mapping[str, Any], path: Path | None = None) -> list[str]:
    """The profiles of a config file's values, in the file's order."""
    return list(_tables(values, path))


def profile_values(
    values: Mapping[str, Any], name: str, path: Path | None = None
) -> tuple[dict[str, Any], str | None]:
    """The file's values as the profile ``name`` sees them — the top level with the
    profile's table over it, the top level's connection keys dropped — and the name of
    the variable holding its token (``token_env``), if any."""
    check_name(name)
    tables = _tables(values, path)
    where = path or "config.toml"
    if name not in tables:
        known = ", ".join(tables) or "none"
        raise ProfileError(f"No profile {name!r} in {where} (profiles there: {known}).")
    table = tables[name]
    if not isinstance(table, dict):
        raise ProfileError(f"profiles.{name} in {where} must be a table of settings.")
    if "token" in table or "access_token" in table:
        raise ProfileError(
            f"profiles.{name} in {where} holds a token: remove it and name where the token "
            'is instead (token_env = "VARIABLE", token_file = "...", or the OS keyring).'
        )
    unknown = sorted(set(table) - PROFILE_KEYS)
    if unknown:
        raise ProfileError(
            f"Unknown setting(s) {', '.join(k[:40] for k in unknown)} in profiles.{name} of "
            f"{where}; known ones are: {', '.join(sorted(PROFILE_KEYS))}."
        )
    token_env = table.get("token_env")
    if token_env is not None and (
        not isinstance(token_env, str) or not _VARIABLE.fullmatch(token_env)
    ):
        raise ProfileError(
            f"token_env in profiles.{name} must name an environment variable, "
            'such as "SHOP_LIVE_TOKEN".'
        )
    keyring = table.get("keyring", True)
    if not isinstance(keyring, bool):
        raise ProfileError(f"keyring in profiles.{name} must be true or false.")
    merged = {k: v for k, v in values.items() if k != "profiles" and k not in _CONNECTION_KEYS}
    merged.update({k: v for k, v in table.items() if k not in ("token_env", "keyring")})
    merged["keyring"] = keyring
    return merged, token_env
