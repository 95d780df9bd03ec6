"""Customers out to a file: Square's CSV columns or Square's JSON, written atomically.

Textual-free: the CLI (``customer-desk customers export``) and the TUI's export key both
call :func:`export_customers`; the browser's download takes :func:`export_text`.

The CSV columns are those of Square's Dashboard customer import/export (see
:data:`CSV_COLUMNS`): what the Dashboard imports (:data:`IMPORT_COLUMNS`), then what only
an export holds (the customer id, creation source, creation date and group names). The
same file imports again (:mod:`app.desk.exchange_import`). The JSON format is a list of
Square ``Customer`` objects as the API returns them.

A file is written to a temporary file beside it (``0600``) and renamed over the target
once complete: a reader never sees half an export, and a failed export leaves the old
file as it was. A folder made for it is ``0700``.

Cells that a spreadsheet would run as a formula (``=``, ``@``, a leading tab, or ``+`` /
``-`` not followed by a number) get a leading ``'``, which the import takes off again.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

if TYPE_CHECKING:
    from app.square import Customer, SquareService

__all__ = [
    "CSV_COLUMNS",
    "EXPORT_ONLY_COLUMNS",
    "FORMATS",
    "IMPORT_COLUMNS",
    "Column",
    "ExportFormat",
    "Progress",
    "atomic_writer",
    "customer_row",
    "export_customers",
    "export_text",
    "group_names",
    "guard_cell",
    "unguard_cell",
]

ExportFormat = Literal["csv", "json"]
FORMATS: tuple[ExportFormat, ...] = ("csv", "json")

Progress = Callable[[int, int | None], None]
"""``progress(done, total)``: rows written so far, and how many in all when known."""


@dataclass(frozen=True)
class Column:
    """One CSV column: its Square Dashboard heading and the Customer field it holds
    (``address.locality`` for a part of the address)."""

    heading: str
    field: str
    aliases: tuple[str, ...] = ()
    """Other headings the import also reads as this column (case and spacing aside)."""


IMPORT_COLUMNS: tuple[Column, ...] = (
    Column("First Name", "given_name", ("given name",)),
    Column("Last Name", "family_name", ("family name", "surname")),
    Column("Email Address", "email_address", ("email", "e-mail")),
    Column("Phone Number", "phone_number", ("phone", "mobile")),
    Column("Nickname", "nickname"),
    Column("Company Name", "company_name", ("company",)),
    Column("Street Address 1", "address.address_line_1", ("address line 1", "address")),
    Column("Street Address 2", "address.address_line_2", ("address line 2",)),
    Column("City", "address.locality", ("town",)),
    Column("State", "address.administrative_district_level_1", ("county", "region")),
    Column("Postal Code", "address.postal_code", ("zip", "zip code", "postcode")),
    Column("Country", "address.country"),
    Column("Birthday", "birthday"),
    Column("Reference ID", "reference_id", ("reference", "ref")),
    Column("Memo", "note", ("note", "notes", "memo/note")),
)
"""What an import reads: the Dashboard's import columns (plus ``Country``)."""

EXPORT_ONLY_COLUMNS: tuple[Column, ...] = (
    Column("Square Customer ID", "id", ("customer id",)),
    Column("Creation Source", "creation_source"),
    Column("First Visit", "created_at", ("created", "creation date")),
    Column("Groups", "groups"),
)
"""What only an export holds; an import reads ``Square Customer ID`` (a customer already
there is not made again) and ignores the rest."""

CSV_COLUMNS: tuple[Column, ...] = IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS
CSV_HEADINGS: tuple[str, ...] = tuple(c.heading for c in CSV_COLUMNS)

_FORMULA_START = ("=", "@", "\t", "\r")


_PHONE_LIKE = re.compile(r"[+-]?[0-9][0-9 ().-]*")


def guard_cell(text: str) -> str:
    """``text`` as a CSV cell a spreadsheet will not run as a formula: one ``'`` before a
    value (or a run of ``'``) that starts as a formula would; a phone number is kept."""
    bare = text.lstrip("'")
    if not bare:
        return text
    first = bare[0]
    if first in _FORMULA_START or (first in "+-" and not _PHONE_LIKE.fullmatch(bare)):
        return "'" + text
    return text


def unguard_cell(text: str) -> str:
    """The value :func:`guard_cell` guarded (any other text as it is)."""
    if text.startswith("'") and guard_cell(text[1:]) == text:
        return text[1:]
    return text


def _birthday_cell(birthday: str | None) -> str:
    """Square's ``0000-MM-DD`` (no year) as ``MM-DD``, as the Dashboard writes it."""
    if not birthday:
        return ""
    return birthday[5:] if birthday.startswith("0000-") else birthday


def customer_row(customer: Customer, groups: Mapping[str, str] | None = None) -> dict[str, str]:
    """``customer`` as one CSV row (heading → text); ``groups`` maps group id → name."""
    address = customer.address
    names = groups or {}
    values: dict[str, str | None] = {
        "given_name": customer.given_name,
        "family_name": customer.family_name,
        "email_address": customer.email_address,
        "phone_number": customer.phone_number,
        "nickname": customer.nickname,
        "company_name": customer.company_name,
        "birthday": _birthday_cell(customer.birthday),
        "reference_id": customer.reference_id,
        "note": customer.note,
        "id": customer.id,
        "creation_source": customer.creation_source,
        "created_at": customer.created_at.isoformat() if customer.created_at else None,
        "groups": "; ".join(names.get(gid, gid) for gid in customer.group_ids),
    }
    row: dict[str, str] = {}
    for column in CSV_COLUMNS:
        if column.field.startswith("address."):
            part = column.field.removeprefix("address.")
            value = getattr(address, part, None) if address is not None else None
        else:
            value = values[column.field]
        row[column.heading] = guard_cell(value or "")
    return row


def customer_json(customer: Customer) -> dict[str, object]:
    """``customer`` as Square's JSON (fields Square left out stay out)."""
    return customer.model_dump(mode="json", exclude_none=True)


async def group_names(service: SquareService) -> dict[str, str]:
    """Every group's id → name (for the ``Groups`` column)."""
    return {group.id: group.name async for group in service.iter_customer_groups()}


def _count(customers: Iterable[Customer]) -> int | None:
    return len(customers) if isinstance(customers, Sequence) else None


def _write(
    customers: Iterable[Customer],
    fmt: ExportFormat,
    out: TextIO,
    progress: Progress | None,
    groups: Mapping[str, str] | None,
) -> int:
    total = _count(customers)
    done = 0
    step = max(1, (total or 0) // 100)
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_HEADINGS, lineterminator="\r\n")
        writer.writeheader()
        for customer in customers:
            writer.writerow(customer_row(customer, groups))
            done += 1
            if progress is not None and done % step == 0:
                progress(done, total)
    elif fmt == "json":
        out.write("[")
        for customer in customers:
            out.write(",\n" if done else "\n")
            out.write(json.dumps(customer_json(customer), ensure_ascii=False))
            done += 1
            if progress is not None and done % step == 0:
                progress(done, total)
        out.write("\n]\n" if done else "]\n")
    else:
        raise ValueError(f"unknown export format {fmt!r}: use csv or json")
    if progress is not None:
        progress(done, total)
    return done


def export_customers(
    customers: Iterable[Customer],
    fmt: ExportFormat,
    out: TextIO | Path | str,
    *,
    progress: Progress | None = None,
    groups: Mapping[str, str] | None = None,
) -> int:
    """Write ``customers`` as ``fmt`` to ``out`` (an open text stream, or a path written
    atomically, ``0600``); returns how many were written. ``progress(done, total)`` is
    called about a hundred times and once at the end; ``groups`` (id → name) fills the
    CSV's ``Groups`` column (ids when absent)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use csv or json")
    if isinstance(out, str | Path):
        with atomic_writer(Path(out), newline="" if fmt == "csv" else None) as stream:
            return _write(customers, fmt, stream, progress, groups)
    return _write(customers, fmt, out, progress, groups)


def export_text(
    customers: Iterable[Customer],
    fmt: ExportFormat,
    *,
    progress: Progress | None = None,
    groups: Mapping[str, str] | None = None,
) -> str:
    """The export as one string (for ``App.deliver_text`` in the browser)."""
    buffer = io.StringIO(newline="")
    _write(customers, fmt, buffer, progress, groups)
    return buffer.getvalue()


@contextlib.contextmanager
def atomic_writer(path: Path, *, newline: str | None = None) -> Iterator[TextIO]:
    """A text stream whose content replaces ``path`` only when the block ends without an
    error: a temporary file beside it (``0600``), flushed to disk, then renamed."""
    path = path.expanduser()
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    try:
        os.fchmod(handle, 0o600)
        with os.fdopen(handle, "w", encoding="utf-8", newline=newline) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
