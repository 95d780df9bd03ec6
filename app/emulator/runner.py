"""Start and stop the emulator over uvicorn: the TUI's demo thread, `customer-desk emulator`."""

from __future__ import annotations

import argparse
import ipaddress
import logging
import socket
import sqlite3
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import ALL_SCOPES, DEMO_READONLY_TOKEN, DEMO_TOKEN
from .faults import Faults
from .schema import SCHEMA_VERSION, SchemaVersionError
from .seed import seed_demo
from .seed_attributes import SEEDED, seed_custom_attributes
from .seed_duplicates import SEED_VERSION
from .store import Store

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765
DEFAULT_CUSTOMERS = 2500
DEFAULT_SEED = 7


def default_db_path() -> Path:
    """The demo database in the user data directory (the one the TUI's embedded demo uses)."""
    import platformdirs

    return platformdirs.user_data_path("customer-desk", appauthor=False) / "demo.sqlite3"


def open_demo_store(
    path: str | Path, *, customers: int = DEFAULT_CUSTOMERS, seed: int = DEFAULT_SEED
) -> Store:
    """Open (creating) the store at `path` and seed it with the demo directory when empty.

    The demo database outlives app upgrades. A demo of an older schema version the store
    upgrades in place (`schema.MIGRATIONS`) keeps its customers and gets what the demo has
    since gained (its custom attributes). When the file holds a demo of another schema
    version (or, at the default demo path, anything unreadable), it is moved aside to
    `<name>.old-<version>` and a fresh demo is seeded; `store.replaced` then names the old
    file and a warning is logged on `app.emulator.runner` (never printed: a TUI may be
    running). Any other file of another version raises `SchemaVersionError`.
    """
    target = Path(path)
    try:
        store = Store(target)
        replaced = None
    except SchemaVersionError as exc:
        if not (_is_demo(target) or _same_file(target, default_db_path())):
            raise
        replaced = _move_aside(target, "unknown" if exc.found is None else str(exc.found))
        log.warning(
            "The demo database %s was of schema version %s (this version needs %s): "
            "moved it to %s and seeded a new demo.",
            target,
            "unknown" if exc.found is None else exc.found,
            SCHEMA_VERSION,
            replaced,
        )
        store = Store(target)
    seeded = store.get_meta("seed_version")
    if store.get_meta("seed") is not None and seeded != SEED_VERSION:
        # A demo seeded with other data (before its duplicate families): a fresh one.
        store.close()
        replaced = _move_aside(target, f"seed{seeded or 1}")
        log.warning(
            "The demo database %s held demo data version %s (this version seeds %s): "
            "moved it to %s and seeded a new demo.",
            target,
            seeded or 1,
            SEED_VERSION,
            replaced,
        )
        store = Store(target)
    store.replaced = replaced
    if store.get_meta("seed") is None and store.customer_count() == 0:
        seed_demo(store, customers=customers, seed=seed)
    elif store.get_meta("seed") is not None and store.get_meta(SEEDED) is None:
        # A demo upgraded in place from before custom attributes: give it the demo's.
        seed_custom_attributes(store, store.customers_by_creation(), seed=seed)
    return store


def _is_demo(path: Path) -> bool:
    """Whether `path` is a demo database of any version (seed_demo always wrote `meta.seed`)."""
    try:
        conn = sqlite3.connect(path)
        try:
            has_meta = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'"
            ).fetchone()
            if not has_meta:
                return False
            return conn.execute("SELECT 1 FROM meta WHERE key = 'seed'").fetchone() is not None
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def _move_aside(path: Path, version: str) -> Path:
    """Rename the database (and any journal beside it) to `<name>.old-<version>[-n]`."""
    base = path.with_name(f"{path.name}.old-{version}")
    target, n = base, 1
    while target.exists():
        n += 1
        target = base.with_name(f"{base.name}-{n}")
    path.rename(target)
    for suffix in ("-wal", "-shm", "-journal"):
        journal = path.with_name(path.name + suffix)
        if journal.exists():
            journal.rename(target.with_name(target.name + suffix))
    return target


@dataclass
class RunningEmulator:
    """An emulator served by uvicorn in a daemon thread."""

    base_url: str
    token: str
    store: Store
    _server: object = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def replaced(self) -> Path | None:
        """The older demo database moved aside at start (see `open_demo_store`), if any."""
        return self.store.replaced

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and close the store."""
        setattr(self._server, "should_exit", True)  # noqa: B010 - uvicorn.Server is untyped
        self._thread.join(timeout)
        self.store.close()


def _bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket for uvicorn.

    `proto` must say TCP: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
    sockets whose proto is IPPROTO_TCP, and accepted sockets inherit the listener's.
    Without it, an answer written in two parts (headers, then body) waits for the
    client's delayed ACK: some 40 ms on every request of a kept-alive connection.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def start_background(
    path: str | Path,
    host: str = "127.0.0.1",
    port: int = 0,
    faults: Faults | None = None,
    *,
    quiet: bool = True,
    token: str | None = None,
) -> RunningEmulator:
    """Serve the demo store at `path` on `host:port` (0: a free port) in a daemon thread.

    `quiet` keeps uvicorn's log lines off stderr (they would scribble over a running TUI).
    `token`, when given, is the only bearer token accepted (with every scope) — the
    published demo tokens are then refused; without it, those are accepted.
    """
    import uvicorn

    from .asgi import create_app

    if token is not None and (not token.strip() or token != token.strip()):
        raise ValueError("the emulator's token must be non-empty, without surrounding spaces")
    store = open_demo_store(path)
    tokens = {token: ALL_SCOPES} if token is not None else None
    app = create_app(store, tokens=tokens, faults=faults)
    sock = _bind(host, port)
    actual_port = int(sock.getsockname()[1])
    if quiet:
        for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
            logger = logging.getLogger(name)
            logger.addHandler(logging.NullHandler())
            logger.propagate = False
    config = uvicorn.Config(
        app,
        log_level="warning",
        lifespan="off",
        access_log=False,
        log_config=None if quiet else uvicorn.config.LOGGING_CONFIG,
        timeout_graceful_shutdown=1,  # `stop` must not wait on a client that hangs on
    )
    server = uvicorn.Server(config)
    started = threading.Event()

    def run() -> None:
        started.set()
        server.run(sockets=[sock])

    thread = threading.Thread(target=run, name="customer-desk-emulator", daemon=True)
    thread.start()
    started.wait(5)
    return RunningEmulator(
        _url(host, actual_port), token if token is not None else DEMO_TOKEN, store, server, thread
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="customer-desk emulator",
        description="Serve the local Square-compatible emulator over HTTP.",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="interface (default 127.0.0.1); any other than loopback needs --token",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0: any free)")
    parser.add_argument("--db", type=Path, default=None, help="SQLite file (default: user data)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="demo data seed")
    parser.add_argument(
        "--customers", type=int, default=DEFAULT_CUSTOMERS, help="customers in a new demo"
    )
    parser.add_argument(
        "--token",
        default=None,
        help="the bearer token to accept, with every scope, instead of the published demo "
        "tokens (required with a non-loopback --host)",
    )
    Faults.add_arguments(parser)
    return parser


def is_loopback(host: str) -> bool:
    """Whether `host` names only this machine (`localhost`, 127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip().strip("[]")).is_loopback
    except ValueError:
        return False  # another name, or "" (every interface): it may be reachable


def _token_problem(token: str | None, host: str) -> str | None:
    """Why the token/host pair is refused (one sentence), or None."""
    if token is None:
        if is_loopback(host):
            return None
        return (
            f"--host {host} listens beyond this machine, so it needs your own --token "
            "(the demo tokens are published)."
        )
    if len(token) < 16 or any(ch.isspace() or not ch.isprintable() for ch in token):
        return "--token must be at least 16 printable characters without spaces."
    if token in (DEMO_TOKEN, DEMO_READONLY_TOKEN):
        return "--token must not be one of the published demo tokens."
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """`customer-desk emulator [--host] [--port] [--db] [--token] [--seed N] [--customers N]
    [faults]`: 2 when the host / token pair is refused or the port cannot be bound."""
    import uvicorn

    from .asgi import create_app

    args = build_parser().parse_args(list(argv) if argv is not None else None)
    problem = _token_problem(args.token, args.host)
    if problem is not None:
        print(f"customer-desk emulator: {problem}", file=sys.stderr)
        return 2
    if not is_loopback(args.host):
        print(
            f"customer-desk emulator: warning: listening on {args.host}, reachable from other "
            "machines; anyone holding the token can read and change this data.",
            file=sys.stderr,
            flush=True,
        )
    db = args.db or default_db_path()
    faults = Faults.from_arguments(args)
    try:
        store = open_demo_store(db, customers=args.customers, seed=args.seed)
    except SchemaVersionError as exc:
        print(f"customer-desk emulator: {exc}", file=sys.stderr)
        return 2
    tokens = {args.token: ALL_SCOPES} if args.token else None  # None: the demo tokens
    app = create_app(store, faults=faults, tokens=tokens)
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        store.close()
        print(f"customer-desk emulator: cannot listen on {args.host}:{args.port}: "
              f"{exc.strerror or exc}.", file=sys.stderr)  # fmt: skip
        return 2
    port = int(sock.getsockname()[1])
    print(f"Customer Desk emulator on {_url(args.host, port)}", flush=True)
    print(f"  database   {db} ({store.customer_count()} customers)", flush=True)
    if args.token:
        print("  token      the one given with --token (every scope)", flush=True)
    else:
        print(f"  token      {DEMO_TOKEN}", flush=True)
        print(f"  read-only  {DEMO_READONLY_TOKEN}", flush=True)
    print(f"  faults     {faults.describe()}", flush=True)
    if store.replaced is not None:
        print(f"  note       an older demo database was moved to {store.replaced}", flush=True)
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
