"""Recently opened customers: the last ten opened this run, then those changed in the journal."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from app.safe_text import terminal_safe

__all__ = ["RecentDialog"]


class RecentDialog(ModalScreen[str | None]):
    """Pick one: `enter` opens it (the dialog answers its id), `esc` closes."""

    BINDINGS = [Binding("escape", "close", "Close", id="recent.close")]

    def __init__(self, recent: list[tuple[str, str]]) -> None:
        super().__init__()
        self.recent = recent

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Recently opened customers", id="recent-title")
            if not self.recent:
                yield Static("None yet: the customers you open show here.", id="recent-empty")
            options = [
                Option(Text(terminal_safe(name or "(no name)")).append(f"  {cid}", "dim"), id=cid)
                for cid, name in self.recent
            ]
            yield OptionList(*options, id="recent")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected, "#recent")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
