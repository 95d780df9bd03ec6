"""The customer's Custom fields panel: load and save through the custom fields workflow.

A base of :class:`screens.customer.CustomerScreen` (over the cards and groups panels):
this module holds the custom fields' job — read every field the desk sees with the
customer's values, save what the agent changed at the versions read, and present
what happened: every bad value beside its field at once, a value changed elsewhere
meanwhile shown (the agent's text kept; ``ctrl+s`` again saves it over theirs).
"""

from __future__ import annotations

from textual import on, work
from textual.widgets import TabbedContent

from app.desk.checks import SELLER_REGION
from app.desk.custom_fields import (
    CustomFields,
    FieldsInvalid,
    FieldsSaved,
    Typed,
    load_custom_fields,
    save_custom_fields,
)
from app.desk.outcomes import Gone
from screens.customer_panels import CustomerPanels
from widgets.custom_fields import CustomFieldsPanel

WRITE = "UpsertCustomerCustomAttribute"


class CustomerFieldsPanels(CustomerPanels):
    """Adds the Custom fields panel to the cards and groups panels."""

    def custom_fields_panel(self) -> CustomFieldsPanel:
        may_write = self.session.may_write(WRITE)
        reason = "" if may_write else self.session.access.reason(WRITE)
        return CustomFieldsPanel(may_write, read_only_reason=reason, id="custom-fields")

    @property
    def fields_panel(self) -> CustomFieldsPanel:
        return self.query_one(CustomFieldsPanel)

    @property
    def fields_dirty(self) -> bool:
        return self.is_mounted and self.fields_panel.dirty

    @work(exclusive=True, group="fields", exit_on_error=False)
    async def load_fields(self) -> None:
        found = await load_custom_fields(self.session, self.customer.id)
        if isinstance(found, Gone):
            return  # the profile's reload says so
        keep = frozenset(self.fields_panel.typed()) if self.fields_panel.dirty else frozenset()
        await self.fields_panel.present(found, keep=keep)
        self.label_fields(found)

    def label_fields(self, fields: CustomFields) -> None:
        count = sum(1 for f in fields.fields if f.value not in (None, "", []))
        self.query_one(TabbedContent).get_tab("fields").label = f"Custom fields ({count})"

    @on(TabbedContent.TabActivated)
    def fields_shown(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id == "fields":
            self.fields_panel.focus()

    @on(CustomFieldsPanel.SaveRequested)
    def save_fields_requested(self, event: CustomFieldsPanel.SaveRequested) -> None:
        event.stop()
        self.save_fields(event.typed)

    @work(exclusive=True, group="fields", exit_on_error=False)
    async def save_fields(self, typed: dict[str, Typed]) -> None:
        panel = self.fields_panel
        if panel.fields is None:
            return
        result = await save_custom_fields(self.session, panel.fields, typed, region=SELLER_REGION)
        if isinstance(result, FieldsInvalid):
            panel.show_problems(result.problems)
            count = len(result.problems)
            self.notify(
                f"{count} field{'s' if count > 1 else ''} to fix; nothing was saved.",
                title="Not saved",
                severity="error",
            )
        elif isinstance(result, FieldsSaved):
            await self.fields_saved(result)
        elif isinstance(result, Gone):
            self.notify(
                "This customer no longer exists (deleted elsewhere).",
                title="Not saved",
                severity="error",
            )
        else:
            self.refused(result)

    async def fields_saved(self, result: FieldsSaved) -> None:
        panel = self.fields_panel
        unsaved = frozenset(result.conflicts) | frozenset(result.rejected)
        await panel.present(result.fields, keep=unsaved)
        problems = {
            key: f"changed elsewhere to “{value}”: ctrl+s again saves yours over it"
            for key, value in result.conflicts.items()
        }
        problems.update(result.rejected)
        panel.show_problems(problems)
        self.label_fields(result.fields)
        if result.conflicts:
            self.notify(
                "Someone else changed a custom field meanwhile. Your text is kept; "
                "ctrl+s again saves yours over theirs.",
                title="Conflict",
                severity="warning",
            )
        elif result.rejected:
            self.notify(
                "Square refused a value: see beside it.", title="Not saved", severity="error"
            )
        elif result.saved:
            n = len(result.saved)
            self.notify(f"Saved {n} custom field{'s' if n > 1 else ''}.")
        else:
            self.notify("Nothing to save.")

    def ask_discard_fields(self) -> None:
        from screens.confirm import ConfirmDialog

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        question = "Discard your unsaved custom field edits?"
        self.app.push_screen(ConfirmDialog(question, confirm="Discard", danger=True), decided)
