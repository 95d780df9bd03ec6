"""``customer-desk groups list|add|remove``: customer groups for scripts.

A group is named by its id or its name (case and spacing aside, as the group picker
matches); ``add --create`` makes a group of a new name, under the run's one key for it.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from app.commands.common import (
    EXIT_OK,
    CommandFailed,
    add_session_options,
    emit_json,
    run_command,
    say,
)

if TYPE_CHECKING:
    from app.session import Session
    from app.square import CustomerGroup

__all__ = ["register"]


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "groups",
        help="list customer groups; add a customer to one, remove from one",
        description="Customer groups (JSON on stdout).",
    )
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = sub.add_parser("list", help="every group as JSON", description="Every group.")
    listing.set_defaults(handler=_list)
    add = sub.add_parser(
        "add",
        help="add a customer to a group (by id or name)",
        description="Add the customer to the group named by its id or name.",
    )
    add.add_argument("customer_id", metavar="CUSTOMER_ID")
    add.add_argument("group", metavar="GROUP", help="the group's id or name")
    add.add_argument("--create", action="store_true", help="make the group when no group has it")
    add.set_defaults(handler=_add)
    remove = sub.add_parser(
        "remove",
        help="remove a customer from a group (by id or name)",
        description="Remove the customer from the group named by its id or name.",
    )
    remove.add_argument("customer_id", metavar="CUSTOMER_ID")
    remove.add_argument("group", metavar="GROUP", help="the group's id or name")
    remove.set_defaults(handler=_remove)
    for leaf in (listing, add, remove):
        add_session_options(leaf, defaults=False)
        leaf.set_defaults(run=run_command)


def _group(group: CustomerGroup) -> dict[str, Any]:
    return group.model_dump(mode="json", exclude_none=True)


async def _list(args: argparse.Namespace, session: Session) -> int:
    emit_json([_group(g) async for g in session.service.iter_customer_groups()])
    return EXIT_OK


async def _find(session: Session, text: str) -> CustomerGroup | None:
    from app.desk.groups import same_name

    groups = [g async for g in session.service.iter_customer_groups()]
    for group in groups:
        if group.id == text:
            return group
    named = same_name(groups, text)
    if len(named) > 1:
        ids = ", ".join(g.id for g in named)
        raise CommandFailed(f"{len(named)} groups are named {text!r} ({ids}): name one by id.")
    return named[0] if named else None


async def _add(args: argparse.Namespace, session: Session) -> int:
    from app.desk.groups import Memberships
    from app.desk.outcomes import Lost, Refused

    await _customer_exists(session, args.customer_id)
    group = await _find(session, args.group)
    if group is None and not args.create:
        raise CommandFailed(f"No group is named {args.group!r} (--create makes it).")
    memberships = Memberships(session, args.customer_id)
    joined = await memberships.join(group if group is not None else args.group)
    if isinstance(joined, Refused):
        raise CommandFailed(joined.reason)
    if isinstance(joined, Lost):
        raise CommandFailed(
            f"Square's answer was lost: whether the group {joined.name!r} was made is unknown; "
            "run the same command again (it cannot make it twice)."
        )
    memberships.shown(joined)
    if joined.created:
        say(f"made the group {joined.group.name!r}.")
    emit_json(
        {"customer_id": args.customer_id, "group": _group(joined.group), "created": joined.created}
    )
    return EXIT_OK


async def _remove(args: argparse.Namespace, session: Session) -> int:
    from app.desk.groups import Memberships
    from app.desk.outcomes import Refused

    await _customer_exists(session, args.customer_id)
    group = await _find(session, args.group)
    if group is None:
        raise CommandFailed(f"No group is named {args.group!r}.")
    left = await Memberships(session, args.customer_id).leave(group)
    if isinstance(left, Refused):
        raise CommandFailed(left.reason)
    emit_json({"customer_id": args.customer_id, "group": _group(group), "removed": True})
    return EXIT_OK


async def _customer_exists(session: Session, customer_id: str) -> None:
    from app.square import NotFoundError

    try:
        await session.service.retrieve_customer(customer_id)
    except NotFoundError:
        raise CommandFailed(f"No customer {customer_id}.") from None
