"""One setting's value read and checked: text, seconds, the keymap, a base URL.

:mod:`app.config` puts the settings together from these; every problem is a
:class:`ConfigError` whose message says what to fix.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

CACHE_ENV = "CUSTOMER_DESK_CACHE"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

__all__ = [
    "DEFAULT_DEADLINE",
    "MAX_DEADLINE",
    "ConfigError",
    "check_url",
    "deadline",
    "file_str",
    "keymap",
    "shown",
    "text",
    "timeout",
]


def shown(value: object, *, limit: int = 80) -> str:
    """How a value is echoed in an error message: :func:`app.square.redaction.shown`,
    loaded only when a message needs it (the settings load before the first frame, and
    without the client's package)."""
    from app.square.redaction import shown as redacted

    return redacted(value, limit=limit)


DEFAULT_DEADLINE = 30.0
"""Seconds one call to Square may take, every retry and backoff included."""
MAX_DEADLINE = 600.0


class ConfigError(Exception):
    """A setting is missing or wrong; the message says what to do."""


def text(value: str | None) -> str | None:
    """``value`` trimmed, or None when it is absent or blank."""
    if value is None:
        return None
    value = value.strip()
    return value or None


def file_str(values: Mapping[str, Any], key: str) -> str | None:
    """A string setting of config.toml (trimmed; None when absent or blank)."""
    value = values.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"{key} in config.toml must be a string, not {shown(value)}.")
    return text(value)


def timeout(values: Mapping[str, Any]) -> float:
    value = values.get("timeout", 10.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(
            f"timeout in config.toml must be a number of seconds, not {shown(value)}."
        )
    return float(value)


def deadline(env: Mapping[str, str], values: Mapping[str, Any]) -> float:
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


def keymap(value: Any) -> dict[str, str]:
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


def check_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")) or "://" not in url or not url.split("://")[1]:
        raise ConfigError(f"The base URL ({shown(url)}) must start with http:// or https://.")
    return url


def flag(
    env: Mapping[str, str], values: Mapping[str, Any], env_name: str | None, key: str, default: bool
) -> bool:
    """A true/false setting: ``env_name`` (``1``/``0``…) over ``key`` in config.toml."""
    raw = env.get(env_name) if env_name else None
    if raw is not None:
        text = raw.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ConfigError(f"{env_name} is {shown(raw)}: use 1 or 0 (true or false).")
    value = values.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{key} in config.toml must be true or false, not {shown(value)}.")
    return value


def cache(env: Mapping[str, str], values: Mapping[str, Any]) -> bool:
    return flag(env, values, CACHE_ENV, "cache", True)


def country(env: Mapping[str, str], values: Mapping[str, Any]) -> str:
    raw = env.get("CUSTOMER_DESK_COUNTRY")
    origin = "CUSTOMER_DESK_COUNTRY" if raw is not None else "country in config.toml"
    value = raw if raw is not None else values.get("country", "US")
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{2}", value.strip()):
        raise ConfigError(f"{origin} must be a two-letter country code such as US or GB.")
    return value.strip().upper()
