"""A yes/no question: `y` (or `enter` on the button) to confirm, `n` or `esc` to cancel —
or, for the gravest (a delete in PRODUCTION), the customer's name typed to confirm; the
buttons say their keys, and the dialog scrolls on a small terminal."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from app.safe_text import terminal_safe


def same_text(typed: str, wanted: str) -> bool:
    """Typed as asked: case and spacing aside."""
    return " ".join(typed.split()).casefold() == " ".join(wanted.split()).casefold()


class ConfirmDialog(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
        Binding("left,h", "app.focus_previous", show=False),
        Binding("right,l", "app.focus_next", show=False),
    ]

    def __init__(
        self,
        question: str,
        *,
        confirm: str = "Yes",
        cancel: str = "Cancel",
        danger: bool = False,
        typed: str | None = None,
    ) -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm
        self.cancel_label = cancel
        self.danger = danger
        self.typed = typed
        """When set, the agent types this (the customer's name) before confirming."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", can_focus=False):
            yield Static(Text(terminal_safe(self.question, multiline=True)), id="question")
            if self.typed is not None:
                yield Static(
                    Text(f"Type “{terminal_safe(self.typed)}” to confirm:"), id="type-to-confirm"
                )
                yield Input(id="typed", placeholder=terminal_safe(self.typed))
            with Horizontal(id="buttons"):
                yield Button(
                    Text(terminal_safe(self.confirm_label) + " (y)"),  # may quote Square: no markup
                    id="confirm",
                    variant="error" if self.danger else "primary",
                    disabled=self.typed is not None,
                )
                yield Button(Text(terminal_safe(self.cancel_label) + " (n/esc)"), id="cancel")

    def on_mount(self) -> None:
        if self.typed is not None:
            self.query_one("#typed", Input).focus()
            return
        self.query_one("#cancel" if self.danger else "#confirm", Button).focus()

    @property
    def may_confirm(self) -> bool:
        if self.typed is None:
            return True
        return same_text(self.query_one("#typed", Input).value, self.typed)

    @on(Input.Changed, "#typed")
    def typed_changed(self) -> None:
        self.query_one("#confirm", Button).disabled = not self.may_confirm

    @on(Input.Submitted, "#typed")
    def typed_submitted(self) -> None:
        if self.may_confirm:
            self.dismiss(True)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm" and self.may_confirm)

    def action_answer(self, answer: bool) -> None:
        if answer and not self.may_confirm:
            return
        self.dismiss(answer)
