"""Customers in from a CSV file: a preview with each row's problems, then creation in bulk.

Textual-free: the CLI (``customer-desk customers import``) and the TUI's import screen
both read a file with :func:`preview_import`, show its :class:`ImportPreview`, and — only
when asked — write it with :func:`import_customers`.

The file has Square's Dashboard columns (:data:`app.desk.exchange.IMPORT_COLUMNS`, read
by heading, case and spacing aside; an export of the desk imports as it is). Each row
is, in the preview:

* ``create`` — it will be created;
* ``exists`` — a customer with exactly this row's values is there already (an earlier
  import of the same file, maybe cut short): nothing is made again;
* ``duplicate`` — likely the same person as an existing customer (the same email, phone
  or reference id, or the same Square customer id): not created unless asked;
* ``repeat`` — the same values as an earlier row of the file;
* ``invalid`` — a problem Square would refuse (bad email or phone, no name, email,
  phone or company, a value over Square's length, a birthday it cannot read).

Creation is BulkCreateCustomers in batches of 100 with one idempotency key per row,
derived from the row's values (:attr:`ImportRow.key`): sending the same file again
— after a crash, a lost answer, or on purpose — makes nobody twice, first because
``exists`` rows are not sent, then because Square replays a key it has seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.desk.exchange import Progress
from app.desk.exchange_rows import (
    ImportPreview,
    ImportRow,
    RowProblem,
    RowStatus,
    customer_signature,
    identities,
    phone_key,
    read_import,
    row_signature,
)
from app.desk.outcomes import Refused, refusal
from app.desk.workplace import Workplace

if TYPE_CHECKING:
    from app.square import Customer, SquareError

__all__ = [
    "BATCH_SIZE",
    "ImportPreview",
    "ImportReport",
    "ImportRow",
    "RowProblem",
    "RowStatus",
    "compare_existing",
    "existing_customers",
    "import_customers",
    "preview_import",
    "read_import",
]

BATCH_SIZE = 100
"""Customers per BulkCreateCustomers call (Square's most)."""


@dataclass
class ImportReport:
    """What an import did, row by row (by line number)."""

    created: dict[int, Customer] = field(default_factory=dict)
    failed: dict[int, str] = field(default_factory=dict)
    """Rows Square refused, with its sentence."""
    skipped: dict[int, RowStatus] = field(default_factory=dict)
    """Rows not sent: exists, duplicate, repeat, invalid (found now or in the preview)."""
    stopped: str | None = None
    """Why the import stopped before the end (a network failure, Square down): the rows
    not reached are neither created nor failed; importing the file again is safe."""

    @property
    def complete(self) -> bool:
        return self.stopped is None and not self.failed


# -- against the customers already there ------------------------------------------------------


def compare_existing(
    preview: ImportPreview, existing: Iterable[Customer], *, region: str = "US"
) -> ImportPreview:
    """Mark the rows already there (``exists``) and the likely duplicates (``duplicate``:
    the same email, phone, reference id or Square id as a customer who is not one of this
    file's own rows, imported before)."""
    customers = list(existing)
    by_signature: dict[str, list[str]] = {}
    for customer in customers:
        by_signature.setdefault(customer_signature(customer, region), []).append(customer.id)
    rows: list[ImportRow] = []
    own: set[str] = set()
    for row in preview.rows:
        if row.status == "create":
            signature = row_signature(row, region)
            ids = by_signature.get(signature)
            if ids:
                row = replace(row, status="exists", matches=tuple(ids))
                own.update(ids)
        rows.append(row)
    by_identity: dict[tuple[str, str], list[str]] = {}
    for customer in customers:
        if customer.id in own:
            continue
        by_identity.setdefault(("id", customer.id), []).append(customer.id)
        if customer.email_address:
            email = customer.email_address.strip().casefold()
            by_identity.setdefault(("email", email), []).append(customer.id)
        if customer.phone_number:
            phone = phone_key(customer.phone_number, region) or customer.phone_number
            by_identity.setdefault(("phone", phone), []).append(customer.id)
        if customer.reference_id:
            by_identity.setdefault(("ref", customer.reference_id.strip()), []).append(customer.id)
    out: list[ImportRow] = []
    for row in rows:
        if row.status == "create":
            found: list[str] = []
            for probe in identities(row, region):
                found.extend(i for i in by_identity.get(probe, ()) if i not in found)
            if found:
                row = replace(row, status="duplicate", matches=tuple(found))
        out.append(row)
    return replace(preview, rows=tuple(out), checked_existing=True)


async def existing_customers(place: Workplace) -> list[Customer]:
    """Every customer of the directory (loaded first when it is not)."""
    directory = place.directory
    if not directory.loaded:
        await directory.load()
    results = await directory.search("", limit=max(1, directory.count))
    return list(results.customers)


async def preview_import(
    source: TextIO | Path | str, place: Workplace | None = None, *, region: str = "US"
) -> ImportPreview:
    """Read and check ``source``; with a ``place``, also against its customers (see
    :func:`compare_existing`). Nothing is written."""
    preview = read_import(source, region=region)
    if place is None or not preview.rows:
        return preview
    return compare_existing(preview, await existing_customers(place), region=region)


# -- writing ------------------------------------------------------------------------------------


async def import_customers(
    preview: ImportPreview,
    place: Workplace,
    *,
    progress: Progress | None = None,
    region: str = "US",
    batch_size: int = BATCH_SIZE,
    on_created: Callable[[Customer, ImportRow], None] | None = None,
) -> ImportReport | Refused:
    """Create the preview's ``create`` rows in batches of ``batch_size``, each under its
    row's key. The rows are checked against the customers there once more first (a
    preview may be old, a key expired). ``progress(done, total)`` after each batch;
    ``on_created`` for each customer made (the journal's hook)."""
    refused = refusal(place, "BulkCreateCustomers")
    if refused is not None:
        return refused
    from app.square import SquareError

    fresh = compare_existing(preview, await existing_customers(place), region=region)
    wanted = {row.line for row in preview.rows if row.will_create}
    report = ImportReport()
    todo: list[ImportRow] = []
    for row in fresh.rows:
        allowed = row.status == "create" or (row.status == "duplicate" and preview.allow_duplicates)
        if row.line in wanted and allowed:
            todo.append(row)
        else:
            report.skipped[row.line] = row.status
    total = len(todo)
    if progress is not None:
        progress(0, total)
    done = 0
    for batch in _batches(todo, max(1, min(batch_size, BATCH_SIZE))):
        entries = {row.key: row.fields for row in batch if row.fields is not None}
        try:
            results = await place.service.bulk_create_customers(entries)
        except SquareError as error:
            report.stopped = str(error)
            break
        for row in batch:
            result: Customer | SquareError | None = results.get(row.key)
            if result is None or isinstance(result, SquareError):
                report.failed[row.line] = str(result or "Square sent no result for this row.")
                continue
            report.created[row.line] = result
            place.directory.apply(result)
            if on_created is not None:
                on_created(result, row)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    return report


def _batches(rows: Sequence[ImportRow], size: int) -> Iterable[Sequence[ImportRow]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]
