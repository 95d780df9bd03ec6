"""The start-up baseline: a bare Textual app composing the widget classes of the main
screen (a Static header, an Input, a DataTable with the same columns, a Static status
line, a Footer) with no backend, no settings and no stylesheet file.

    .venv/bin/python tests/bench/bare_app.py
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Input, Static

TITLE = "Customer Desk"
HINT = "name, email, phone — or email: phone: ref: group: segment: created:>2024-01-01"
COLUMNS = (("Name", 24), ("Email", 32), ("Phone", 18), ("Company", 22), ("Created", 10))


class BareApp(App[None]):
    CSS = """
    #title { height: 1; background: $panel; }
    DataTable { height: 1fr; }
    #status { height: 1; }
    """
    BINDINGS = [("ctrl+q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Static(TITLE, id="title")
        yield Input(placeholder=HINT, id="search")
        yield DataTable(id="customers", cursor_type="row", zebra_stripes=True)
        yield Static("starting…", id="status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in COLUMNS:
            table.add_column(label, width=width, key=label.lower())


if __name__ == "__main__":
    BareApp().run()
