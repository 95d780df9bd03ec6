"""The table of customers on the main screen."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.widgets import DataTable

from app.models import Customer

COLUMNS = (("Name", 24), ("Email", 32), ("Phone", 18), ("Company", 22), ("Created", 10))


def customer_cells(customer: Customer) -> tuple[Text, ...]:
    """The row for a customer; every value is plain Text so `a[b]c` shows as typed."""
    created = customer.created_at.date().isoformat() if customer.created_at else ""
    return (
        Text(customer.display_name, overflow="ellipsis", no_wrap=True),
        Text(customer.email_address or "", overflow="ellipsis", no_wrap=True),
        Text(customer.phone_number or "", overflow="ellipsis", no_wrap=True),
        Text(customer.company_name or "", overflow="ellipsis", no_wrap=True),
        Text(created, style="dim"),
    )


class CustomerTable(DataTable[Text]):
    """A row-cursor table keyed by customer id, with vim-style movement keys."""

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("g", "scroll_top", "Top", show=False, id="table.top"),
        Binding("G", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
    ]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.customers: list[Customer] = []

    def on_mount(self) -> None:
        for label, width in COLUMNS:
            self.add_column(label, width=width, key=label.lower())

    def show(self, customers: Sequence[Customer]) -> None:
        """Replace the rows, keeping the cursor on the same customer when it is still there."""
        current = self.selected_customer
        self.customers = list(customers)
        self.clear()
        self.add_rows(customer_cells(c) for c in self.customers)
        if current is not None:
            for index, customer in enumerate(self.customers):
                if customer.id == current.id:
                    self.move_cursor(row=index, animate=False)
                    break

    def update_customer(self, customer: Customer) -> None:
        """Show a saved customer in place."""
        for index, shown in enumerate(self.customers):
            if shown.id == customer.id:
                self.customers[index] = customer
                for column, cell in enumerate(customer_cells(customer)):
                    self.update_cell_at(Coordinate(index, column), cell)
                return

    @property
    def selected_customer(self) -> Customer | None:
        if not self.customers or not 0 <= self.cursor_row < len(self.customers):
            return None
        return self.customers[self.cursor_row]
