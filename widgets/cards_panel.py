"""The cards on file of one customer: `a` adds one, `d` removes (disables) the selected one."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable

from app.safe_text import terminal_safe
from app.square.models import Card
from widgets.rows_panel import RowsPanel


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


class CardsPanel(RowsPanel[Card]):
    """A small table of enabled cards; adding and removing is the screen's work."""

    NAME = "cards"
    NOUN = "card"
    OPERATIONS = ("CreateCard", "DisableCard")
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

    def add_requested(self) -> Message:
        return self.AddRequested()

    def remove_requested(self, row: Card) -> Message:
        return self.RemoveRequested(row)

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

    @property
    def cards(self) -> list[Card]:
        return self.rows

    def show(self, cards: Sequence[Card]) -> None:
        enabled = [card for card in cards if card.enabled]
        self.show_rows(enabled, card_cells, "No card on file. Press a to add one.")
