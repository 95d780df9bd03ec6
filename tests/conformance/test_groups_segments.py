"""Customer groups (CRUD, membership) and customer segments through the SDK."""

from __future__ import annotations

from square import Square

from .conftest import expect_error, new_customer, some, unique


def test_group_crud(square: Square) -> None:
    name = unique("Group")
    made = some(square.customers.groups.create(group={"name": name}).group)
    gid = some(made.id)
    assert made.name == name and made.created_at == made.updated_at
    assert square.customers.groups.get(group_id=gid).group == made
    renamed = some(square.customers.groups.update(group_id=gid, group={"name": "Renamed"}).group)
    assert (renamed.id, renamed.name, renamed.created_at) == (gid, "Renamed", made.created_at)
    assert some(renamed.updated_at) >= some(made.updated_at)
    assert gid in [g.id for g in square.customers.groups.list()]
    square.customers.groups.delete(group_id=gid)
    expect_error(lambda: square.customers.groups.get(group_id=gid), 404, "NOT_FOUND")
    assert gid not in [g.id for g in square.customers.groups.list()]


def test_group_errors(square: Square) -> None:
    for call in (
        lambda: square.customers.groups.get(group_id="NOPE"),
        lambda: square.customers.groups.update(group_id="NOPE", group={"name": "x"}),
        lambda: square.customers.groups.delete(group_id="NOPE"),
    ):
        expect_error(call, 404, "NOT_FOUND", field="group_id")
    expect_error(
        lambda: square.customers.groups.create(group={"name": ""}),
        400,
        "INVALID_VALUE",
        field="group.name",
    )
    expect_error(
        lambda: square.customers.groups.create(group={"name": "   "}),
        400,
        "INVALID_VALUE",
        field="group.name",
    )
    expect_error(
        lambda: square.customers.groups.create(group={}),
        400,
        "MISSING_REQUIRED_PARAMETER",
        field="group.name",
    )
    gid = some(some(square.customers.groups.create(group={"name": unique("G")}).group).id)
    expect_error(
        lambda: square.customers.groups.update(group_id=gid, group={"name": ""}),
        400,
        "INVALID_VALUE",
        field="group.name",
    )


def test_membership(square: Square) -> None:
    customer = new_customer(square)
    cid = some(customer.id)
    gid = some(some(square.customers.groups.create(group={"name": unique("Members")}).group).id)
    square.customers.groups.add(customer_id=cid, group_id=gid)
    member = some(square.customers.get(customer_id=cid).customer)
    assert member.group_ids == [gid] and member.version == 1  # a membership is an update
    square.customers.groups.add(customer_id=cid, group_id=gid)  # again: a no-op
    assert some(square.customers.get(customer_id=cid).customer).version == 1
    square.customers.groups.remove(customer_id=cid, group_id=gid)
    left = some(square.customers.get(customer_id=cid).customer)
    assert left.group_ids is None and left.version == 2
    square.customers.groups.remove(customer_id=cid, group_id=gid)  # not a member: a no-op
    # deleting a group takes it off its members, as an update
    square.customers.groups.add(customer_id=cid, group_id=gid)
    square.customers.groups.delete(group_id=gid)
    after = some(square.customers.get(customer_id=cid).customer)
    assert after.group_ids is None and after.version == 4


def test_membership_errors(square: Square) -> None:
    cid = some(new_customer(square).id)
    gid = some(some(square.customers.groups.create(group={"name": unique("G")}).group).id)
    for call in (
        lambda: square.customers.groups.add(customer_id="NOPE", group_id=gid),
        lambda: square.customers.groups.remove(customer_id="NOPE", group_id=gid),
    ):
        expect_error(call, 404, "NOT_FOUND", field="customer_id")
    for call in (
        lambda: square.customers.groups.add(customer_id=cid, group_id="NOPE"),
        lambda: square.customers.groups.remove(customer_id=cid, group_id="NOPE"),
    ):
        expect_error(call, 404, "NOT_FOUND", field="group_id")


def test_list_groups_in_pages(square: Square) -> None:
    everything = [some(g.id) for g in square.customers.groups.list()]
    assert len(everything) == len(set(everything)) >= 7
    pages = list(square.customers.groups.list(limit=2).iter_pages())
    assert [some(g.id) for p in pages for g in some(p.items)] == everything
    assert all(p.response.cursor for p in pages[:-1]) and pages[-1].response.cursor is None
    assert len(pages) == -(-len(everything) // 2)
    assert len(some(square.customers.groups.list(limit=50).items)) == min(50, len(everything))
    expect_error(lambda: square.customers.groups.list(limit=0), 400, "VALUE_TOO_LOW", field="limit")
    expect_error(
        lambda: square.customers.groups.list(limit=51), 400, "VALUE_TOO_HIGH", field="limit"
    )
    expect_error(
        lambda: square.customers.groups.list(cursor="garbage"),
        400,
        "INVALID_CURSOR",
        field="cursor",
    )


def test_segments(square: Square) -> None:
    segments = list(square.customers.segments.list())
    assert len(segments) >= 3
    pages = list(square.customers.segments.list(limit=2).iter_pages())
    assert [s.id for p in pages for s in some(p.items)] == [s.id for s in segments]
    assert pages[-1].response.cursor is None
    first = segments[0]
    assert square.customers.segments.get(segment_id=some(first.id)).segment == first
    assert first.name and first.created_at and first.updated_at
    expect_error(
        lambda: square.customers.segments.get(segment_id="NOPE"),
        404,
        "NOT_FOUND",
        field="segment_id",
    )
    expect_error(
        lambda: square.customers.segments.list(limit=0), 400, "VALUE_TOO_LOW", field="limit"
    )
    expect_error(
        lambda: square.customers.segments.list(limit=51), 400, "VALUE_TOO_HIGH", field="limit"
    )
    expect_error(
        lambda: square.customers.segments.list(cursor="garbage"),
        400,
        "INVALID_CURSOR",
        field="cursor",
    )
