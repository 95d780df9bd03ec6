"""One customer: the profile to read and fix, saved with its version so no update is lost."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from app.service import ConflictError, NotFoundError, ValidationError
from app.tui import describe_error
from widgets.profile_form import ProfileForm, shown_value
from widgets.top_bar import TopBar

if TYPE_CHECKING:
    from app.backend import Backend
    from app.models import Customer
    from app.tui import CustomerDeskApp


def headline(customer: Customer) -> Text:
    parts = [customer.display_name]
    if customer.email_address and customer.email_address != customer.display_name:
        parts.append(customer.email_address)
    return Text(" · ".join(parts))


class CustomerScreen(Screen["Customer | None"]):
    """Dismisses with the customer as last saved (or None when nothing changed)."""

    BINDINGS = [
        Binding("e", "edit", "Edit", id="customer.edit"),
        Binding("ctrl+s", "save", "Save", id="customer.save"),
        Binding("escape", "back", "Back", id="customer.back"),
        Binding("y", "copy_id", "Copy id", id="customer.copy_id"),
        Binding("r", "reload", "Reload", id="customer.reload"),
        Binding("q", "app.quit", "Quit", show=False, id="customer.quit"),
    ]

    def __init__(self, backend: Backend, customer: Customer) -> None:
        super().__init__()
        self.backend = backend
        self.customer = customer
        self.saved: Customer | None = None

    @property
    def desk(self) -> CustomerDeskApp:
        return cast("CustomerDeskApp", self.app)

    @property
    def form(self) -> ProfileForm:
        return self.query_one(ProfileForm)

    @property
    def has_unsaved_edits(self) -> bool:
        return self.is_mounted and self.form.editing and self.form.dirty

    def compose(self) -> ComposeResult:
        yield TopBar(headline(self.customer), self.desk.settings)
        with TabbedContent(id="panels"), TabPane("Profile", id="profile"):
            yield ProfileForm(self.customer)
        yield Footer()

    def on_mount(self) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        editing = self.is_mounted and self.form.editing
        if action == "save":
            return editing
        if action == "edit":
            return not editing
        return True

    # -- load ------------------------------------------------------------------------------

    @work(exclusive=True, group="load", exit_on_error=False)
    async def reload(self) -> None:
        """Retrieve is Square's consistent read: the list may lag, the profile must not."""
        customer = await self.backend.service.retrieve_customer(self.customer.id)
        if self.form.editing and self.form.dirty:
            self.form.rebase(customer, keep=self.form.changed_values())  # keep what is typed
        else:
            self.form.show(customer)
        self.show_customer(customer)

    def show_customer(self, customer: Customer) -> None:
        self.customer = customer
        self.query_one(TopBar).set_title(headline(customer))
        self.backend.directory.apply(customer)

    def action_reload(self) -> None:
        self.reload()

    # -- edit and save ---------------------------------------------------------------------

    def action_edit(self) -> None:
        if self.backend.read_only:
            self.notify("This session is read-only.", severity="warning")
            return
        self.form.editing = True
        self.refresh_bindings()

    def action_save(self) -> None:
        if not self.form.editing:
            return
        if not self.form.dirty:
            self.notify("Nothing to save.")
            self.stop_editing()
            return
        self.save()

    @work(exclusive=True, group="save", exit_on_error=False)
    async def save(self) -> None:
        base = self.form.customer
        merged = False
        while True:
            try:
                saved = await self.backend.service.update_customer(
                    base.id, self.form.changes(base), version=base.version
                )
                break
            except ConflictError:
                if merged:
                    raise
                latest = await self.rebase_on_latest(base)
                if latest is None:
                    return
                base, merged = latest, True
            except ValidationError as error:
                self.form.show_errors(error.field_errors)
                if not error.field_errors:
                    self.notify(str(error), title="Not saved", severity="error", markup=False)
                return
            except NotFoundError:
                self.notify(
                    "This customer no longer exists (deleted elsewhere). Your edits are still "
                    "in the form; copy what you need.",
                    title="Not saved",
                    severity="error",
                )
                return
        self.saved = saved
        self.form.show(saved)
        self.show_customer(saved)
        self.stop_editing()
        merged_note = " (merged with a change saved elsewhere meanwhile)" if merged else ""
        self.notify(f"Saved {saved.display_name}{merged_note}.", markup=False)

    async def rebase_on_latest(self, base: Customer) -> Customer | None:
        """Someone else saved first: take their version, keeping what the agent typed.

        Returns the latest customer when the two edits touch different fields (the save
        goes on), or None when both changed the same field: the clash is shown beside the
        field, the agent's text stays, and the next ctrl+s saves it over theirs.
        """
        latest = await self.backend.service.retrieve_customer(base.id)
        mine = self.form.changed_values(base)
        clashes = {
            name: shown_value(latest, name)
            for name, typed in mine.items()
            if shown_value(latest, name) not in (shown_value(base, name), typed.strip())
        }
        self.form.rebase(latest, keep=mine)
        self.show_customer(latest)
        if not clashes:
            return latest
        self.form.show_errors(
            {name: f"changed elsewhere to “{value}”" for name, value in clashes.items()}
        )
        self.notify(
            "Someone else changed these fields meanwhile. Your text is kept; "
            "ctrl+s again saves yours over theirs.",
            title="Conflict",
            severity="warning",
        )
        return None

    def stop_editing(self) -> None:
        self.form.editing = False
        self.refresh_bindings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed calls become a message."""
        if event.state is not WorkerState.ERROR:
            return
        title = {"load": "Could not load", "save": "Not saved"}.get(event.worker.group, "Error")
        detail = describe_error(event.worker.error)
        if event.worker.group == "save":
            detail += " Your edits are still in the form."
        self.notify(detail, title=title, severity="error", markup=False)

    # -- leave -----------------------------------------------------------------------------

    def action_back(self) -> None:
        if not self.form.editing:
            self.dismiss(self.saved)
            return
        if not self.form.dirty:
            self.stop_editing()
            return
        from screens.confirm import ConfirmDialog

        def decided(discard: bool | None) -> None:
            if discard:
                self.form.show(self.customer)
                self.stop_editing()

        self.app.push_screen(
            ConfirmDialog("Discard your unsaved edits?", confirm="Discard", danger=True), decided
        )

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(self.customer.id)
        self.notify(f"Copied {self.customer.id}", markup=False)
