"""Settings: which Square to talk to, with which token, pinned version, read-only, keymap.

Sources, highest first: environment variables, then ``config.toml`` in the user config
directory (``platformdirs.user_config_path("customer-desk")``, or the file named by
``CUSTOMER_DESK_CONFIG``), then the defaults.

| variable | config.toml key | meaning |
| --- | --- | --- |
| ``SQUARE_ACCESS_TOKEN`` | — (never in the file) | the seller's access token |
| ``SQUARE_TOKEN_FILE`` | ``token_file`` | a token file, readable by its owner only |
| ``SQUARE_ENVIRONMENT`` | ``environment`` | local, sandbox, production or custom |
| ``SQUARE_BASE_URL`` | ``base_url`` | a custom Square-compatible server (implies ``custom``) |
| ``SQUARE_VERSION`` | ``square_version`` | the pinned ``Square-Version`` header |
| ``CUSTOMER_DESK_READ_ONLY`` | ``read_only`` | ``1``/``true``: no changes are sent |
| — | ``timeout`` | seconds per request |
| ``CUSTOMER_DESK_DEADLINE`` | ``deadline`` | seconds one call may take, retries included (30) |
| ``CUSTOMER_DESK_COUNTRY`` | ``country`` | the seller's country (US): phones without + |
| — | ``[keymap]`` | binding id → keys (``"ctrl+s"`` or ``["ctrl+s", "f2"]``) |

The token is looked up in that order: ``SQUARE_ACCESS_TOKEN``, the token file, then —
when the environment is named and the optional ``keyring`` package is importable — the
OS keyring (service ``customer-desk``, user = the environment name, e.g. ``sandbox``):
:mod:`app.token_source` finds it.

Choosing the environment:

* no token anywhere and no environment named → ``LOCAL``, the embedded demo emulator;
* ``SQUARE_ENVIRONMENT`` (or ``environment``) named → that one; ``sandbox`` /
  ``production`` / ``custom`` then need a token;
* a base URL and no environment → ``CUSTOM``;
* **a token but no environment named → ``SANDBOX``.** Square tokens do not say which
  environment they belong to, and a sandbox mistaken for production is harmless while
  the reverse is not: PRODUCTION is used only when asked for by name.

Every problem is a ``ConfigError`` whose message says what to do; never a traceback.
"""

from __future__ import annotations

import enum
import math
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.square.redaction import redact, shown
from app.token_source import Secret, TokenError, find_token

__all__ = [
    "APP_NAME",
    "DEFAULT_DEADLINE",
    "DEFAULT_SQUARE_VERSION",
    "ConfigError",
    "Environment",
    "Secret",
    "Settings",
    "config_path",
    "load_settings",
]

APP_NAME = "customer-desk"
DEFAULT_SQUARE_VERSION = "2025-08-20"
DEFAULT_DEADLINE = 30.0
"""Seconds one call to Square may take, every retry and backoff included."""
MAX_DEADLINE = 600.0

PRODUCTION_URL = "https://connect.squareup.com"
SANDBOX_URL = "https://connect.squareupsandbox.com"

READ_ONLY_ENV = "CUSTOMER_DESK_READ_ONLY"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_FILE_KEYS = {
    "environment",
    "base_url",
    "square_version",
    "read_only",
    "token_file",
    "timeout",
    "deadline",
    "keymap",
    "country",
}


class ConfigError(Exception):
    """A setting is missing or wrong; the message says what to do."""


class Environment(enum.StrEnum):
    LOCAL = "local"
    SANDBOX = "sandbox"
    PRODUCTION = "production"
    CUSTOM = "custom"

    @property
    def label(self) -> str:
        """What the header shows."""
        return {
            Environment.LOCAL: "LOCAL DEMO",
            Environment.SANDBOX: "SANDBOX",
            Environment.PRODUCTION: "PRODUCTION",
            Environment.CUSTOM: "CUSTOM",
        }[self]


@dataclass(frozen=True)
class Settings:
    """Where and how to reach Square. ``base_url`` and ``token`` are ``None`` for LOCAL:
    the CLI starts the embedded emulator and supplies both."""

    environment: Environment = Environment.LOCAL
    base_url: str | None = None
    token: Secret | None = None
    token_source: str | None = None
    """Where the token came from (``SQUARE_ACCESS_TOKEN``, a file path, ``keyring``)."""
    square_version: str = DEFAULT_SQUARE_VERSION
    read_only: bool = False
    """The settings' *wish* for read-only, and only that: the effective state (which also
    asks the token) is the session's ``read_only`` (:mod:`app.session`)."""
    read_only_source: str | None = None
    """Where the wish came from: ``CUSTOMER_DESK_READ_ONLY`` or the config file's path."""
    timeout: float = 10.0
    deadline: float = DEFAULT_DEADLINE
    """Seconds one call may take, retries and their waits included."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id → keys, comma-separated as Textual takes them (``"ctrl+s,f2"``)."""
    config_file: Path | None = None
    """The config.toml that was read, if any."""
    country: str = "US"
    """The seller's country (ISO 3166 alpha-2): phone numbers typed without a ``+`` are
    read as this country's (comparing phones for duplicates)."""

    @property
    def label(self) -> str:
        """``LOCAL DEMO``, ``SANDBOX``, ``PRODUCTION`` or ``CUSTOM (host)``."""
        if self.environment is Environment.CUSTOM and self.base_url:
            host = self.base_url.split("://", 1)[-1].split("/", 1)[0]
            return f"CUSTOM ({host})"
        return self.environment.label

    @property
    def read_only_reason(self) -> str:
        """Why the settings ask for read-only, as the end of "Read-only: …"."""
        if self.read_only_source and self.read_only_source != READ_ONLY_ENV:
            return f"this desk was started with read_only = true in {self.read_only_source}"
        return f"this desk was started with {READ_ONLY_ENV}=1"

    @property
    def is_local(self) -> bool:
        return self.environment is Environment.LOCAL


def config_path(env: Mapping[str, str] | None = None) -> Path:
    """The config.toml to read: ``CUSTOMER_DESK_CONFIG`` or the user config directory."""
    env = os.environ if env is None else env
    explicit = env.get("CUSTOMER_DESK_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    import platformdirs

    return platformdirs.user_config_path(APP_NAME) / "config.toml"


def load_settings(
    env: Mapping[str, str] | None = None,
    *,
    config_file: Path | None = None,
    use_keyring: bool = True,
) -> Settings:
    """The settings from ``env`` (default ``os.environ``) over ``config.toml``.

    Raises ``ConfigError`` with a sentence saying what to fix; the sentence never holds
    the token, nor anything shaped like a Square token (see ``app.square.redaction``).
    """
    env = os.environ if env is None else env
    try:
        return _load_settings(env, config_file, use_keyring)
    except ConfigError as exc:
        raise ConfigError(redact(str(exc), [env.get("SQUARE_ACCESS_TOKEN", "").strip()])) from None


def _load_settings(env: Mapping[str, str], config_file: Path | None, use_keyring: bool) -> Settings:
    path = config_file if config_file is not None else config_path(env)
    file_values, read_from = _read_config_file(path)

    environment = _environment(env, file_values)
    base_url = _text(env.get("SQUARE_BASE_URL")) or _file_str(file_values, "base_url")
    if environment is None:
        environment = Environment.CUSTOM if base_url else None

    square_version = _text(env.get("SQUARE_VERSION")) or _file_str(file_values, "square_version")
    read_only = _read_only(env, file_values)
    read_only_source: str | None = None
    if read_only:
        from_env = env.get(READ_ONLY_ENV) is not None
        read_only_source = READ_ONLY_ENV if from_env else str(read_from or "config.toml")
    timeout = _timeout(file_values)
    deadline = _deadline(env, file_values)
    keymap = _keymap(file_values.get("keymap"))
    country = _country(env, file_values)

    token: str | None = None
    token_source: str | None = None
    if environment is not Environment.LOCAL:
        token_file = _text(env.get("SQUARE_TOKEN_FILE")) or _file_str(file_values, "token_file")
        keyring_user = environment.value if use_keyring and environment is not None else None
        try:
            token, token_source = find_token(env, token_file, keyring_user)
        except TokenError as exc:
            raise ConfigError(str(exc)) from None

    if environment is None:
        environment = Environment.SANDBOX if token else Environment.LOCAL

    if environment is Environment.LOCAL:
        base_url = None
    elif environment is Environment.SANDBOX:
        base_url = base_url or SANDBOX_URL
    elif environment is Environment.PRODUCTION:
        base_url = base_url or PRODUCTION_URL
    elif not base_url:
        raise ConfigError(
            "SQUARE_ENVIRONMENT=custom needs a server: set SQUARE_BASE_URL "
            "(for example http://127.0.0.1:8765)."
        )
    if base_url is not None:
        base_url = _check_url(base_url)

    if environment is not Environment.LOCAL and not token:
        raise ConfigError(
            f"No Square access token for {environment.label}: set SQUARE_ACCESS_TOKEN, "
            "or SQUARE_TOKEN_FILE to a file only you can read, or unset SQUARE_ENVIRONMENT "
            "to run the local demo."
        )

    return Settings(
        environment=environment,
        base_url=base_url,
        token=Secret(token) if token else None,
        token_source=token_source,
        square_version=square_version or DEFAULT_SQUARE_VERSION,
        read_only=read_only,
        read_only_source=read_only_source,
        timeout=timeout,
        deadline=deadline,
        keymap=keymap,
        config_file=read_from,
        country=country,
    )


# --------------------------------------------------------------------------- pieces


def _read_config_file(path: Path) -> tuple[dict[str, Any], Path | None]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}, None
    except OSError as exc:
        raise ConfigError(
            f"Cannot read the config file {path} ({exc.strerror or exc}): "
            "fix its permissions or remove it."
        ) from None
    try:
        values = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"The config file {path} is not valid TOML: {exc}.") from None
    if "token" in values or "access_token" in values:
        raise ConfigError(
            f"The config file {path} holds a token: remove it and use SQUARE_ACCESS_TOKEN, "
            'token_file = "..." or the OS keyring instead.'
        )
    unknown = sorted(set(values) - _FILE_KEYS)
    if unknown:
        raise ConfigError(
            f"Unknown setting(s) {', '.join(shown(k, limit=40) for k in unknown)} in {path}; "
            f"known ones are: {', '.join(sorted(_FILE_KEYS))}."
        )
    return values, path


def _text(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip()
    return value or None


def _file_str(values: Mapping[str, Any], key: str) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{key} in config.toml must be a string, not {shown(value)}.")
    return _text(value)


def _environment(env: Mapping[str, str], values: Mapping[str, Any]) -> Environment | None:
    name = _text(env.get("SQUARE_ENVIRONMENT"))
    origin = "SQUARE_ENVIRONMENT"
    if name is None:
        name = _file_str(values, "environment")
        origin = "environment in config.toml"
    if name is None:
        return None
    try:
        return Environment(name.lower())
    except ValueError:
        choices = " | ".join(e.value for e in Environment)
        raise ConfigError(f"{origin} ({shown(name)}) is not one of: {choices}.") from None


def _read_only(env: Mapping[str, str], values: Mapping[str, Any]) -> bool:
    raw = env.get(READ_ONLY_ENV)
    if raw is not None:
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"CUSTOMER_DESK_READ_ONLY is {shown(raw)}: use 1 or 0 (true or false).")
    value = values.get("read_only", False)
    if not isinstance(value, bool):
        raise ConfigError(f"read_only in config.toml must be true or false, not {shown(value)}.")
    return value


def _timeout(values: Mapping[str, Any]) -> float:
    value = values.get("timeout", 10.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(
            f"timeout in config.toml must be a number of seconds, not {shown(value)}."
        )
    return float(value)


def _deadline(env: Mapping[str, str], values: Mapping[str, Any]) -> float:
    raw = env.get("CUSTOMER_DESK_DEADLINE")
    if raw is not None:
        origin = "CUSTOMER_DESK_DEADLINE"
        try:
            value: object = float(raw.strip())
        except ValueError:
            value = None
    else:
        origin = "deadline in config.toml"
        value = values.get("deadline", DEFAULT_DEADLINE)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 < value <= MAX_DEADLINE
    ):
        raise ConfigError(
            f"{origin} must be a number of seconds above 0 and at most {MAX_DEADLINE:g}."
        )
    return float(value)


def _country(env: Mapping[str, str], values: Mapping[str, Any]) -> str:
    raw = env.get("CUSTOMER_DESK_COUNTRY")
    origin = "CUSTOMER_DESK_COUNTRY" if raw is not None else "country in config.toml"
    value = raw if raw is not None else values.get("country", "US")
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise ConfigError(f"{origin} must be a two-letter country code such as US or GB.")
    return value.strip().upper()


def _keymap(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ConfigError("[keymap] in config.toml must be a table of binding id = keys.")
    out: dict[str, str] = {}
    for binding_id, keys in value.items():
        if isinstance(keys, str) and keys.strip():
            out[binding_id] = ",".join(k.strip() for k in keys.split(",") if k.strip())
        elif (
            isinstance(keys, list) and keys and all(isinstance(k, str) and k.strip() for k in keys)
        ):
            out[binding_id] = ",".join(k.strip() for k in keys)
        else:
            raise ConfigError(
                f'keymap.{binding_id} in config.toml must be keys such as "ctrl+s" '
                f'or ["ctrl+s", "f2"], not {shown(keys)}.'
            )
    return out


def _check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or "://" not in url or not url.split("://")[1]:
        raise ConfigError(f"The base URL ({shown(url)}) must start with http:// or https://.")
    return url
