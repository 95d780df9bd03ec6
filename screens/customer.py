"""One customer: the profile to fix, the cards on file, the groups — nothing lost on the way.

The screen presents what the workflows (:mod:`app.desk`) answer: a save merged with a
change saved elsewhere, a clash shown beside its field, a customer deleted elsewhere, a
create whose answer was lost. With no customer the screen creates one.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from app.desk.create import Created, create_customer
from app.desk.delete import ChangedMeanwhile, Deleted, delete_customer
from app.desk.outcomes import Gone, Lost, Rejected, refusal
from app.desk.profile import load_customer
from app.desk.save import Clashes, Saved, save_customer
from app.safe_text import describe_error, terminal_safe
from app.session import Session
from app.square import Customer
from screens.customer_duplicates import NEW_CUSTOMER, DuplicateChecks
from widgets.cards_panel import CardsPanel
from widgets.groups_panel import GroupsPanel
from widgets.profile_form import ProfileForm
from widgets.top_bar import TopBar

WRITE_ACTIONS = {"edit": "UpdateCustomer", "save": "UpdateCustomer", "delete": "DeleteCustomer"}
FAILED = {
    "load": "Could not load the customer",
    "cards": "Cards",
    "groups": "Could not load the groups",
    "membership": "Groups",
    "save": "Not saved",
    "delete": "Not deleted",
    "undo": "Not undone",
    "check": "Could not look for duplicates",
    "fields": "Custom fields",
}
"""Each worker group's title when its call fails."""


def headline(customer: Customer) -> Text:
    """The screen's title: the customer's name (and email), terminal-safe."""
    if not customer.id:
        return Text("New customer")
    parts = [customer.display_name]
    if customer.email_address and customer.email_address != customer.display_name:
        parts.append(customer.email_address)
    return Text(terminal_safe(" · ".join(parts)))


class CustomerScreen(DuplicateChecks):
    """The profile, cards and groups of one customer (or a new one)."""

    BINDINGS = [
        Binding("e", "edit", "Edit", id="customer.edit"),
        Binding("ctrl+s", "save", "Save", id="customer.save"),
        Binding("escape", "back", "Back", id="customer.back"),
        Binding("d", "delete", "Delete customer", id="customer.delete"),
        Binding("y", "copy_id", "Copy id", id="customer.copy_id"),
        Binding("r", "reload", "Reload", id="customer.reload"),
        Binding("D", "duplicates", "Duplicates", id="customer.duplicates"),
        Binding("right_square_bracket", "next_panel", "Next panel", show=False, id="customer.next"),
        Binding(
            "left_square_bracket",
            "previous_panel",
            "Previous panel",
            show=False,
            id="customer.prev",
        ),
        Binding("q", "app.quit", "Quit", show=False, id="customer.quit"),
        Binding("h", "history", "History", show=False, id="customer.history"),
        Binding("ctrl+z", "undo_last", "Undo last change", show=False, id="customer.undo"),
    ]

    def __init__(self, session: Session, customer: Customer | None = None) -> None:
        super().__init__(session, customer or NEW_CUSTOMER)

    @property
    def has_unsaved_edits(self) -> bool:
        return self.is_mounted and ((self.form.editing and self.form.dirty) or self.fields_dirty)

    def compose(self) -> ComposeResult:
        yield TopBar(headline(self.customer), self.session.settings)
        yield Static(id="duplicates", markup=False)
        with TabbedContent(id="panels"):
            with TabPane("Profile", id="profile"):
                yield ProfileForm(self.customer)
            with TabPane("Cards", id="cards"):
                yield CardsPanel(self.session.may_write)
            with TabPane("Groups", id="groups"):
                yield GroupsPanel(self.session.may_write)
            with TabPane("Custom fields", id="fields"):
                yield self.custom_fields_panel()
        yield Footer()

    def on_mount(self) -> None:
        if self.is_new:
            tabs = self.query_one(TabbedContent)
            tabs.disable_tab("cards")
            tabs.disable_tab("groups")
            tabs.disable_tab("fields")
            self.action_edit()
            return
        self.action_reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and not self.session.may_write(WRITE_ACTIONS[action]):
            return False  # read-only: hidden from footer, help and palette
        editing = self.is_mounted and self.form.editing
        if action == "save":
            return editing
        if action in ("edit", "delete"):
            return not editing and not (action == "delete" and self.is_new)
        if action == "duplicates":
            return bool(self.duplicates) and not editing
        if action in ("copy_id", "reload", "next_panel", "previous_panel", "history"):
            return not self.is_new
        if action == "undo_last":
            return not editing and not self.session.read_only
        return True

    # -- load ------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.reload()
        self.load_cards()
        self.load_groups()
        self.load_fields()

    @work(exclusive=True, group="load", exit_on_error=False)
    async def reload(self) -> None:
        """Retrieve is Square's consistent read: the list may lag, the profile must not."""
        found = await load_customer(self.session, self.customer.id)
        if isinstance(found, Gone):
            self.deleted_elsewhere()
            return
        if self.form.editing and self.form.dirty:
            self.form.rebase(found, keep=self.form.changed_values())  # keep what is typed
        else:
            self.form.show(found)
        self.show_customer(found)

    def deleted_elsewhere(self) -> None:
        """The customer is gone: leave, unless the form holds edits the agent may want."""
        if self.form.editing and self.form.dirty:
            self.notify(
                "This customer was deleted elsewhere. Your edits are still in the form; "
                "copy what you need.",
                title="Deleted elsewhere",
                severity="error",
            )
            return
        self.notify(
            f"{self.customer.display_name} was deleted elsewhere.",
            title="Deleted elsewhere",
            severity="warning",
            markup=False,
        )
        self.dismiss(None)

    def show_customer(self, customer: Customer) -> None:
        self.customer = customer
        self.session.journal.opened(customer.id, customer.display_name)
        self.query_one(TopBar).set_title(headline(customer))
        self.show_groups()
        self.look_for_duplicates()

    # -- edit, save, delete ----------------------------------------------------------------

    def action_edit(self) -> None:
        operation = "CreateCustomer" if self.is_new else "UpdateCustomer"
        if self.refused(refusal(self.session, operation)):
            return
        self.query_one(TabbedContent).active = "profile"
        self.form.editing = True
        self.refresh_bindings()

    def action_save(self) -> None:
        if not self.form.editing:
            return
        if not self.form.dirty:
            self.notify("Nothing to save." if not self.is_new else "Type the customer's details.")
            if not self.is_new:
                self.stop_editing()
            return
        unsafe = self.form.unsafe()
        if unsafe:
            self.form.show_errors(unsafe)  # what was typed stays, the reason beside it
            return
        self.check_duplicates()

    @work(exclusive=True, group="save", exit_on_error=False)
    async def create(self) -> None:
        result = await create_customer(self.session, self.form.changes(NEW_CUSTOMER))
        if isinstance(result, Rejected):
            self.show_rejection(result)
        elif isinstance(result, Lost):
            self.notify(
                "The answer was lost; press ctrl+s again — it will not create a second "
                "customer. Your edits are still in the form.",
                title="Not confirmed",
                severity="warning",
            )
        elif isinstance(result, Created):
            self.created(result)
        else:
            self.refused(result)

    def created(self, result: Created) -> None:
        self.form.show(result.customer)
        self.show_customer(result.customer)
        self.stop_editing()
        tabs = self.query_one(TabbedContent)
        tabs.enable_tab("cards")
        tabs.enable_tab("groups")
        tabs.enable_tab("fields")
        self.load_cards()
        self.load_groups()
        self.load_fields()
        self.notify(f"Created {result.customer.display_name}.", markup=False)
        self.session.intents.done(result.intent)  # seen: the same data again is a new one

    def show_rejection(self, rejected: Rejected) -> None:
        """Each rejected field's reason beside it; what no field shows, as a notification."""
        elsewhere = self.form.show_errors(rejected.field_errors)
        if not rejected.field_errors or elsewhere:
            detail = "; ".join(elsewhere.values()) if elsewhere else rejected.message
            self.notify(detail, title="Not saved", severity="error", markup=False)

    @work(exclusive=True, group="save", exit_on_error=False)
    async def save(self) -> None:
        result = await save_customer(self.session, self.form.edit())
        if isinstance(result, Saved):
            self.form.show(result.customer)
            self.show_customer(result.customer)
            self.stop_editing()
            merged = " (merged with a change saved elsewhere meanwhile)" if result.merged else ""
            self.notify(f"Saved {result.customer.display_name}{merged}.", markup=False)
        elif isinstance(result, Clashes):
            self.show_clashes(result)
        elif isinstance(result, Rejected):
            if result.base is not None:
                self.form.rebase(result.base, keep=self.form.changed_values())
                self.show_customer(result.base)
            self.show_rejection(result)
        elif isinstance(result, Gone):
            self.notify(
                "This customer no longer exists (deleted elsewhere). Your edits are still "
                "in the form; copy what you need.",
                title="Not saved",
                severity="error",
            )
        else:
            self.refused(result)

    def show_clashes(self, clashes: Clashes) -> None:
        """Someone else changed the same fields: theirs beside each, the agent's text kept;
        the next ctrl+s saves the agent's over theirs."""
        self.form.rebase(clashes.latest, keep=clashes.kept)
        self.show_customer(clashes.latest)
        self.form.show_errors(
            {name: f"changed elsewhere to “{value}”" for name, value in clashes.theirs.items()}
        )
        self.notify(
            "Someone else changed these fields meanwhile. Your text is kept; "
            "ctrl+s again saves yours over theirs.",
            title="Conflict",
            severity="warning",
        )

    def action_delete(self) -> None:
        if self.refused(refusal(self.session, "DeleteCustomer")):
            return
        from app.config import Environment
        from screens.confirm import ConfirmDialog

        customer = self.customer
        reach = " · ".join(v for v in (customer.email_address, customer.phone_number) if v)
        who = f"{customer.display_name} ({reach})" if reach else customer.display_name
        production = self.session.environment is Environment.PRODUCTION
        question = (
            f"Delete {who}? Their cards on file go with them and cannot come back; "
            "the profile and its groups can be made again from history (h), under a new id."
        )

        def decided(yes: bool | None) -> None:
            if yes:
                self.delete()

        dialog = ConfirmDialog(
            question,
            confirm="Delete customer",
            danger=True,
            typed=customer.display_name if production else None,
        )
        self.app.push_screen(dialog, decided)

    @work(exclusive=True, group="delete", exit_on_error=False)
    async def delete(self) -> None:
        result = await delete_customer(self.session, self.customer)
        if isinstance(result, ChangedMeanwhile):
            self.notify(
                "Someone changed this customer meanwhile; look at the latest profile first.",
                title="Not deleted",
                severity="warning",
            )
            self.reload()
        elif isinstance(result, Deleted):
            self.notify(f"Deleted {result.customer.display_name}.", markup=False)
            self.dismiss(None)
        elif isinstance(result, Gone):
            self.deleted_elsewhere()
        else:
            self.refused(result)

    def stop_editing(self) -> None:
        self.form.editing = False
        self.refresh_bindings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed calls become a message."""
        if event.state is not WorkerState.ERROR:
            return
        detail = describe_error(event.worker.error)
        if event.worker.group == "save":
            detail += " Your edits are still in the form."
        title = FAILED.get(event.worker.group, "Error")
        self.notify(detail, title=title, severity="error", markup=False)

    # -- leave -----------------------------------------------------------------------------

    def action_back(self) -> None:
        if not self.form.editing and self.fields_dirty:
            self.ask_discard_fields()
            return
        if not self.form.editing:
            self.dismiss(None)
            return
        if not self.form.dirty:
            if self.is_new:
                self.dismiss(None)
                return
            self.stop_editing()
            return
        from screens.confirm import ConfirmDialog

        def decided(discard: bool | None) -> None:
            if discard and self.is_new:
                self.dismiss(None)
            elif discard:
                self.form.show(self.customer)
                self.stop_editing()

        self.app.push_screen(
            ConfirmDialog("Discard your unsaved edits?", confirm="Discard", danger=True), decided
        )

    # -- history and undo ------------------------------------------------------------------

    def action_history(self) -> None:
        from screens.history import HistoryScreen

        self.app.push_screen(HistoryScreen(self.session, self.customer.id), self.came_back)

    def action_undo_last(self) -> None:
        from app.desk.undo import last_undoable
        from screens.history import ask_undo

        change = last_undoable(self.session.journal)
        if change is None:
            self.notify("Nothing changed this run can be undone.", title="Undo")
            return
        ask_undo(self, self.session, change, self.undone)

    def undone(self, _result: object) -> None:
        if self.session.directory.get(self.customer.id) is None:
            self.dismiss(None)  # undoing its creation deleted it
            return
        self.action_reload()

    def came_back(self, _: None) -> None:
        if not self.is_new:
            self.action_reload()

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(self.customer.id)
        self.notify(f"Copied {self.customer.id}", markup=False)
