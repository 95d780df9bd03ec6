"""The table of customers on the main screen: it paints only the rows on screen.

A search answer replaces the rows at every keystroke, so the table must not pay for rows
nobody sees: it is a scroll view with the Line API (`render_line`), whose cost is the
height of the screen whatever the number of rows, instead of a DataTable that measures
and lays out every cell of every answer.

Marks: `space` marks the highlighted customer (and moves down), `*` marks every customer
of the answer (again: clears them), for the bulk actions of the main screen. A mark is
shown as ✓ in the gutter. Marks belong to customer ids; a new answer keeps the marks of
the customers still in it and drops the others, so a mark is never out of sight.
:class:`CustomerTable.MarksChanged` tells the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from app.safe_text import terminal_safe

if TYPE_CHECKING:
    from app.square import Customer

HEADERS = ("Name", "Email", "Phone", "Company", "Created")
FIXED = {2: 18, 4: 10}
"""Phone and Created keep their width; Name, Email and Company share the rest."""
SHARES = {0: 3, 1: 4, 3: 3}
GAP = 1
MARK = "✓"
"""The gutter of a marked row (the gutter of an unmarked row is a space)."""


def column_widths(width: int) -> list[int]:
    """The width of each column for a table `width` cells wide."""
    free = max(0, width - sum(FIXED.values()) - GAP * len(HEADERS) - 1)
    total = sum(SHARES.values())
    widths = [0] * len(HEADERS)
    for column, fixed in FIXED.items():
        widths[column] = fixed
    given = 0
    for column, share in SHARES.items():
        widths[column] = free * share // total
        given += widths[column]
    widths[0] += free - given
    return widths


def customer_values(customer: Customer, why: str | None = None) -> tuple[str, ...]:
    """The cells of a customer's row, terminal-safe (Square's text may hold controls);
    ``why`` it matched a search, when not by name, follows the name."""
    created = customer.created_at.date().isoformat() if customer.created_at else ""
    name = customer.display_name if why is None else f"{customer.display_name} · {why}"
    return tuple(
        terminal_safe(value)
        for value in (
            name,
            customer.email_address or "",
            customer.phone_number or "",
            customer.company_name or "",
            created,
        )
    )


def line(
    values: Sequence[str], widths: Sequence[int], dim_last: bool, marked: bool = False
) -> Text:
    """One line of cells after a one-cell gutter (✓ when marked), each cell cut with an
    ellipsis to its width; never markup."""
    text = Text(MARK if marked else " ", no_wrap=True, end="")
    for column, (value, width) in enumerate(zip(values, widths, strict=True)):
        cell = Text(value.replace("\n", " "), no_wrap=True, overflow="ellipsis", end="")
        cell.truncate(width, overflow="ellipsis", pad=True)
        if dim_last and column == len(values) - 1:
            cell.stylize("dim")
        text.append_text(cell)
        text.append(" " * GAP)
    return text


class CustomerTable(ScrollView, can_focus=True):
    """A row cursor over customers, with vim keys; `enter` (or a click on the cursor row)
    posts :class:`CustomerTable.Selected`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Open"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("home,g", "first", "Top", show=False, id="table.top"),
        Binding("end,G", "last", "Bottom", show=False, id="table.bottom"),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("space", "toggle_mark", "Mark", show=False, id="table.mark"),
        Binding("asterisk", "mark_all", "Mark all", show=False, id="table.mark_all"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "customer-table--header",
        "customer-table--cursor",
        "customer-table--even-row",
        "customer-table--empty",
        "customer-table--marked",
    }

    cursor_row: reactive[int] = reactive(0, always_update=True)

    class Selected(Message):
        """The agent chose a customer (enter, or a click on the highlighted row)."""

        def __init__(self, table: CustomerTable, customer: Customer) -> None:
            super().__init__()
            self.table = table
            self.customer = customer

        @property
        def control(self) -> CustomerTable:
            return self.table

    class MarksChanged(Message):
        """The marks changed: ``count`` customers are marked now."""

        def __init__(self, table: CustomerTable, count: int) -> None:
            super().__init__()
            self.table = table
            self.count = count

        @property
        def control(self) -> CustomerTable:
            return self.table

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.customers: Sequence[Customer] = ()
        """The answer shown; the directory builds each customer only when it is read."""
        self._ids: Sequence[str] = ()
        self._why: Callable[[int], str | None] | None = None
        self._saved: dict[int, Customer] = {}
        self.empty_text = ""
        self._cache: dict[tuple[int, str, int, int, bool, int, bool], Strip] = {}
        self.marks: set[str] = set()
        """The ids of the marked customers, all of them in the answer shown."""

    # -- data ------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.customers)

    @property
    def selected_customer(self) -> Customer | None:
        if 0 <= self.cursor_row < len(self.customers):
            return self.customer_at(self.cursor_row)
        return None

    def customer_at(self, row: int) -> Customer:
        return self._saved.get(row) or self.customers[row]

    def show(self, customers: Sequence[Customer], *, empty_text: str = "") -> None:
        """Replace the rows, keeping the cursor on the same customer when it is still there.

        Only the rows painted are read, so a lazy answer builds about a screenful.
        """
        was = self.cursor_row
        current = self._ids[was] if 0 <= was < len(self._ids) else None
        self.customers = customers
        ids = getattr(customers, "ids", None)
        self._ids = ids if ids is not None else [c.id for c in customers]
        self._why = getattr(customers, "why", None)
        self._saved = {}
        if self.marks:
            kept = self.marks.intersection(self._ids)
            if kept != self.marks:
                self._set_marks(kept)
        self.empty_text = terminal_safe(empty_text)  # may quote a search or Square's error
        self._cache.clear()
        row = 0
        if current is not None:
            found = self._index_of(current, near=was)
            row = found if found is not None else 0
        self.virtual_size = Size(self.size.width, len(self.customers) + 1)
        self.cursor_row = row
        if row == 0:
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()

    KEEP_CURSOR_WITHIN = 100
    """A new answer keeps the cursor on its customer when it is at most this many rows
    below where the cursor was (a screenful or two: a lazy answer reads no further)."""

    def _index_of(self, customer_id: str, near: int = 0) -> int | None:
        """The row of ``customer_id`` among the rows down to ``near`` and a little past it
        (an answer may hold millions)."""
        within = max(0, near) + self.KEEP_CURSOR_WITHIN
        index_of = getattr(self.customers, "index_of", None)
        if index_of is not None:
            found: int | None = index_of(customer_id, within)
            return found
        for index in range(min(len(self._ids), within)):
            if self._ids[index] == customer_id:
                return index
        return None

    def update_customer(self, customer: Customer) -> None:
        """Show a saved customer in place."""
        index = self._index_of(customer.id, near=self.cursor_row)
        if index is not None:
            self._saved[index] = customer
            self._cache.clear()
            self.refresh()

    def move_cursor(self, *, row: int) -> None:
        self.cursor_row = row

    # -- marks -----------------------------------------------------------------------------

    @property
    def marked_customers(self) -> list[Customer]:
        """The marked customers, in the answer's order (only they are built)."""
        if not self.marks:
            return []
        return [self.customer_at(row) for row, cid in enumerate(self._ids) if cid in self.marks]

    def _set_marks(self, marks: set[str]) -> None:
        self.marks = marks
        self._cache.clear()
        self.refresh()
        self.post_message(self.MarksChanged(self, len(marks)))

    def clear_marks(self) -> None:
        if self.marks:
            self._set_marks(set())

    def action_toggle_mark(self) -> None:
        """Mark the highlighted customer, or unmark it; then on to the next row."""
        if not 0 <= self.cursor_row < len(self._ids):
            return
        customer_id = self._ids[self.cursor_row]
        self._set_marks(self.marks ^ {customer_id})
        self.cursor_row += 1

    def action_mark_all(self) -> None:
        """Mark every customer of the answer; when all are marked already, clear them."""
        every = set(self._ids)
        self._set_marks(set() if every and every <= self.marks else every)

    # -- cursor ----------------------------------------------------------------------------

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, len(self.customers) - 1))

    def watch_cursor_row(self, row: int) -> None:
        rows_visible = max(1, self.scrollable_content_region.height - 1)
        top = round(self.scroll_offset.y)
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + rows_visible:
            self.scroll_to(y=row - rows_visible + 1, animate=False, immediate=True)
        self.refresh()

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = len(self.customers) - 1

    def action_page_down(self) -> None:
        self.cursor_row += max(1, self.scrollable_content_region.height - 2)

    def action_page_up(self) -> None:
        self.cursor_row -= max(1, self.scrollable_content_region.height - 2)

    def action_select(self) -> None:
        customer = self.selected_customer
        if customer is not None:
            self.post_message(self.Selected(self, customer))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        row = round(self.scroll_offset.y) + event.y - 1
        if not 0 <= row < len(self.customers):
            return
        if row == self.cursor_row or event.chain > 1:
            self.cursor_row = row
            self.action_select()
        else:
            self.cursor_row = row

    # -- painting --------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self.virtual_size = Size(event.size.width, len(self.customers) + 1)

    def on_focus(self) -> None:
        self._cache.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._cache.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = column_widths(width)
        if y == 0:
            style = self.get_component_rich_style("customer-table--header")
            return self._strip(line(HEADERS, widths, False), width, style)
        row = round(self.scroll_offset.y) + y - 1
        if not 0 <= row < len(self.customers):
            if row == 0 and self.empty_text:
                style = self.get_component_rich_style("customer-table--empty")
                return self._strip(Text(f" {self.empty_text}", no_wrap=True), width, style)
            return Strip.blank(width, self.rich_style)
        customer = self.customer_at(row)
        selected = row == self.cursor_row
        marked = customer.id in self.marks
        key = (row, customer.id, customer.version, width, selected, int(self.has_focus), marked)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if selected:
            style = self.get_component_rich_style("customer-table--cursor")
        elif marked:
            style = self.get_component_rich_style("customer-table--marked")
        elif row % 2:
            style = self.get_component_rich_style("customer-table--even-row")
        else:
            style = self.rich_style
        why = self._why(row) if self._why is not None and row not in self._saved else None
        values = customer_values(customer, why)
        strip = self._strip(line(values, widths, not selected, marked), width, style)
        if len(self._cache) > 512:
            self._cache.clear()
        self._cache[key] = strip
        return strip

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        segments = [
            Segment(s.text, style + s.style if s.style else style)
            for s in text.render(self.app.console)
        ]
        return Strip(segments).extend_cell_length(width, style).crop(0, width)
