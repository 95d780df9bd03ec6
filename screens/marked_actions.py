"""The main screen's actions on the marked customers: groups, delete, export — and import.

They act on the customers marked in the table (`space`, `*`), or on the highlighted one
when none is marked: `+` adds them to a group (a new name makes the group once), `-`
takes them out of one, `d` deletes them (one confirmation naming the count; versions
checked), `x` exports them (with no mark: every match of the search, not only the rows
shown); `i` opens the CSV import. Each bulk change runs in :class:`screens.bulk.BulkRun`
(progress, then each row's outcome). :class:`screens.search.SearchScreen` is built on
this base; its worker errors are handled by its one handler.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual import on, work
from textual.screen import Screen
from textual.widgets import Input

from widgets.customer_table import CustomerTable

if TYPE_CHECKING:
    from app.desk.bulk import BulkDone
    from app.directory import SearchResults
    from app.session import Session
    from app.square import Customer, CustomerGroup
    from screens.bulk import BulkAction

__all__ = ["WRITE_ACTIONS", "MarkedActions"]

WRITE_ACTIONS = {
    "new": "CreateCustomer",
    "import_csv": "BulkCreateCustomers",
    "group_add": "AddGroupToCustomer",
    "group_remove": "RemoveGroupFromCustomer",
    "delete": "BulkDeleteCustomers",
}
"""The main screen's actions that write (action → the Square operation): hidden when
that operation is refused (read-only)."""


class MarkedActions(Screen[None]):
    """The bulk actions of a screen holding a :class:`CustomerTable` and a ``#search``."""

    session: Session
    results: SearchResults | None

    def show_status(self, text: str | None = None) -> None:
        raise NotImplementedError

    def run_search(self) -> None:
        raise NotImplementedError

    def came_back(self, _: None) -> None:
        """The directory holds every change made there: show it at once."""
        self.run_search()

    @on(CustomerTable.MarksChanged)
    def marks_changed(self) -> None:
        self.show_status()

    def targets(self) -> list[Customer]:
        """The marked customers, or the highlighted one when none is marked."""
        if not self.session.connected:
            return []
        table = self.query_one(CustomerTable)
        marked = table.marked_customers
        if marked:
            return marked
        customer = table.selected_customer
        return [customer] if customer is not None else []

    @staticmethod
    def naming(customers: list[Customer]) -> str:
        if len(customers) == 1:
            return customers[0].display_name or customers[0].id
        return f"{len(customers):,} customers"

    def action_group_add(self) -> None:
        if self.session.may_write("AddGroupToCustomer") and self.targets():
            self.choose_group(adding=True)

    def action_group_remove(self) -> None:
        if self.session.may_write("RemoveGroupFromCustomer") and self.targets():
            self.choose_group(adding=False)

    @work(exclusive=True, group="groups", exit_on_error=False)
    async def choose_group(self, adding: bool) -> None:
        """Every group of the seller, then the picker; the chosen group's bulk action."""
        from app.desk.bulk import add_to_group, remove_from_group
        from screens.bulk import GroupChoice
        from screens.pick_group import GroupPicker

        customers = self.targets()
        groups = [g async for g in self.session.service.iter_customer_groups()]
        subject = self.naming(customers)
        if adding:

            def add(choice: CustomerGroup | str | None) -> None:
                if choice is None:
                    return
                name = choice if isinstance(choice, str) else choice.name
                self.run_bulk(
                    f"Add {subject} to {name}",
                    customers,
                    lambda progress: add_to_group(self.session, customers, choice, progress),
                )

            self.app.push_screen(GroupPicker(groups), add)
            return
        theirs = {gid for c in customers for gid in c.group_ids}

        def remove(group: CustomerGroup | None) -> None:
            if group is not None:
                self.run_bulk(
                    f"Remove {subject} from {group.name}",
                    customers,
                    lambda progress: remove_from_group(self.session, customers, group, progress),
                )

        self.app.push_screen(GroupChoice(f"Remove {subject} from group", groups, theirs), remove)

    def action_delete(self) -> None:
        customers = self.targets()
        if not customers or not self.session.may_write("BulkDeleteCustomers"):
            return
        from app.desk.bulk import delete_customers
        from screens.confirm import ConfirmDialog

        subject = self.naming(customers)
        count = len(customers)
        question = (
            f"Delete {subject}? Their cards on file go with them; this cannot be undone. "
            "A customer changed since you marked it is left as it is."
        )

        def decided(yes: bool | None) -> None:
            if yes:
                self.run_bulk(
                    f"Delete {subject}",
                    customers,
                    lambda progress: delete_customers(self.session, customers, progress),
                )

        confirm = "Delete" if count == 1 else f"Delete {count:,}"
        self.app.push_screen(ConfirmDialog(question, confirm=confirm, danger=True), decided)

    def run_bulk(self, title: str, customers: list[Customer], action: BulkAction) -> None:
        from app.desk.bulk import shown
        from screens.bulk import BulkRun

        def closed(done: BulkDone | None) -> None:
            if done is not None:
                shown(self.session, done)
            self.run_search()

        self.app.push_screen(BulkRun(title, len(customers), action), closed)

    def action_export(self) -> None:
        if self.session.connected:
            self.prepare_export()

    @work(exclusive=True, group="export", exit_on_error=False)
    async def prepare_export(self) -> None:
        """The marked customers, else every match of the search (not only those shown)."""
        from screens.export import ExportDialog

        table = self.query_one(CustomerTable)
        customers: Sequence[Customer] = table.marked_customers
        if customers:
            noun = "customer" if len(customers) == 1 else "customers"
            subject = f"the {len(customers):,} marked {noun}"
        else:
            text = self.query_one("#search", Input).value
            results = self.results
            if results is not None and results.total > len(results.customers):
                results = await self.session.directory.search(text, limit=results.total)
            customers = results.customers if results is not None else ()
            noun = "customer" if len(customers) == 1 else "customers"
            what = f"of “{text.strip()}”" if text.strip() else "in the directory"
            subject = f"the {len(customers):,} {noun} {what}"
        if not customers:
            self.notify("No customer to export.", title="Export", markup=False)
            return
        self.app.push_screen(ExportDialog(self.session, customers, subject))

    def action_import_csv(self) -> None:
        if not self.session.connected or not self.session.may_write("BulkCreateCustomers"):
            return
        from screens.import_customers import ImportScreen

        self.app.push_screen(ImportScreen(self.session), self.came_back)
