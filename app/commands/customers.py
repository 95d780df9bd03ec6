"""``customer-desk customers search|show|export|import``: the directory for scripts.

``search`` speaks the search bar's language (through the directory), ``show`` prints one
customer, ``export`` writes every customer (or a search's) as Square's CSV columns or
JSON, ``import`` reads a CSV with Square's columns, shows each row's problems on stderr,
and creates the rows that are new (``--dry-run``: only the preview).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    EXIT_FAILED,
    EXIT_OK,
    CommandFailed,
    UsageError,
    add_session_options,
    emit_json,
    run_command,
    say,
)

if TYPE_CHECKING:
    from app.desk.exchange_import import ImportPreview, ImportReport
    from app.session import Session
    from app.square import Customer

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "customers",
        help="search, show, export and import customers",
        description="Search, show, export and import customers (JSON on stdout).",
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

    search = sub.add_parser(
        "search",
        help="search as the search bar does; prints a JSON list",
        description="Search as the search bar does: words of a name, email, phone, or "
        '"email:" "phone:" "ref:" "group:NAME" "segment:NAME" "created:>2024-01-01".',
    )
    search.add_argument("query", metavar="QUERY", help="what to search for (quote spaces)")
    search.add_argument("--limit", type=_positive, default=50, help="at most (default 50)")
    search.set_defaults(handler=_search)

    show = sub.add_parser("show", help="one customer as JSON", description="One customer.")
    show.add_argument("customer_id", metavar="ID")
    show.set_defaults(handler=_show)

    export = sub.add_parser(
        "export",
        help="every customer (or a search's) as CSV or JSON",
        description="Every customer, or those a search finds, in Square's CSV columns or "
        "as Square's JSON; to stdout, or to a file written whole or not at all (0600).",
    )
    export.add_argument("query", metavar="QUERY", nargs="?", default="")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(handler=_export)

    imports = sub.add_parser(
        "import",
        help="create customers from a CSV with Square's columns",
        description="Create customers from a CSV with Square's import columns. Each row's "
        "problems go to stderr; rows already there, likely duplicates of existing customers "
        "and invalid rows are not created; a re-run of the same file creates nothing twice. "
        "Exit 1 when a row was invalid or failed.",
    )
    imports.add_argument("file", metavar="FILE.csv")
    imports.add_argument("--dry-run", action="store_true", help="only the preview; write nothing")
    imports.add_argument(
        "--allow-duplicates",
        action="store_true",
        help="create rows that look like existing customers too",
    )
    imports.add_argument(
        "--region", default="US", help="the seller's country for phone numbers (default US)"
    )
    imports.set_defaults(handler=_import)

    for leaf in (search, show, export, imports):
        add_session_options(leaf, defaults=False)
        leaf.set_defaults(run=run_command)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _customer(customer: Customer) -> dict[str, Any]:
    from app.desk.exchange import customer_json

    return customer_json(customer)


async def _search_all(session: Session, query: str, limit: int | None = None) -> list[Customer]:
    directory = session.directory
    if not directory.loaded:
        await directory.load()
    results = await directory.search(query, limit=limit or max(1, directory.count))
    if results.error and results.source == "none":
        raise UsageError(results.error)
    if results.error:
        say(results.error)
    return list(results.customers)


async def _search(args: argparse.Namespace, session: Session) -> int:
    customers = await _search_all(session, args.query, args.limit)
    emit_json([_customer(c) for c in customers])
    return EXIT_OK


async def _show(args: argparse.Namespace, session: Session) -> int:
    from app.desk.outcomes import Gone
    from app.desk.profile import load_customer

    customer = await load_customer(session, args.customer_id)
    if isinstance(customer, Gone):
        raise CommandFailed(f"No customer {args.customer_id}.")
    emit_json(_customer(customer))
    return EXIT_OK


async def _export(args: argparse.Namespace, session: Session) -> int:
    from app.desk.exchange import export_customers, group_names

    customers = await _search_all(session, args.query)
    groups = await group_names(session.service) if args.format == "csv" else None
    progress = _progress_bar("exporting") if args.output and sys.stderr.isatty() else None
    if args.output:
        try:
            written = export_customers(
                customers, args.format, args.output, progress=progress, groups=groups
            )
        except OSError as error:
            raise CommandFailed(f"Cannot write {args.output}: {error.strerror or error}.") from None
        say(f"wrote {written} customers to {args.output}.")
    else:
        export_customers(customers, args.format, sys.stdout, groups=groups)
    return EXIT_OK


async def _import(args: argparse.Namespace, session: Session) -> int:
    from pathlib import Path

    from app.desk.exchange_import import import_customers, preview_import
    from app.desk.outcomes import Refused

    path = Path(args.file).expanduser()
    if not path.is_file():
        raise UsageError(f"No file {args.file}.")
    preview = await preview_import(path, session, region=args.region)
    if preview.problems:
        for problem in preview.problems:
            say(problem)
        return EXIT_FAILED
    if args.allow_duplicates:
        preview = preview.allowing_duplicates()
    _tell_preview(preview)
    if args.dry_run:
        emit_json({"dry_run": True, **preview.counts(), "rows": _rows(preview)})
        return EXIT_FAILED if preview.counts()["invalid"] else EXIT_OK
    progress = _progress_bar("importing") if sys.stderr.isatty() else None
    report = await import_customers(preview, session, progress=progress, region=args.region)
    if isinstance(report, Refused):
        raise CommandFailed(report.reason)
    emit_json(_report(preview, report))
    for line, message in sorted(report.failed.items()):
        say(f"line {line}: {message}")
    if report.stopped:
        say(f"stopped: {report.stopped} Importing the same file again is safe.")
    say(f"created {len(report.created)}, not created {len(report.skipped)}.")
    invalid = preview.counts()["invalid"]
    return EXIT_OK if report.complete and not invalid else EXIT_FAILED


def _tell_preview(preview: ImportPreview) -> None:
    for heading in preview.ignored:
        say(f"column {heading!r} is not one of Square's: ignored.")
    for row in preview.rows:
        for problem in row.problems:
            where = f" ({problem.column})" if problem.column else ""
            say(f"line {row.line}{where}: {problem.message}")
        if row.status == "duplicate":
            say(f"line {row.line}: likely the same as customer {', '.join(row.matches)}")
    counts = preview.counts()
    say(", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no rows.")


def _rows(preview: ImportPreview) -> list[dict[str, Any]]:
    return [
        {
            "line": row.line,
            "status": row.status,
            "matches": list(row.matches),
            "problems": [{"column": p.column, "message": p.message} for p in row.problems],
        }
        for row in preview.rows
    ]


def _report(preview: ImportPreview, report: ImportReport) -> dict[str, Any]:
    return {
        "created": [{"line": line, "id": c.id} for line, c in sorted(report.created.items())],
        "skipped": [
            {"line": line, "status": status} for line, status in sorted(report.skipped.items())
        ],
        "failed": [{"line": line, "error": e} for line, e in sorted(report.failed.items())],
        "stopped": report.stopped,
        "rows": len(preview.rows),
    }


def _progress_bar(what: str) -> Any:
    def show(done: int, total: int | None) -> None:
        end = "\n" if total is not None and done >= total else ""
        print(f"\r{what} {done}/{total if total is not None else '?'}", end=end, file=sys.stderr)

    return show
