"""The profile of one customer as a form: read-only until `e`, every field with its error."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Input, Label, Static, TextArea

from app.models import Customer, CustomerFields


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    placeholder: str = ""


FIELDS = (
    Field("given_name", "Given name"),
    Field("family_name", "Family name"),
    Field("nickname", "Nickname"),
    Field("company_name", "Company"),
    Field("email_address", "Email", "name@example.com"),
    Field("phone_number", "Phone", "+1 206-222-3333"),
    Field("birthday", "Birthday", "YYYY-MM-DD or MM-DD"),
    Field("reference_id", "Reference id"),
)
NOTE = Field("note", "Note")


def shown_value(customer: Customer, name: str) -> str:
    value = getattr(customer, name, None)
    if name == "birthday" and isinstance(value, str) and value.startswith("0000-"):
        return value[5:]  # Square returns a birthday without a year as 0000-MM-DD
    return "" if value is None else str(value)


class ProfileForm(VerticalScroll):
    """Shows a customer; when editing, says which fields changed and shows rejected ones."""

    editing: reactive[bool] = reactive(False)

    def __init__(self, customer: Customer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.customer = customer

    def compose(self) -> ComposeResult:
        with Grid(id="fields"):
            for field in FIELDS:
                with Vertical(classes="field", id=f"field-{field.name}"):
                    yield Label(field.label, classes="field-label")
                    yield Input(
                        placeholder=field.placeholder,
                        id=field.name,
                        disabled=True,
                        select_on_focus=False,
                    )
                    yield Static("", classes="field-error", id=f"error-{field.name}")
        with Vertical(classes="field", id="field-note"):
            yield Label(NOTE.label, classes="field-label")
            yield TextArea(
                id="note",
                disabled=True,
                soft_wrap=True,
                show_line_numbers=False,
                highlight_cursor_line=False,
            )
            yield Static("", classes="field-error", id="error-note")
        yield Static(id="address", markup=False)
        yield Static(id="meta", markup=False)

    def on_mount(self) -> None:
        self.show(self.customer)

    def show(self, customer: Customer) -> None:
        """Fill the form from a customer (what is typed is lost: callers check `dirty`)."""
        self.customer = customer
        for field in FIELDS:
            self.query_one(f"#{field.name}", Input).value = shown_value(customer, field.name)
        self.query_one("#note", TextArea).text = customer.note or ""
        self.clear_errors()
        self.show_meta(customer)

    def rebase(self, customer: Customer, *, keep: Iterable[str]) -> None:
        """Take a newer version of the customer, keeping the text typed in `keep`."""
        kept = set(keep)
        for field in FIELDS:
            if field.name not in kept:
                self.query_one(f"#{field.name}", Input).value = shown_value(customer, field.name)
        if "note" not in kept:
            self.query_one("#note", TextArea).text = customer.note or ""
        self.show_meta(customer)

    def show_meta(self, customer: Customer) -> None:
        self.customer = customer
        address = customer.address.one_line if customer.address else ""
        self.query_one("#address", Static).update(Text(f"Address  {address}" if address else ""))
        created = customer.created_at.date().isoformat() if customer.created_at else "—"
        updated = customer.updated_at.date().isoformat() if customer.updated_at else "—"
        self.query_one("#meta", Static).update(
            Text(
                f"id {customer.id} · created {created} · updated {updated} · v{customer.version}",
                style="dim",
            )
        )

    def watch_editing(self, editing: bool) -> None:
        for field in FIELDS:
            self.query_one(f"#{field.name}", Input).disabled = not editing
        self.query_one("#note", TextArea).disabled = not editing
        self.set_class(editing, "-editing")
        if editing:
            self.query_one(f"#{FIELDS[0].name}", Input).focus()

    def typed(self) -> dict[str, str]:
        values = {f.name: self.query_one(f"#{f.name}", Input).value for f in FIELDS}
        values["note"] = self.query_one("#note", TextArea).text
        return values

    def changed_values(self, base: Customer | None = None) -> dict[str, str]:
        """The fields whose text differs from `base` (the customer last loaded by default)."""
        base = base or self.customer
        names = [*(f.name for f in FIELDS), "note"]
        before = {name: shown_value(base, name) for name in names}
        typed = self.typed()
        return {name: typed[name] for name in names if typed[name].strip() != before[name]}

    @property
    def dirty(self) -> bool:
        return bool(self.changed_values())

    def changes(self, base: Customer | None = None) -> CustomerFields:
        """The sparse update: changed fields only; a field emptied is cleared (`null`)."""
        values: dict[str, str | None] = {}
        for name, text in self.changed_values(base).items():
            text = text.strip()
            values[name] = text or None
        return CustomerFields(**values)

    def show_errors(self, errors: Mapping[str, str]) -> None:
        """Show each rejected field's reason beside it; what was typed stays."""
        self.clear_errors()
        first: str | None = None
        for name, detail in errors.items():
            try:
                error = self.query_one(f"#error-{name}", Static)
            except Exception:
                continue
            error.update(Text(detail))
            self.query_one(f"#field-{name}").add_class("-invalid")
            first = first or name
        if first is not None:
            self.query_one(f"#{first}").focus()

    def clear_errors(self) -> None:
        for error in self.query(".field-error"):
            if isinstance(error, Static):
                error.update("")
        for field in self.query(".field.-invalid"):
            field.remove_class("-invalid")
