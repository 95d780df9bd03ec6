"""Settings the desk writes back to config.toml: the theme chosen, the mouse switched off.

The file is the user's: only the one line ``key = value`` is replaced (or added), in the
top-level table or in a profile's ``[profiles.NAME]`` table; comments, order and every
other line stay as they were. The new text is parsed before it is written, and must
read back the value where it was meant to go, else nothing is written. It is written
atomically (a temporary file beside it, renamed), readable by its owner only (``0600``),
in a folder made ``0700`` when the desk creates it. A token is never written here.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["SettingsWriteError", "save_setting", "with_setting"]

WRITABLE = frozenset({"theme", "mouse"})
"""The keys the desk writes."""


class SettingsWriteError(Exception):
    """The setting could not be written; the message says why (the file is unchanged)."""


def _toml_value(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)  # a TOML basic string is a JSON string


def _header_name(line: str) -> str | None:
    """The table a ``[header]`` line opens (``profiles.shop`` for ``[profiles."shop"]``)."""
    match = re.match(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$", line)
    if match is None:
        return None
    parts = [part.strip().strip('"').strip("'") for part in match.group(1).split(".")]
    return ".".join(parts)


def with_setting(text: str, key: str, value: str | bool, profile: str | None = None) -> str:
    """``text`` (a config.toml) with ``key = value`` in the top-level table, or in
    ``[profiles.PROFILE]``; raises :class:`SettingsWriteError` when that cannot be done
    without changing anything else."""
    if key not in WRITABLE:
        raise SettingsWriteError(f"The desk does not write {key!r} to config.toml.")
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    wanted = None if profile is None else f"profiles.{profile}"
    start, end = 0, len(lines)
    if wanted is not None:
        opening = next((i for i, line in enumerate(lines) if _header_name(line) == wanted), None)
        if opening is None:
            lines += ["\n", f"[profiles.{json.dumps(profile)}]\n"]
            opening = len(lines) - 1
        start = opening + 1
    end = next(
        (i for i in range(start, len(lines)) if lines[i].lstrip().startswith("[")), len(lines)
    )
    new_line = f"{key} = {_toml_value(value)}\n"
    pattern = re.compile(rf"\s*{re.escape(key)}\s*=")
    found = next((i for i in range(start, end) if pattern.match(lines[i])), None)
    if found is not None:
        lines[found] = new_line
    else:
        at = end
        while at > start and not lines[at - 1].strip():
            at -= 1  # before the blank lines that part this table from the next
        lines.insert(at, new_line)
    result = "".join(lines)
    _check(result, key, value, profile)
    return result


def _check(text: str, key: str, value: str | bool, profile: str | None) -> None:
    try:
        data: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsWriteError(f"config.toml could not be updated safely ({error}).") from None
    table: Any = data
    if profile is not None:
        table = data.get("profiles", {}).get(profile, {})
    if not isinstance(table, dict) or table.get(key) != value:
        raise SettingsWriteError(
            f"config.toml could not be updated safely: {key} would not read back as set."
        )


def save_setting(path: Path, key: str, value: str | bool, profile: str | None = None) -> None:
    """Write ``key = value`` into the config file at ``path`` (see the module)."""
    path = path.expanduser()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsWriteError(f"Cannot read {path}: {error}.") from None
    new = with_setting(text, key, value, profile)
    folder = path.parent
    try:
        if not folder.exists():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as error:
        raise SettingsWriteError(f"Cannot write {path}: {error.strerror or error}.") from None
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(new)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise SettingsWriteError(f"Cannot write {path}: {error.strerror or error}.") from None
