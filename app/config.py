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
| ``CUSTOMER_DESK_CACHE`` | ``cache`` | ``0``/``false``: keep the directory in memory only |
| — | ``timeout`` | seconds per request |
| ``CUSTOMER_DESK_DEADLINE`` | ``deadline`` | seconds one call may take, retries included (30) |
| ``CUSTOMER_DESK_COUNTRY`` | ``country`` | the seller's country (US): phones without + |
| — | ``[keymap]`` | binding id → keys (``"ctrl+s"`` or ``["ctrl+s", "f2"]``) |
| — | ``theme`` | the Textual theme (``textual-dark``, ``ansi-dark``…) |
| — | ``mouse`` | ``false``: the desk leaves the mouse to the terminal (select, copy) |
| ``CUSTOMER_DESK_PROFILE`` | ``[profiles.NAME]`` | a named account (:mod:`app.profiles`) |

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
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config_values import DEFAULT_DEADLINE, ConfigError, shown
from app.config_values import cache as _cache
from app.config_values import check_url as _check_url
from app.config_values import country as _country
from app.config_values import deadline as _deadline
from app.config_values import file_str as _file_str
from app.config_values import flag as _flag
from app.config_values import keymap as _keymap
from app.config_values import text as _text
from app.config_values import timeout as _timeout
from app.profiles import CONNECTION_VARIABLES, PROFILE_ENV, ProfileError, profile_values
from app.profiles import profile_names as _profile_names
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
    "list_profiles",
    "load_settings",
]

APP_NAME = "customer-desk"
DEFAULT_SQUARE_VERSION = "2025-08-20"

PRODUCTION_URL = "https://connect.squareup.com"
SANDBOX_URL = "https://connect.squareupsandbox.com"

READ_ONLY_ENV = "CUSTOMER_DESK_READ_ONLY"

_FILE_KEYS = {
    "environment",
    "base_url",
    "square_version",
    "read_only",
    "token_file",
    "timeout",
    "deadline",
    "cache",
    "keymap",
    "theme",
    "mouse",
    "profiles",
    "country",
}


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
    cache: bool = True
    """Keep the customer directory on disk between runs (off: in memory only)."""
    profile: str | None = None
    """The ``[profiles.NAME]`` in use (``--profile`` / ``CUSTOMER_DESK_PROFILE``), if any."""
    theme: str | None = None
    """The Textual theme asked for (the profile's, else the file's), if any."""
    mouse: bool = True
    """Whether the desk takes mouse events (``mouse = false``: the terminal keeps them)."""
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
        if self.read_only_source and self.read_only_source.startswith("profile "):
            return f"the {self.read_only_source} says read_only = true"
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
    profile: str | None = None,
) -> Settings:
    """The settings from ``env`` (default ``os.environ``) over ``config.toml``; with a
    ``profile`` (else ``$CUSTOMER_DESK_PROFILE``), that profile's (:mod:`app.profiles`).

    Raises ``ConfigError`` with a sentence saying what to fix; the sentence never holds
    the token, nor anything shaped like a Square token (see ``app.square.redaction``).
    """
    env = os.environ if env is None else env
    try:
        return _load_settings(env, config_file, use_keyring, profile)
    except ConfigError as exc:
        from app.square.redaction import redact

        raise ConfigError(redact(str(exc), [env.get("SQUARE_ACCESS_TOKEN", "").strip()])) from None


def list_profiles(
    env: Mapping[str, str] | None = None, *, config_file: Path | None = None
) -> list[str]:
    """The names of the config file's ``[profiles.NAME]``, in its order (raises
    ``ConfigError`` for an unreadable file)."""
    env = os.environ if env is None else env
    path = config_file if config_file is not None else config_path(env)
    values, read_from = _read_config_file(path)
    try:
        return _profile_names(values, read_from)
    except ProfileError as exc:
        raise ConfigError(str(exc)) from None


def _load_settings(
    env: Mapping[str, str], config_file: Path | None, use_keyring: bool, profile: str | None
) -> Settings:
    path = config_file if config_file is not None else config_path(env)
    file_values, read_from = _read_config_file(path)
    profile = profile if profile is not None else _text(env.get(PROFILE_ENV))
    token_env: str | None = None
    if profile:
        try:
            file_values, token_env = profile_values(file_values, profile, read_from or path)
        except ProfileError as exc:
            raise ConfigError(str(exc)) from None
        use_keyring = use_keyring and bool(file_values.pop("keyring", True))
        outer = env
        env = {k: v for k, v in env.items() if k not in CONNECTION_VARIABLES}
        if token_env and outer.get(token_env):
            env["SQUARE_ACCESS_TOKEN"] = outer[token_env]

    environment = _environment(env, file_values)
    base_url = _text(env.get("SQUARE_BASE_URL")) or _file_str(file_values, "base_url")
    if environment is None:
        environment = Environment.CUSTOM if base_url else None

    square_version = _text(env.get("SQUARE_VERSION")) or _file_str(file_values, "square_version")
    read_only = _read_only(env, file_values)
    read_only_source: str | None = None
    if profile and file_values.get("read_only") is True:  # a profile's read-only sticks
        read_only = True
        read_only_source = f"profile {profile!r} of {read_from or path}"
    elif read_only:
        from_env = env.get(READ_ONLY_ENV) is not None
        read_only_source = READ_ONLY_ENV if from_env else str(read_from or "config.toml")
    timeout = _timeout(file_values)
    deadline = _deadline(env, file_values)
    keymap = _keymap(file_values.get("keymap"))
    cache = _cache(env, file_values)
    country = _country(env, file_values)

    token: str | None = None
    token_source: str | None = None
    if environment is not Environment.LOCAL:
        token_file = _text(env.get("SQUARE_TOKEN_FILE")) or _file_str(file_values, "token_file")
        keyring_user = (
            (profile or environment.value) if use_keyring and environment is not None else None
        )
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

    if environment is not Environment.LOCAL and not token and profile:
        where = f"set {token_env}" if token_env else 'name token_env = "VARIABLE"'
        raise ConfigError(
            f"No Square access token for the profile {profile!r} ({environment.label}): "
            f"{where}, or token_file, or put it in the OS keyring under {profile!r}."
        )
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
        cache=cache,
        profile=profile or None,
        theme=_file_str(file_values, "theme"),
        mouse=_mouse(file_values),
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


def _mouse(values: Mapping[str, Any]) -> bool:
    return _flag({}, values, None, "mouse", True)


def _read_only(env: Mapping[str, str], values: Mapping[str, Any]) -> bool:
    return _flag(env, values, READ_ONLY_ENV, "read_only", False)
