"""``customer-desk serve``: the desk in a browser, through textual-serve (the ``[web]`` extra).

Each browser tab runs its own ``customer-desk`` (the same options: ``--profile``,
``--read-only``, ``--demo``, ``--db``) behind a websocket. textual-serve has no
authentication: whoever reaches the port works the desk with the profile's token, so it
listens on loopback unless told otherwise, and says so.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys

from app.commands.common import EXIT_FAILED, EXIT_OK, EXIT_USAGE, add_session_options, say

__all__ = ["is_loopback", "register", "serve_command"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "serve",
        help="serve the desk to a browser (textual-serve; no authentication)",
        description="Serve the desk to a web browser with textual-serve. It has NO "
        "authentication: anyone who reaches the port uses the desk with your token. It "
        "listens on 127.0.0.1 unless --host says otherwise.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (8000)")
    parser.add_argument(
        "--public-url", help="the URL browsers use, when behind a proxy (default: host:port)"
    )
    add_session_options(parser, defaults=False)
    parser.set_defaults(run=_serve)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_command(args: argparse.Namespace) -> str:
    """The command each browser tab runs: this desk, with the same options."""
    argv = [sys.executable, "-m", "app.cli"]
    if getattr(args, "profile", None):
        argv += ["--profile", args.profile]
    if getattr(args, "read_only", False):
        argv.append("--read-only")
    if getattr(args, "demo", False):
        argv.append("--demo")
    if getattr(args, "db", None):
        argv += ["--db", args.db]
    return shlex.join(argv)


def _serve(args: argparse.Namespace, _handler: object = None) -> int:
    if not 0 < args.port < 65536:
        say(f"--port {args.port} is not a port (1-65535).")
        return EXIT_USAGE
    try:
        from textual_serve.server import Server
    except ImportError:
        say("serving needs textual-serve: pip install 'customer-desk[web]'.")
        return EXIT_FAILED
    from app.commands.common import settings_from
    from app.config import ConfigError

    try:
        settings_from(args)  # bad settings are said here, not in each browser tab
    except ConfigError as error:
        say(str(error))
        return EXIT_USAGE
    say("textual-serve has NO authentication: anyone who can reach this port uses the desk.")
    if not is_loopback(args.host):
        say(
            f"WARNING: listening on {args.host}, beyond this machine. Every person on that "
            "network can read and change customers with this desk's token. Put it behind a "
            "proxy that asks who they are, or use --host 127.0.0.1."
        )
    server = Server(
        serve_command(args),
        host=args.host,
        port=args.port,
        title="Customer Desk",
        public_url=args.public_url,
    )
    server.serve()
    return EXIT_OK
