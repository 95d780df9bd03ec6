"""One customer: the profile to fix, the cards on file, the groups — nothing lost on the way.

Saves carry the customer's version; a change saved elsewhere meanwhile is merged when it
touches other fields and shown beside the field when it touches the same one. With no
customer the screen creates one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from app.config import Environment
from app.safe_text import terminal_safe
from app.square import (
    Card,
    ConflictError,
    Customer,
    CustomerGroup,
    LostAnswerError,
    NotFoundError,
    ValidationError,
)
from app.tui import describe_error, may_write
from widgets.cards_panel import CardsPanel
from widgets.groups_panel import GroupsPanel
from widgets.profile_form import ProfileForm, shown_value
from widgets.top_bar import TopBar

if TYPE_CHECKING:
    from app.backend import Backend
    from app.tui import CustomerDeskApp

NEW_CUSTOMER = Customer(id="")
WRITE_ACTIONS = {"edit": "UpdateCustomer", "save": "UpdateCustomer", "delete": "DeleteCustomer"}
PANELS = ("profile", "cards", "groups")


def headline(customer: Customer) -> Text:
    """The screen's title: the customer's name (and email), terminal-safe."""
    if not customer.id:
        return Text("New customer")
    parts = [customer.display_name]
    if customer.email_address and customer.email_address != customer.display_name:
        parts.append(customer.email_address)
    return Text(terminal_safe(" · ".join(parts)))


class CustomerScreen(Screen[None]):
    """The profile, cards and groups of one customer (or a new one)."""

    BINDINGS = [
        Binding("e", "edit", "Edit", id="customer.edit"),
        Binding("ctrl+s", "save", "Save", id="customer.save"),
        Binding("escape", "back", "Back", id="customer.back"),
        Binding("d", "delete", "Delete customer", id="customer.delete"),
        Binding("y", "copy_id", "Copy id", id="customer.copy_id"),
        Binding("r", "reload", "Reload", id="customer.reload"),
        Binding("right_square_bracket", "next_panel", "Next panel", show=False, id="customer.next"),
        Binding(
            "left_square_bracket",
            "previous_panel",
            "Previous panel",
            show=False,
            id="customer.prev",
        ),
        Binding("q", "app.quit", "Quit", show=False, id="customer.quit"),
    ]

    def __init__(self, backend: Backend, customer: Customer | None = None) -> None:
        super().__init__()
        self.backend = backend
        self.customer = customer or NEW_CUSTOMER
        self.groups: dict[str, CustomerGroup] = {}
        self.segment_names: dict[str, str] = {}

    @property
    def desk(self) -> CustomerDeskApp:
        return cast("CustomerDeskApp", self.app)

    @property
    def form(self) -> ProfileForm:
        return self.query_one(ProfileForm)

    @property
    def is_new(self) -> bool:
        return not self.customer.id

    @property
    def has_unsaved_edits(self) -> bool:
        return self.is_mounted and self.form.editing and self.form.dirty

    def compose(self) -> ComposeResult:
        yield TopBar(headline(self.customer), self.desk.settings)
        with TabbedContent(id="panels"):
            with TabPane("Profile", id="profile"):
                yield ProfileForm(self.customer)
            with TabPane("Cards", id="cards"):
                yield CardsPanel()
            with TabPane("Groups", id="groups"):
                yield GroupsPanel()
        yield Footer()

    def on_mount(self) -> None:
        if self.is_new:
            tabs = self.query_one(TabbedContent)
            tabs.disable_tab("cards")
            tabs.disable_tab("groups")
            self.action_edit()
            return
        self.reload()
        self.load_cards()
        self.load_groups()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS and not may_write(self, WRITE_ACTIONS[action]):
            return False  # read-only: hidden from footer, help and palette
        editing = self.is_mounted and self.form.editing
        if action == "save":
            return editing
        if action in ("edit", "delete"):
            return not editing and not (action == "delete" and self.is_new)
        if action in ("copy_id", "reload", "next_panel", "previous_panel"):
            return not self.is_new
        return True

    # -- load ------------------------------------------------------------------------------

    @work(exclusive=True, group="load", exit_on_error=False)
    async def reload(self) -> None:
        """Retrieve is Square's consistent read: the list may lag, the profile must not."""
        try:
            customer = await self.backend.service.retrieve_customer(self.customer.id)
        except NotFoundError:
            self.backend.directory.remove(self.customer.id)
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
            return
        if self.form.editing and self.form.dirty:
            self.form.rebase(customer, keep=self.form.changed_values())  # keep what is typed
        else:
            self.form.show(customer)
        self.show_customer(customer)

    def show_customer(self, customer: Customer) -> None:
        self.customer = customer
        self.query_one(TopBar).set_title(headline(customer))
        self.backend.directory.apply(customer)
        self.show_groups()

    def action_reload(self) -> None:
        self.reload()
        self.load_cards()
        self.load_groups()

    @work(exclusive=True, group="cards", exit_on_error=False)
    async def load_cards(self) -> None:
        cards = [
            card async for card in self.backend.service.iter_cards(customer_id=self.customer.id)
        ]
        self.query_one(CardsPanel).show(cards)
        count = len(self.query_one(CardsPanel).cards)
        self.query_one(TabbedContent).get_tab("cards").label = f"Cards ({count})"

    @work(exclusive=True, group="groups", exit_on_error=False)
    async def load_groups(self) -> None:
        service = self.backend.service
        self.groups = {group.id: group async for group in service.iter_customer_groups()}
        self.segment_names = {
            segment.id: segment.name async for segment in service.iter_customer_segments()
        }
        self.show_groups()

    def show_groups(self) -> None:
        if not self.groups and self.customer.group_ids:
            return  # the names are not known yet: load_groups shows them
        segments = sorted(self.segment_names.get(sid, sid) for sid in self.customer.segment_ids)
        self.query_one(GroupsPanel).show(self.customer.group_ids, self.groups, segments)
        count = len(self.customer.group_ids)
        self.query_one(TabbedContent).get_tab("groups").label = f"Groups ({count})"

    # -- panels ----------------------------------------------------------------------------

    def action_next_panel(self) -> None:
        self.switch_panel(+1)

    def action_previous_panel(self) -> None:
        self.switch_panel(-1)

    def switch_panel(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        index = PANELS.index(tabs.active) if tabs.active in PANELS else 0
        tabs.active = PANELS[(index + step) % len(PANELS)]

    @on(TabbedContent.TabActivated)
    def panel_shown(self, event: TabbedContent.TabActivated) -> None:
        pane = event.pane
        if pane.id in ("cards", "groups"):
            pane.query_one(DataTable).focus()

    @on(CardsPanel.AddRequested)
    def add_card(self) -> None:
        if self.refuse_when_read_only("CreateCard"):
            return
        from screens.add_card import AddCardDialog

        def added(card: Card | None) -> None:
            if card is not None:
                self.notify(f"Added {card.label}.", markup=False)
                self.load_cards()

        hint = ""
        if self.backend.environment in (Environment.LOCAL, Environment.SANDBOX):
            hint = (
                "Test nonces: cnon:card-nonce-ok (each nonce once; the demo also takes "
                "cnon:card-nonce-ok-2, -3 …), cnon:card-nonce-declined."
            )
        dialog = AddCardDialog(
            self.backend.service,
            self.customer.id,
            self.customer.display_name,
            hint=hint,
            intents=self.backend.intents,
        )
        self.app.push_screen(dialog, added)

    @on(CardsPanel.RemoveRequested)
    def remove_card(self, event: CardsPanel.RemoveRequested) -> None:
        if self.refuse_when_read_only("DisableCard"):
            return
        card = event.card
        self.confirm(
            f"Remove {card.label} from {self.customer.display_name}? "
            "Square disables the card; it cannot be enabled again.",
            "Remove card",
            lambda: self.disable_card(card),
        )

    @work(exclusive=True, group="cards", exit_on_error=False)
    async def disable_card(self, card: Card) -> None:
        await self.backend.service.disable_card(card.id)
        self.notify(f"Removed {card.label}.", markup=False)
        self.load_cards()

    @on(GroupsPanel.AddRequested)
    def add_group(self) -> None:
        if self.refuse_when_read_only("AddGroupToCustomer"):
            return
        from screens.pick_group import GroupPicker

        def chosen(choice: CustomerGroup | str | None) -> None:
            if choice is not None:
                self.join_group(choice)

        picker = GroupPicker(list(self.groups.values()), member_of=self.customer.group_ids)
        self.app.push_screen(picker, chosen)

    @work(exclusive=True, group="membership", exit_on_error=False)
    async def join_group(self, choice: CustomerGroup | str) -> None:
        """Join a group; a new name creates the group under the run's one key for that
        name, so a retry after a lost answer never makes a second group."""
        service = self.backend.service
        intent = None
        if isinstance(choice, str):
            intent = self.backend.intents.group(choice)
            found = await self.existing_group(intent.name)
            try:
                group = found or await service.create_customer_group(
                    intent.name, idempotency_key=intent.key
                )
            except LostAnswerError:
                self.notify(
                    f"The answer was lost; add “{intent.name}” again — it will not create "
                    "a second group.",
                    title="Not confirmed",
                    severity="warning",
                    markup=False,
                )
                return
            self.groups[group.id] = group
        else:
            group = choice
        await service.add_group_to_customer(self.customer.id, group.id)
        self.notify(f"Added to {group.name}.", markup=False)
        if intent is not None:
            self.backend.intents.done(intent)
        self.reload()

    async def existing_group(self, name: str) -> CustomerGroup | None:
        """A group of exactly this name made meanwhile (elsewhere, or by an attempt whose
        answer was lost): joined rather than made twice."""
        async for group in self.backend.service.iter_customer_groups():
            self.groups[group.id] = group
        return next((g for g in self.groups.values() if g.name == name), None)

    @on(GroupsPanel.RemoveRequested)
    def remove_group(self, event: GroupsPanel.RemoveRequested) -> None:
        if self.refuse_when_read_only("RemoveGroupFromCustomer"):
            return
        group = event.group
        self.confirm(
            f"Remove {self.customer.display_name} from {group.name}?",
            "Remove",
            lambda: self.leave_group(group),
        )

    @work(exclusive=True, group="membership", exit_on_error=False)
    async def leave_group(self, group: CustomerGroup) -> None:
        await self.backend.service.remove_group_from_customer(self.customer.id, group.id)
        self.notify(f"Removed from {group.name}.", markup=False)
        self.reload()

    def confirm(self, question: str, label: str, then: Callable[[], object]) -> None:
        from screens.confirm import ConfirmDialog

        def decided(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmDialog(question, confirm=label, danger=True), decided)

    def refuse_when_read_only(self, operation: str = "UpdateCustomer") -> bool:
        """True (and the agent told why) when ``operation`` may not be sent."""
        access = self.backend.service.access
        if access.allows(operation):
            return False
        self.notify(access.reason(operation), title="Read-only", severity="warning", markup=False)
        return True

    # -- edit, save, delete ----------------------------------------------------------------

    def action_edit(self) -> None:
        if self.refuse_when_read_only("CreateCustomer" if self.is_new else "UpdateCustomer"):
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
        if self.is_new:
            self.create()
        else:
            self.save()

    @work(exclusive=True, group="save", exit_on_error=False)
    async def create(self) -> None:
        fields = self.form.changes(NEW_CUSTOMER)
        # The same data typed again (a retry, a discard and a retype) is the same intent:
        # the same key, so Square replays the first create instead of making a second.
        intent = self.backend.intents.customer(fields.to_body())
        try:
            created = await self.backend.service.create_customer(fields, idempotency_key=intent.key)
        except ValidationError as error:
            self.show_rejection(error)
            return
        except LostAnswerError:
            self.notify(
                "The answer was lost; press ctrl+s again — it will not create a second "
                "customer. Your edits are still in the form.",
                title="Not confirmed",
                severity="warning",
            )
            return
        self.form.show(created)
        self.show_customer(created)
        self.stop_editing()
        tabs = self.query_one(TabbedContent)
        tabs.enable_tab("cards")
        tabs.enable_tab("groups")
        self.load_cards()
        self.load_groups()
        self.notify(f"Created {created.display_name}.", markup=False)
        self.backend.intents.done(intent)

    def show_rejection(self, error: ValidationError) -> None:
        """Each rejected field's reason beside it; what no field shows, as a notification."""
        elsewhere = self.form.show_errors(error.field_errors)
        if not error.field_errors or elsewhere:
            detail = "; ".join(elsewhere.values()) if elsewhere else str(error)
            self.notify(detail, title="Not saved", severity="error", markup=False)

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
                self.show_rejection(error)
                return
            except NotFoundError:
                self.notify(
                    "This customer no longer exists (deleted elsewhere). Your edits are still "
                    "in the form; copy what you need.",
                    title="Not saved",
                    severity="error",
                )
                return
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

    def action_delete(self) -> None:
        if self.refuse_when_read_only("DeleteCustomer"):
            return
        self.confirm(
            f"Delete {self.customer.display_name}? Their cards on file are disabled too. "
            "This cannot be undone.",
            "Delete customer",
            self.delete,
        )

    @work(exclusive=True, group="delete", exit_on_error=False)
    async def delete(self) -> None:
        customer = self.customer
        try:
            await self.backend.service.delete_customer(customer.id, version=customer.version)
        except ConflictError:
            self.notify(
                "Someone changed this customer meanwhile; look at the latest profile first.",
                title="Not deleted",
                severity="warning",
            )
            self.reload()
            return
        self.backend.directory.remove(customer.id)
        self.notify(f"Deleted {customer.display_name}.", markup=False)
        self.dismiss(None)

    def stop_editing(self) -> None:
        self.form.editing = False
        self.refresh_bindings()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's failed calls become a message."""
        if event.state is not WorkerState.ERROR:
            return
        title = {
            "load": "Could not load the customer",
            "cards": "Cards",
            "groups": "Could not load the groups",
            "membership": "Groups",
            "save": "Not saved",
            "delete": "Not deleted",
        }.get(event.worker.group, "Error")
        detail = describe_error(event.worker.error)
        if event.worker.group == "save":
            detail += " Your edits are still in the form."
        self.notify(detail, title=title, severity="error", markup=False)

    # -- leave -----------------------------------------------------------------------------

    def action_back(self) -> None:
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

    def action_copy_id(self) -> None:
        self.app.copy_to_clipboard(self.customer.id)
        self.notify(f"Copied {self.customer.id}", markup=False)
