"""The cards on file of one customer: `a` adds one, `d` removes (disables) the selected one."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static

from app.safe_text import terminal_safe
from app.square import Card
from app.tui import may_write


def card_cells(card: Card) -> tuple[Text, ...]:
    """The cells of a card's row; every text from Square made terminal-safe."""
    brand = (card.card_brand or "CARD").replace("_", " ")
    expiry = f"{card.exp_month:02d}/{card.exp_year}" if card.exp_month and card.exp_year else ""
    postal = card.billing_address.postal_code if card.billing_address else None
    return (
        Text(terminal_safe(brand)),
        Text(terminal_safe(f"•••• {card.last_4 or '????'}")),
        Text(expiry),
        Text(terminal_safe(card.cardholder_name or ""), overflow="ellipsis", no_wrap=True),
        Text(terminal_safe(postal or "")),
        Text(terminal_safe((card.card_type or "").replace("_", " ").lower())),
    )


class CardsPanel(Vertical):
    """A small table of enabled cards; adding and removing is the screen's work."""

    BINDINGS = [
        Binding("a", "add", "Add card", id="cards.add"),
        Binding("d", "remove", "Remove card", id="cards.remove"),
        Binding("j", "cursor_down", "Down", show=False, id="cards.down"),
        Binding("k", "cursor_up", "Up", show=False, id="cards.up"),
    ]

    class AddRequested(Message):
        """The agent asked to add a card."""

    class RemoveRequested(Message):
        def __init__(self, card: Card) -> None:
            super().__init__()
            self.card = card

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cards: list[Card] = []

    def compose(self) -> ComposeResult:
        yield DataTable[Text](cursor_type="row", id="cards-table")
        yield Static("loading cards…", id="cards-empty", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in (
            ("Brand", 16),
            ("Card", 10),
            ("Expires", 8),
            ("Cardholder", 28),
            ("Postal code", 12),
            ("Type", 10),
        ):
            table.add_column(label, width=width)

    def show(self, cards: Sequence[Card]) -> None:
        table = self.query_one(DataTable)
        self.cards = [card for card in cards if card.enabled]
        table.clear()
        table.add_rows(card_cells(card) for card in self.cards)
        empty = self.query_one("#cards-empty", Static)
        empty.update("No card on file. Press a to add one." if not self.cards else "")
        empty.display = not self.cards

    @property
    def selected(self) -> Card | None:
        row = self.query_one(DataTable).cursor_row
        return self.cards[row] if 0 <= row < len(self.cards) else None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add", "remove"):  # read-only: hidden from footer, help and palette
            return may_write(self, "CreateCard" if action == "add" else "DisableCard")
        return True

    def action_add(self) -> None:
        self.post_message(self.AddRequested())

    def action_remove(self) -> None:
        card = self.selected
        if card is None:
            self.notify("No card selected.", severity="warning")
            return
        self.post_message(self.RemoveRequested(card))

    def action_cursor_down(self) -> None:
        self.query_one(DataTable).action_cursor_down()

    def action_cursor_up(self) -> None:
        self.query_one(DataTable).action_cursor_up()
