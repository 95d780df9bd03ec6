"""Where the access token comes from: the environment, a file only its owner can read, the keyring.

Looked up in that order: ``SQUARE_ACCESS_TOKEN``; the token file (``SQUARE_TOKEN_FILE``
or ``token_file`` in config.toml), refused when other users can read it; then — when
the environment is named and the optional ``keyring`` package is importable — the OS
keyring (service ``customer-desk``, user = the environment name, e.g. ``sandbox``).
A token is held as a :class:`Secret`, which never shows its value. Every problem is a
:class:`TokenError` whose message says what to do and never holds the token.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from app.config_values import shown

__all__ = ["KEYRING_SERVICE", "Secret", "TokenError", "check_token", "find_token"]

KEYRING_SERVICE = "customer-desk"


class TokenError(Exception):
    """The token cannot be used; the message says what to do."""


class Secret:
    """A token that shows as ``**********`` in every repr, str and log line.

    (Settings are read before the first frame, so this module stays clear of pydantic;
    the service accepts this or pydantic's ``SecretStr`` alike.)
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def find_token(
    env: Mapping[str, str], token_file: str | None, keyring_user: str | None
) -> tuple[str | None, str | None]:
    """``(token, where it came from)``, or ``(None, None)`` when there is none.
    ``keyring_user`` is the environment's name when the keyring may be asked."""
    token = (env.get("SQUARE_ACCESS_TOKEN") or "").strip()
    if token:
        return check_token(token, "SQUARE_ACCESS_TOKEN"), "SQUARE_ACCESS_TOKEN"
    if token_file:
        path = Path(token_file).expanduser()
        return read_token_file(path), str(path)
    if keyring_user is not None:
        token = keyring_token(keyring_user) or ""
        if token:
            return check_token(token, "the OS keyring"), "keyring"
    return None, None


def read_token_file(path: Path) -> str:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise TokenError(
            f"The token file {shown(str(path), limit=160)} does not exist: create it or fix "
            "SQUARE_TOKEN_FILE."
        ) from None
    except OSError as exc:
        raise TokenError(
            f"Cannot read the token file {shown(str(path), limit=160)} "
            f"({exc.strerror or type(exc).__name__})."
        ) from None
    if os.name == "posix" and info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise TokenError(
            f"The token file {path} can be read by other users: run `chmod 600 {path}` "
            "(and consider rotating the token)."
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TokenError(f"Cannot read the token file {path} ({exc}).") from None
    token = text.strip()
    if not token:
        raise TokenError(f"The token file {path} is empty: put the access token in it.")
    return check_token(token, f"the token file {path}")


def keyring_token(user: str) -> str | None:
    try:
        import keyring  # type: ignore[import-not-found, unused-ignore]
    except Exception:  # not installed, or no usable backend
        return None
    try:
        value = keyring.get_password(KEYRING_SERVICE, user)
    except Exception:  # a locked or broken keyring is the same as no keyring
        return None
    return value.strip() if isinstance(value, str) and value.strip() else None


def check_token(token: str, origin: str) -> str:
    if token.lower().startswith("bearer "):
        raise TokenError(
            f"The access token from {origin} starts with 'Bearer': give the token alone."
        )
    if any(ch.isspace() for ch in token) or not token.isprintable():
        raise TokenError(
            f"The access token from {origin} contains spaces or control characters: "
            "copy it again from the Square Developer Console."
        )
    return token
