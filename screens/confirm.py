"""A yes/no question: `y` (or `enter` on the button) to confirm, `n` or `esc` to cancel;
the buttons say their keys, and the dialog scrolls on a small terminal."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from app.safe_text import terminal_safe


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
        Binding("left,h", "app.focus_previous", show=False),
        Binding("right,l", "app.focus_next", show=False),
    ]

    def __init__(
        self, question: str, *, confirm: str = "Yes", cancel: str = "Cancel", danger: bool = False
    ) -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm
        self.cancel_label = cancel
        self.danger = danger

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", can_focus=False):
            yield Static(Text(terminal_safe(self.question, multiline=True)), id="question")
            with Horizontal(id="buttons"):
                yield Button(
                    Text(terminal_safe(self.confirm_label) + " (y)"),  # may quote Square: no markup
                    id="confirm",
                    variant="error" if self.danger else "primary",
                )
                yield Button(Text(terminal_safe(self.cancel_label) + " (n/esc)"), id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel" if self.danger else "#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)
