"""Reading a customer CSV: each row checked and given its key, before anything is sent.

The file has Square's Dashboard columns (:data:`app.desk.exchange.IMPORT_COLUMNS`, read by
heading, case and spacing aside; an export of the desk imports as it is). A row's
problems are what Square would refuse: a bad email (email-validator, no DNS) or phone
(phonenumbers, in the seller's region), no name, company, email or phone, a value over
Square's length, a birthday it cannot read. A row's idempotency key is derived from its
values (:func:`row_key`), so it is the same on every run. :mod:`app.desk.exchange_import`
compares the rows with the customers there and creates them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TextIO

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from app.desk.exchange import IMPORT_COLUMNS, Column, customer_row, unguard_cell

if TYPE_CHECKING:
    from app.square import Customer, CustomerFields

__all__ = [
    "ImportPreview",
    "ImportRow",
    "RowProblem",
    "RowStatus",
    "customer_signature",
    "identities",
    "phone_key",
    "read_import",
    "row_key",
    "row_signature",
]


MAX_LENGTH = {
    "given_name": 300,
    "family_name": 300,
    "company_name": 500,
    "nickname": 100,
    "email_address": 254,
    "reference_id": 100,
    "note": 4096,
}
"""Square's lengths for the Customers API (square-api/NOTES.md; ``note`` is the desk's
emulator's, Square documents none). An address part may have 500 characters."""
ADDRESS_PART_MAX = 500

RowStatus = Literal["create", "exists", "duplicate", "repeat", "invalid"]

_ID_HEADING = "square customer id"
_BIRTHDAY = re.compile(r"(?:(\d{4})-)?(\d{1,2})-(\d{1,2})|(\d{1,2})[/-](\d{1,2})[/-](\d{4})")
_IDENTITY = ("given_name", "family_name", "company_name", "email_address", "phone_number")


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one value of a row (``column`` is the file's heading)."""

    column: str | None
    message: str


@dataclass(frozen=True)
class ImportRow:
    """One data row of the file: ``line`` is its line number (the heading is line 1)."""

    line: int
    cells: dict[str, str]
    """The import columns' headings → the row's text (unguarded, trimmed)."""
    fields: CustomerFields | None
    """What CreateCustomer would be sent (None when the row is invalid)."""
    key: str
    """The row's idempotency key: derived from its values, the same on every run."""
    status: RowStatus = "create"
    problems: tuple[RowProblem, ...] = ()
    matches: tuple[str, ...] = ()
    """For ``exists`` / ``duplicate``: the existing customers' ids; for ``repeat``: the
    earlier row's line number (as text)."""
    square_id: str | None = None
    """The file's ``Square Customer ID`` (an export of the desk or the Dashboard)."""

    @property
    def will_create(self) -> bool:
        return self.status == "create"

    @property
    def label(self) -> str:
        """Who the row is, for a list (not terminal-safe: the caller makes it so)."""
        name = " ".join(
            part for part in (self.cells.get("First Name"), self.cells.get("Last Name")) if part
        )
        for other in ("Company Name", "Email Address", "Phone Number"):
            name = name or self.cells.get(other, "")
        return name or "(no name)"


@dataclass(frozen=True)
class ImportPreview:
    """The file read and checked, nothing written yet."""

    rows: tuple[ImportRow, ...]
    columns: tuple[str, ...]
    """The import columns the file has (Square's headings)."""
    ignored: tuple[str, ...] = ()
    """Headings of the file the import does not read."""
    problems: tuple[str, ...] = ()
    """Problems with the file as a whole (no known column, an unreadable file)."""
    checked_existing: bool = False
    """Whether rows were compared with the customers already there."""
    allow_duplicates: bool = False
    """Likely duplicates are to be created too (:meth:`allowing_duplicates`)."""

    def with_status(self, status: RowStatus) -> list[ImportRow]:
        return [row for row in self.rows if row.status == status]

    @property
    def to_create(self) -> list[ImportRow]:
        return self.with_status("create")

    def counts(self) -> dict[str, int]:
        out = {status: 0 for status in ("create", "exists", "duplicate", "repeat", "invalid")}
        for row in self.rows:
            out[row.status] += 1
        return out

    def allowing_duplicates(self) -> ImportPreview:
        """The same preview with ``duplicate`` rows to be created after all."""
        rows = tuple(
            replace(row, status="create") if row.status == "duplicate" else row for row in self.rows
        )
        return replace(self, rows=rows, allow_duplicates=True)


# -- reading ------------------------------------------------------------------------------


def _heading_key(text: str) -> str:
    return " ".join(text.replace("_", " ").split()).casefold()


_BY_HEADING: dict[str, Column] = {}
for _column in IMPORT_COLUMNS:
    for _name in (_column.heading, *_column.aliases):
        _BY_HEADING[_heading_key(_name)] = _column
_KNOWN_EXPORT_ONLY = {"creation source", "first visit", "created", "creation date", "groups"}


def read_import(source: TextIO | Path | str, *, region: str = "US") -> ImportPreview:
    """Read and check the CSV ``source`` (a path or an open text stream) without asking
    Square anything: every row ``create``, ``repeat`` or ``invalid``."""
    try:
        text = _read_text(source)
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        return ImportPreview((), (), problems=(f"The file cannot be read: {reason}.",))
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        return ImportPreview((), (), problems=("The file is empty: no heading row.",))
    mapping: dict[int, Column] = {}
    id_at: int | None = None
    ignored: list[str] = []
    for at, heading in enumerate(header):
        key = _heading_key(heading)
        if key in _BY_HEADING and _BY_HEADING[key] not in mapping.values():
            mapping[at] = _BY_HEADING[key]
        elif key in (_ID_HEADING, "customer id") and id_at is None:
            id_at = at
        elif key not in _KNOWN_EXPORT_ONLY and heading.strip():
            ignored.append(heading.strip())
    columns = tuple(column.heading for column in mapping.values())
    if not mapping:
        return ImportPreview(
            (),
            (),
            ignored=tuple(ignored),
            problems=(
                "No column of Square's customer import was found: the first row must name "
                "columns such as First Name, Last Name, Email Address, Phone Number.",
            ),
        )
    rows: list[ImportRow] = []
    first_line: dict[str, int] = {}
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {
            column.heading: unguard_cell(record[at].strip()) if at < len(record) else ""
            for at, column in mapping.items()
        }
        square_id = record[id_at].strip() if id_at is not None and id_at < len(record) else ""
        row = _check_row(line, cells, region, square_id or None)
        if row.status == "create":
            earlier = first_line.setdefault(row.key, line)
            if earlier != line:
                row = replace(row, status="repeat", matches=(str(earlier),))
        rows.append(row)
    return ImportPreview(tuple(rows), columns, ignored=tuple(ignored))


def _read_text(source: TextIO | Path | str) -> str:
    if isinstance(source, str | Path):
        return Path(source).expanduser().read_bytes().decode("utf-8-sig")
    return source.read().removeprefix("\ufeff")


def _check_row(line: int, cells: dict[str, str], region: str, square_id: str | None) -> ImportRow:
    from app.square import Address, CustomerFields

    problems: list[RowProblem] = []
    values: dict[str, str] = {}
    address: dict[str, str] = {}
    for column in IMPORT_COLUMNS:
        text = cells.get(column.heading, "")
        if not text:
            continue
        if column.field.startswith("address."):
            part = column.field.removeprefix("address.")
            if len(text) > ADDRESS_PART_MAX:
                problems.append(_too_long(column.heading, ADDRESS_PART_MAX))
            if part == "country":
                text = text.upper()
                if not re.fullmatch(r"[A-Z]{2}", text):
                    problems.append(
                        RowProblem(column.heading, "use a two-letter country code (GB, US…)")
                    )
            address[part] = text
            continue
        limit = MAX_LENGTH.get(column.field)
        if limit is not None and len(text) > limit:
            problems.append(_too_long(column.heading, limit))
        if column.field == "email_address":
            try:
                validate_email(text, check_deliverability=False)
            except EmailNotValidError as error:
                problems.append(RowProblem(column.heading, f"not an email address ({error})"))
        elif column.field == "phone_number":
            if phone_key(text, region) is None:
                problems.append(
                    RowProblem(column.heading, f"not a phone number (read in region {region})")
                )
        elif column.field == "birthday":
            birthday = _birthday(text)
            if birthday is None:
                problems.append(RowProblem(column.heading, "use YYYY-MM-DD or MM-DD"))
            else:
                text = birthday
        values[column.field] = text
    if not any(values.get(name) for name in _IDENTITY):
        problems.append(
            RowProblem(None, "a name, company, email or phone is needed (Square asks for one)")
        )
    fields: CustomerFields | None = None
    if not problems:
        fields = CustomerFields(**values, **({"address": Address(**address)} if address else {}))
    key = row_key(_signature_of(values, address, region))
    return ImportRow(
        line=line,
        cells=cells,
        fields=fields,
        key=key,
        status="invalid" if problems else "create",
        problems=tuple(problems),
        square_id=square_id,
    )


def _too_long(column: str, limit: int) -> RowProblem:
    return RowProblem(column, f"longer than Square's {limit} characters")


def _birthday(text: str) -> str | None:
    """``YYYY-MM-DD``, ``MM-DD`` or ``MM-DD-YYYY`` / ``M/D/YYYY`` as Square's ``YYYY-MM-DD``
    (``0000`` for no year), or None when it is no date."""
    from datetime import date

    match = _BIRTHDAY.fullmatch(text.strip())
    if match is None:
        return None
    year_s, month_s, day_s, month2, day2, year2 = match.groups()
    year = int(year_s or year2 or 0)
    month, day = int(month_s or month2), int(day_s or day2)
    try:
        date(year or 2000, month, day)
    except ValueError:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def phone_key(text: str, region: str) -> str | None:
    """The phone number in E.164 (``+12062223333``), or None when it is none."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _signature_of(values: dict[str, str], address: dict[str, str], region: str) -> str:
    """The row's values in one canonical text: what "the same customer" means."""
    canon: dict[str, Any] = {}
    for name, value in values.items():
        if name == "email_address":
            value = value.casefold()
        elif name == "phone_number":
            value = phone_key(value, region) or value
        elif name == "birthday":
            value = _birthday(value) or value
        canon[name] = value
    if address:
        canon["address"] = dict(address)
    return json.dumps(canon, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_key(signature: str) -> str:
    """``csv-`` and 40 hex digits of the signature's SHA-256: 44 characters, within every
    idempotency key limit of Square's."""
    return "csv-" + hashlib.sha256(signature.encode()).hexdigest()[:40]


def customer_signature(customer: Customer, region: str) -> str:
    """An existing customer's import-column values, canonical as a row's."""
    row = customer_row(customer)
    values: dict[str, str] = {}
    address: dict[str, str] = {}
    for column in IMPORT_COLUMNS:
        text = unguard_cell(row[column.heading]).strip()
        if not text:
            continue
        if column.field.startswith("address."):
            address[column.field.removeprefix("address.")] = text
        else:
            values[column.field] = text
    return _signature_of(values, address, region)


def row_signature(row: ImportRow, region: str) -> str:
    assert row.fields is not None
    body = row.fields.to_body()
    address = body.pop("address", None) or {}
    return _signature_of(body, address, region)


def identities(row: ImportRow, region: str) -> list[tuple[str, str]]:
    probes: list[tuple[str, str]] = []
    if row.square_id:
        probes.append(("id", row.square_id))
    fields = row.fields
    if fields is None:
        return probes
    if fields.email_address:
        probes.append(("email", fields.email_address.casefold()))
    if fields.phone_number:
        probes.append(("phone", phone_key(fields.phone_number, region) or fields.phone_number))
    if fields.reference_id:
        probes.append(("ref", fields.reference_id))
    return probes
