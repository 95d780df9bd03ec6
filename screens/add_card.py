"""Add a card on file: from a card nonce (Web Payments SDK) or the id of a payment just taken."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static
from textual.worker import Worker, WorkerState

from app.intents import Intents
from app.safe_text import shown_as, terminal_safe, unsafe_characters
from app.square import Address, Card, LostAnswerError, SquareError, SquareService, ValidationError
from app.tui import describe_error
from widgets.safe_input import SafeInput

SOURCE_HINT = "card nonce (cnon:…) or the id of a payment just taken"


class AddCardDialog(ModalScreen[Card | None]):
    """Dismisses with the new card; a refused card keeps the dialog open with the reason."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="add_card.cancel"),
        Binding("ctrl+s", "submit", "Add card", id="add_card.submit"),
    ]

    def __init__(
        self,
        service: SquareService,
        customer_id: str,
        cardholder: str,
        *,
        hint: str = "",
        intents: Intents | None = None,
    ) -> None:
        super().__init__()
        self.hint = hint
        self.service = service
        self.customer_id = customer_id
        self.cardholder = cardholder
        self.intents = intents if intents is not None else Intents()
        """The run's intended creates: the same card submitted again, in this dialog or
        in a new one, goes under the same idempotency key."""
        self.idempotency_key: str | None = None
        """The key of the last attempt."""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
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
                yield Button("Add card", id="add", variant="primary")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#source", Input).focus()

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
        cardholder = self.query_one("#cardholder", Input).value.strip() or None
        postal_code = self.query_one("#postal_code", Input).value.strip() or None
        intent = self.intents.card(
            self.customer_id, source, cardholder_name=cardholder, postal_code=postal_code
        )
        self.idempotency_key = intent.key
        try:
            card = await self.service.create_card(
                source,
                customer_id=self.customer_id,
                cardholder_name=cardholder,
                billing_address=Address(postal_code=postal_code) if postal_code else None,
                idempotency_key=intent.key,
            )
        except ValidationError as error:
            self.show_error(str(error))
            return
        except LostAnswerError:
            self.show_error(
                "The answer was lost; press ctrl+s again — it will not add a second card."
            )
            return
        finally:
            self.query_one("#add", Button).disabled = False
        self.dismiss(card)
        self.intents.done(intent)

    def show_error(self, text: str) -> None:
        self.query_one("#error", Static).update(Text(terminal_safe(text, multiline=True)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR:
            error = event.worker.error
            reason = str(error) if isinstance(error, SquareError) else describe_error(error)
            self.show_error(f"Not added: {reason}")
