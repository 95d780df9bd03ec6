"""The fields the duplicate finder reads, kept by the store beside each customer's JSON
(the ``matching`` table), against the emulator's demo."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from app.directory import CustomerDirectory, DirectoryStore
from app.square import Address, Customer, SquareService


def fields(customer: Customer) -> tuple[str | None, ...]:
    address = customer.address
    return (
        customer.email_address,
        customer.phone_number,
        customer.reference_id,
        customer.given_name,
        customer.family_name,
        customer.company_name,
        customer.birthday,
        address.postal_code if address is not None else None,
    )


async def held(directory: CustomerDirectory) -> dict[str, tuple[Any, ...]]:
    """Each customer's id → its ``matching`` row, read back through the directory."""
    rows = {row[0]: row for row in await directory.matching()}
    return {customer.id: rows[n] for n, customer in directory.customers_at(list(rows))}


async def test_every_customer_has_its_fields_in_default_order(loaded: CustomerDirectory) -> None:
    everyone = list((await loaded.search("", limit=loaded.count)).customers)
    rows = await loaded.matching()
    assert len(rows) == loaded.count == len(everyone)
    listed = loaded.customers_at([row[0] for row in rows])
    # the order of an empty search, whatever order the numbers come in
    assert [c.id for _, c in listed] == [c.id for c in everyone]
    by_number = {row[0]: row[1:] for row in rows}
    assert all(by_number[n] == fields(customer) for n, customer in listed)
    assert any(row[8] for row in rows) and any(row[7] for row in rows)  # postal, birthday


async def test_the_fields_follow_a_change_an_addition_and_a_deletion(
    loaded: CustomerDirectory,
) -> None:
    before = await held(loaded)
    everyone = list((await loaded.search("", limit=loaded.count)).customers)
    changed, gone = everyone[0], everyone[1]
    edited = changed.model_copy(
        update={
            "version": changed.version + 1,
            "email_address": "  Someone.New@Example.test",
            "birthday": "0000-04-01",
            "address": Address(postal_code="SW1A 1AA"),
        }
    )
    added = Customer(id="NEWCUSTOMER1", version=1, given_name="Ada", family_name="Lovelace")
    loaded.apply(edited)
    loaded.apply(added)
    loaded.remove(gone.id)
    after = await held(loaded)
    assert set(after) == set(before) - {gone.id} | {added.id}
    assert after[edited.id][1:] == fields(edited)
    assert after[edited.id][1] == "  Someone.New@Example.test"
    assert after[edited.id][8] == "SW1A 1AA" and after[edited.id][7] == "0000-04-01"
    assert after[added.id][1:] == (None, None, None, "Ada", "Lovelace", None, None, None)
    unchanged = [cid for cid in after if cid not in (edited.id, added.id)]
    assert all(after[cid] == before[cid] for cid in unchanged)


async def test_a_store_kept_from_before_the_table_is_filled_at_first_use(
    service: SquareService, clock: Any, tmp_path: Path
) -> None:
    path = tmp_path / "kept.sqlite3"
    first = CustomerDirectory(service, store=DirectoryStore(path), clock=clock)
    await first.load()
    expected = await held(first)
    first.close()
    # the file as a desk without the table left it
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE matching")
    conn.close()
    again = CustomerDirectory(service, store=DirectoryStore(path), clock=clock)
    try:
        assert again.count == len(expected)
        assert again.store.fetch("SELECT count(*) FROM matching")[0][0] == 0
        assert await held(again) == expected
        assert again.store.fetch("SELECT count(*) FROM matching")[0][0] == len(expected)
        # and kept from then on
        someone = again.customers_at([next(iter(await again.matching()))[0]])[0][1]
        again.apply(someone.model_copy(update={"version": someone.version + 1, "note": "x"}))
        again.apply(
            someone.model_copy(update={"version": someone.version + 2, "company_name": "Acme"})
        )
        assert (await held(again))[someone.id][6] == "Acme"
    finally:
        again.close()
    # a desk without the table deletes a customer: its row goes at the next use
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(
            "DELETE FROM docs WHERE n = (SELECT n FROM customers WHERE id = ?)", (someone.id,)
        )
        conn.execute("DELETE FROM customers WHERE id = ?", (someone.id,))
    conn.close()
    last = CustomerDirectory(service, store=DirectoryStore(path), clock=clock)
    try:
        after = await held(last)
        assert len(await last.matching()) == last.count == len(expected) - 1
        assert after == {cid: row for cid, row in expected.items() if cid != someone.id}
    finally:
        last.close()
