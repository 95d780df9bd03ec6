"""A customer's custom fields as a form: one editor per schema type, read-only ones said why.

Text, Number, Date, Email and PhoneNumber are one-line editors; a Boolean is a switch;
a Selection of one option is a drop-down, of several a list to tick; an Address its
parts. A field the desk may not change is shown disabled with the reason beneath it.
The panel presents and emits :class:`CustomFieldsPanel.SaveRequested`; the screen saves
through :mod:`app.desk.custom_fields`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical, VerticalScroll
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Select, SelectionList, Static, Switch

from app.desk.custom_fields import (
    ADDRESS_KEYS,
    CustomField,
    CustomFields,
    Typed,
    typed_changed,
    typed_of,
)
from app.safe_text import terminal_safe
from widgets.safe_input import SafeInput

PLACEHOLDERS = {
    "Number": "a number, such as 12 or 10.5",
    "Date": "YYYY-MM-DD",
    "Email": "name@example.com",
    "PhoneNumber": "+1 206 555 0100",
}
ADDRESS_LABELS = {
    "address_line_1": "Address",
    "address_line_2": "Line 2",
    "locality": "City",
    "administrative_district_level_1": "State / region",
    "postal_code": "Postal code",
    "country": "Country (GB, US…)",
}


class CustomFieldsPanel(VerticalScroll):
    """The seller's custom fields of one customer; ``ctrl+s`` saves the changed ones."""

    BINDINGS = [
        Binding("ctrl+s", "save_fields", "Save fields", id="fields.save"),
    ]

    class SaveRequested(Message):
        """The agent asked to save: every editor's value, by key."""

        def __init__(self, typed: dict[str, Typed]) -> None:
            super().__init__()
            self.typed = typed

    def __init__(self, may_write: bool, *, read_only_reason: str = "", id: str | None = None):
        super().__init__(id=id)
        self.may_write = may_write
        self.read_only_reason = read_only_reason
        self.fields: CustomFields | None = None
        self._keys: tuple[str, ...] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("loading the custom fields…", style="dim"), id="fields-status")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save_fields":
            return self.may_write and self.fields is not None
        return True

    def action_save_fields(self) -> None:
        self.post_message(self.SaveRequested(self.typed()))

    # -- showing -------------------------------------------------------------------------

    async def present(self, fields: CustomFields, *, keep: frozenset[str] = frozenset()) -> None:
        """Show ``fields``; the editors of ``keep`` keep what is typed in them."""
        keys = tuple(f.key for f in fields.fields)
        if keys != self._keys:
            await self.remove_children()
            await self.mount_all(list(self._build(fields)))
            self._keys = keys
            keep = frozenset()
        self.fields = fields
        for index, custom in enumerate(fields.fields):
            if custom.key not in keep:
                self._set(index, custom, typed_of(custom))
        self.clear_problems()
        self.refresh_bindings()

    def _build(self, fields: CustomFields) -> list[Widget]:
        if not fields.fields:
            text = "The seller has defined no custom fields (Square Dashboard → Customers)."
            return [Static(Text(text, style="dim"), id="fields-status")]
        out: list[Widget] = []
        if not self.may_write:
            out.append(Static(Text(terminal_safe(self.read_only_reason), style="dim")))
        for index, custom in enumerate(fields.fields):
            out.append(self._row(index, custom))
        return out

    def _row(self, index: int, custom: CustomField) -> Vertical:
        label = Text(terminal_safe(custom.name), style="bold")
        if custom.definition.description:
            label.append(f"  {terminal_safe(custom.definition.description)}", style="dim")
        disabled = not (self.may_write and custom.writable)
        editor = self._editor(index, custom, disabled)
        why = custom.read_only_reason
        parts: list[Widget] = [Label(label, classes="field-label"), editor]
        parts.append(Static("", classes="field-error", id=f"cf-error-{index}"))
        if why:
            parts.append(Static(Text(why, style="dim italic"), classes="field-note"))
        return Vertical(*parts, classes="field custom-field", id=f"cf-field-{index}")

    def _editor(self, index: int, custom: CustomField, disabled: bool) -> Widget:
        kind, name = custom.kind, f"cf-{index}"
        if kind == "Boolean":
            return Switch(id=name, disabled=disabled)
        if kind == "Selection":
            options = custom.definition.options
            if custom.definition.max_selections == 1:
                return Select(
                    [(terminal_safe(o.name), o.id) for o in options],
                    id=name,
                    disabled=disabled,
                    prompt="(none)",
                )
            return SelectionList[str](
                *[(terminal_safe(o.name), o.id) for o in options], id=name, disabled=disabled
            )
        if kind == "Address":
            inputs = [
                SafeInput(placeholder=ADDRESS_LABELS[part], id=f"{name}-{part}", disabled=disabled)
                for part in ADDRESS_KEYS
            ]
            return Grid(*inputs, id=name, classes="custom-address")
        placeholder = PLACEHOLDERS.get(kind or "", "")
        return SafeInput(placeholder=placeholder, id=name, disabled=disabled, select_on_focus=False)

    def _set(self, index: int, custom: CustomField, typed: Typed) -> None:
        kind, name = custom.kind, f"#cf-{index}"
        if kind == "Boolean":
            self.query_one(name, Switch).value = bool(typed)
        elif kind == "Selection" and custom.definition.max_selections == 1:
            chosen = typed[0] if isinstance(typed, tuple) and typed else Select.NULL
            select: Select[str] = self.query_one(name, Select)
            select.value = chosen
        elif kind == "Selection":
            selection: SelectionList[str] = self.query_one(name, SelectionList)
            selection.deselect_all()
            for option_id in typed if isinstance(typed, tuple) else ():
                selection.select(option_id)
        elif kind == "Address":
            parts = typed if isinstance(typed, Mapping) else {}
            for part in ADDRESS_KEYS:
                self.query_one(f"#cf-{index}-{part}", Input).value = str(parts.get(part, ""))
        else:
            self.query_one(name, Input).value = typed if isinstance(typed, str) else ""

    def _get(self, index: int, custom: CustomField) -> Typed:
        kind, name = custom.kind, f"#cf-{index}"
        if kind == "Boolean":
            return self.query_one(name, Switch).value
        if kind == "Selection" and custom.definition.max_selections == 1:
            value: Any = self.query_one(name, Select).value
            return (str(value),) if value is not Select.NULL else ()
        if kind == "Selection":
            return tuple(self.query_one(name, SelectionList).selected)
        if kind == "Address":
            return {p: self.query_one(f"#cf-{index}-{p}", Input).value for p in ADDRESS_KEYS}
        return self.query_one(name, Input).value

    # -- reading -------------------------------------------------------------------------

    def typed(self) -> dict[str, Typed]:
        """Every editor's value, by key (read-only fields included, as shown)."""
        if self.fields is None:
            return {}
        return {c.key: self._get(i, c) for i, c in enumerate(self.fields.fields)}

    @property
    def dirty(self) -> bool:
        """Whether an editor differs from the value loaded."""
        if self.fields is None:
            return False
        typed = self.typed()
        return any(typed_changed(typed[c.key], typed_of(c)) for c in self.fields.fields)

    def show_problems(self, problems: Mapping[str, str]) -> None:
        """Each field's reason beside it (what is typed stays)."""
        self.clear_problems()
        if self.fields is None:
            return
        first: Widget | None = None
        for index, custom in enumerate(self.fields.fields):
            if custom.key in problems:
                error = self.query_one(f"#cf-error-{index}", Static)
                error.update(Text(terminal_safe(problems[custom.key])))
                row = self.query_one(f"#cf-field-{index}")
                row.add_class("-invalid")
                first = first or row
        if first is not None:
            first.scroll_visible()

    def clear_problems(self) -> None:
        for error in self.query(".field-error"):
            if isinstance(error, Static):
                error.update("")
        for row in self.query(".custom-field.-invalid"):
            row.remove_class("-invalid")
