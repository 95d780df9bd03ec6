"""Add a card on file: from a card nonce (Web Payments SDK) or the id of a payment just taken."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from app.desk.cards import CardAdded, CardsOnFile, NewCard
from app.desk.outcomes import Lost, Refused, Rejected
from app.safe_text import describe_error, shown_as, terminal_safe, unsafe_characters
from app.square import Card
from widgets.safe_input import SafeInput

SOURCE_HINT = "card nonce (cnon:…) or the id of a payment just taken"


class AddCardDialog(ModalScreen[Card | None]):
    """Dismisses with the new card; a refused card keeps the dialog open with the reason.

    It is given the customer's cards workflow, which adds the card under the run's one
    idempotency key for it: the same card submitted again, here or in a new dialog,
    cannot be added twice.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="add_card.cancel"),
        Binding("ctrl+s", "submit", "Add card", id="add_card.submit"),
    ]

    def __init__(self, cards: CardsOnFile, cardholder: str, *, hint: str = "") -> None:
        super().__init__()
        self.hint = hint
        self.cards = cards
        self.cardholder = cardholder
        self.idempotency_key: str | None = None
        """The key of the last attempt whose answer came back or was lost."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(
            id="dialog", can_focus=False
        ):  # scrolls on a small terminal: Tab reaches the buttons
            yield Static("Add a card on file", classes="dialog-title")
            if self.hint:
                yield Static(Text(self.hint, style="dim"), id="hint")
            yield Label("Source")
            yield SafeInput(placeholder=SOURCE_HINT, id="source")
            yield Label("Cardholder name")
            yield SafeInput(value=self.cardholder, id="cardholder")
            yield Label("Billing postal code")
            yield SafeInput(id="postal_code")
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Add card (ctrl+s)", id="add", variant="primary")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#source", Input).focus()
        dialog = self.query_one("#dialog", VerticalScroll)
        self.call_after_refresh(dialog.scroll_home, animate=False)  # the title and hint first

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#add")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        source = self.query_one("#source", Input).value.strip()
        if not source:
            self.show_error("Enter the card nonce or the payment id.")
            self.query_one("#source", Input).focus()
            return
        for field in ("source", "cardholder", "postal_code"):
            found = unsafe_characters(self.query_one(f"#{field}", Input).value.strip())
            if found:
                self.show_error(
                    f"Remove the control characters (shown as {shown_as(found)}) before adding."
                )
                self.query_one(f"#{field}", Input).focus()
                return
        self.add_card(source)

    @work(exclusive=True, group="add_card", exit_on_error=False)
    async def add_card(self, source: str) -> None:
        self.show_error("adding…")
        self.query_one("#add", Button).disabled = True
        new = NewCard(
            source,
            cardholder_name=self.query_one("#cardholder", Input).value.strip() or None,
            postal_code=self.query_one("#postal_code", Input).value.strip() or None,
        )
        try:
            result = await self.cards.add(new)
        finally:
            self.query_one("#add", Button).disabled = False
        if isinstance(result, Rejected):
            self.show_error(result.message)
        elif isinstance(result, Lost):
            self.idempotency_key = result.key
            self.show_error(
                "The answer was lost; press ctrl+s again — it will not add a second card."
            )
        elif isinstance(result, Refused):
            self.show_error(result.reason)
        elif isinstance(result, CardAdded):
            self.idempotency_key = result.intent.key
            self.dismiss(result.card)
            self.cards.shown(result)

    def show_error(self, text: str) -> None:
        self.query_one("#error", Static).update(Text(terminal_safe(text, multiline=True)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            self.show_error(f"Not added: {describe_error(event.worker.error)}")
