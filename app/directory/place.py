"""Where a seller's directory store lives: one SQLite file per seller and environment in
the user data folder, or memory only.

The file is named by the environment and server (``sandbox-connect.squareupsandbox.com``,
or ``local-<hash of the demo database's path>`` for the embedded demo) and the seller's
merchant id, as RetrieveTokenStatus gives it — never by the token. Without a merchant id
(Square could not say) or with the cache off, the store is kept in memory for the run.
``customer-desk cache clear`` removes every store file (:func:`clear`).
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["StorePlace", "clear", "default_folder", "scope_for"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
SUFFIX = ".directory.sqlite3"


def default_folder() -> Path:
    """``directory/`` in the app's user data folder."""
    from platformdirs import user_data_path

    return user_data_path("customer-desk", appauthor=False) / "directory"


def scope_for(environment: str, base_url: str | None = None, demo_db: Path | None = None) -> str:
    """The environment-and-server part of a store's name."""
    if demo_db is not None:
        digest = hashlib.sha256(str(demo_db.expanduser().resolve()).encode()).hexdigest()[:12]
        return f"{environment}-{digest}"
    host = (base_url or "").split("://", 1)[-1].split("/", 1)[0]
    return f"{environment}-{host}" if host else environment


@dataclass(frozen=True)
class StorePlace:
    """A folder for store files (``None``: memory only) and the scope they are named by."""

    folder: Path | None
    scope: str

    def path_for(self, merchant_id: str | None) -> Path | None:
        """The store file for this seller, or ``None`` (memory) when the cache is off or
        the seller is unknown."""
        if self.folder is None or not merchant_id:
            return None
        name = _UNSAFE.sub("_", f"{self.scope}-{merchant_id}").strip("._-")[:150]
        return self.folder / f"{name}{SUFFIX}"


def clear(folder: Path | None = None) -> list[Path]:
    """Remove every store file (with its journals) from ``folder``; returns what went."""
    folder = folder or default_folder()
    removed: list[Path] = []
    if not folder.is_dir():
        return removed
    for path in sorted(folder.iterdir()):
        base = path.name.removesuffix("-wal").removesuffix("-shm").removesuffix("-journal")
        if base.endswith(SUFFIX) and path.is_file() and not path.is_symlink():
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
    return removed
