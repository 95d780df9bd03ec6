"""The profile of one customer as a form: read-only until `e`, every field with its error.

What Square stores is shown terminal-safe and kept as stored: the editors draw control
characters as placeholders but their values stay untouched, and a changed field that
still holds control characters is refused beside the field (:meth:`ProfileForm.unsafe`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Input, Label, Static

from app.desk.edits import FIELD_NAMES, ProfileEdit, field_for_error, shown_value
from app.safe_text import shown_as, terminal_safe, unsafe_characters
from app.square.models import Customer, CustomerFields
from widgets.profile_words import CLEANED_NOTE, created_by, marketing_emails
from widgets.safe_input import SafeInput
from widgets.safe_text_area import SafeTextArea


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
    Field("phone_number", "Phone", "+1 206 555 0100"),
    Field("birthday", "Birthday", "YYYY-MM-DD or MM-DD"),
    Field("reference_id", "Reference id"),
    Field("eu_vat", "EU VAT number", "such as IE1234567FA"),
)
ADDRESS_FIELDS = (
    Field("address_line_1", "Address"),
    Field("address_line_2", "Address line 2"),
    Field("address_line_3", "Address line 3"),
    Field("locality", "City"),
    Field("sublocality", "District / neighbourhood"),
    Field("administrative_district_level_1", "State / region"),
    Field("administrative_district_level_2", "County"),
    Field("administrative_district_level_3", "Region level 3"),
    Field("postal_code", "Postal code"),
    Field("country", "Country", "two-letter code: US, GB, FR…"),
)
COUNTRY_HELP = "Not a country code Square knows: use the ISO two-letter code (GB, US, FR…)."
INPUTS = FIELDS + ADDRESS_FIELDS
CONTROL_HELP = "Remove the control characters (shown as {shown}) before saving."


class ProfileForm(VerticalScroll):
    """Shows a customer; when editing, says which fields changed and shows rejected ones."""

    editing: reactive[bool] = reactive(False)

    def __init__(self, customer: Customer, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.customer = customer

    def compose(self) -> ComposeResult:
        yield Static(id="meta", markup=False)
        with Grid(classes="fields"):
            yield from self.compose_fields(FIELDS)
        with Vertical(classes="field", id="field-note"):
            yield Label("Note", classes="field-label")
            yield SafeTextArea(
                id="note",
                disabled=True,
                soft_wrap=True,
                show_line_numbers=False,
                highlight_cursor_line=False,
            )
            yield Static("", classes="field-error", id="error-note")
        with Grid(classes="fields"):
            yield from self.compose_fields(ADDRESS_FIELDS)

    def compose_fields(self, fields: Iterable[Field]) -> ComposeResult:
        for field in fields:
            with Vertical(classes="field", id=f"field-{field.name}"):
                yield Label(field.label, classes="field-label")
                yield SafeInput(
                    placeholder=field.placeholder,
                    id=field.name,
                    disabled=True,
                    select_on_focus=False,
                )
                yield Static("", classes="field-error", id=f"error-{field.name}")

    def on_mount(self) -> None:
        self.show(self.customer)

    def show(self, customer: Customer) -> None:
        """Fill the form from a customer (what is typed is lost: callers check `dirty`)."""
        self.rebase(customer, keep=())
        self.clear_errors()

    def rebase(self, customer: Customer, *, keep: Iterable[str]) -> None:
        """Take a newer version of the customer, keeping the text typed in `keep`."""
        kept = set(keep)
        for field in INPUTS:
            if field.name not in kept:
                self.query_one(f"#{field.name}", Input).value = shown_value(customer, field.name)
        if "note" not in kept:
            self.query_one("#note", SafeTextArea).text = customer.note or ""
        self.show_meta(customer)

    def show_meta(self, customer: Customer) -> None:
        self.customer = customer
        if not customer.id:
            self.query_one("#meta", Static).update(Text("a new customer", style="dim"))
            return
        created = customer.created_at.date().isoformat() if customer.created_at else "—"
        updated = customer.updated_at.date().isoformat() if customer.updated_at else "—"
        meta = (
            f"id {customer.id} · {created_by(customer.creation_source)} on {created}"
            + f" · updated {updated} · v{customer.version}"
        )
        text = Text(terminal_safe(meta), style="dim")
        emails = marketing_emails(customer.preferences)
        if emails:
            text.append("\n" + emails, style="dim italic")
        self.query_one("#meta", Static).update(text)

    def watch_editing(self, editing: bool) -> None:
        for field in INPUTS:
            self.query_one(f"#{field.name}", Input).disabled = not editing
        self.query_one("#note", SafeTextArea).disabled = not editing
        self.set_class(editing, "-editing")
        if editing:
            self.query_one(f"#{FIELDS[0].name}", Input).focus()

    def typed(self) -> dict[str, str]:
        values = {f.name: self.query_one(f"#{f.name}", Input).value for f in INPUTS}
        values["note"] = self.query_one("#note", SafeTextArea).text
        return values

    def edit(self, base: Customer | None = None) -> ProfileEdit:
        """What is typed, as an edit of ``base`` (the customer last loaded by default)."""
        return ProfileEdit(base or self.customer, self.typed())

    def changed_values(self, base: Customer | None = None) -> dict[str, str]:
        """The fields whose text differs from `base` (the customer last loaded by default)."""
        return self.edit(base).changed()

    def unsafe(self, base: Customer | None = None) -> dict[str, str]:
        """Why each changed field cannot be saved as typed — every one at once: control
        characters, or what Square would refuse (:meth:`ProfileEdit.problems`: email,
        phone, a real birthday not in the future, tax id, country, lengths).

        A field left as stored is never refused (what Square holds is not the agent's to
        fix unless they edit it); what is saved is the stripped text, so a stray tab or
        newline at either end is no reason to refuse.
        """
        edit = self.edit(base)
        reasons = edit.problems(date.today())
        for name, text in edit.changed().items():
            found = unsafe_characters(text.strip(), multiline=name == "note")
            if found:
                reasons[name] = CONTROL_HELP.format(shown=shown_as(found))
        return reasons

    @property
    def dirty(self) -> bool:
        return bool(self.changed_values())

    def changes(self, base: Customer | None = None) -> CustomerFields:
        """The sparse update: changed fields only; a field emptied is cleared (`null`)."""
        return self.edit(base).fields()

    def show_errors(self, errors: Mapping[str, str]) -> dict[str, str]:
        """Show each rejected field's reason beside it; what was typed stays.

        Returns the errors of fields the form does not show, for the caller to tell.
        """
        self.clear_errors()
        first: str | None = None
        elsewhere: dict[str, str] = {}
        for field, detail in errors.items():
            name = field_for_error(field)
            if name not in FIELD_NAMES:
                elsewhere[field] = detail
                continue
            if name == "country":
                detail = COUNTRY_HELP
            self.query_one(f"#error-{name}", Static).update(Text(terminal_safe(detail)))
            self.query_one(f"#field-{name}").add_class("-invalid")
            first = first or name
        if first is not None:
            self.query_one(f"#{first}").focus()
            self.query_one(f"#field-{first}").scroll_visible()
        return elsewhere

    def on_safe_input_cleaned(self, event: SafeInput.Cleaned) -> None:
        """Pasted tabs and line breaks became spaces: said beside the field."""
        name = event.input.id or ""
        if name not in FIELD_NAMES:
            return
        self.query_one(f"#error-{name}", Static).update(Text(CLEANED_NOTE, style="italic"))
        self.query_one(f"#field-{name}").add_class("-noted")

    def clear_errors(self) -> None:
        for error in self.query(".field-error"):
            if isinstance(error, Static):
                error.update("")
        for field in self.query(".field.-invalid, .field.-noted"):
            field.remove_class("-invalid", "-noted")
