"""The cards and groups of one customer, as panels: each panel's request carried out.

The base of :class:`screens.customer.CustomerScreen`, which adds the profile: this
module holds the panels' job — list the cards and the groups, add and remove a card,
join and leave a group — through the workflows of :mod:`app.desk`.
"""

from __future__ import annotations

from collections.abc import Callable

from textual import on, work
from textual.screen import Screen
from textual.widgets import DataTable, TabbedContent

from app.config import Environment
from app.desk.cards import CardsOnFile
from app.desk.groups import GroupAdmin, GroupCatalogue, Joined, Memberships
from app.desk.outcomes import Lost, Refused, refusal
from app.session import Session
from app.square import Card, Customer, CustomerGroup
from widgets.cards_panel import CardsPanel
from widgets.groups_panel import GroupsPanel

PANELS = ("profile", "cards", "groups", "fields")
TEST_NONCES = (
    "Not production: cnon:card-nonce-ok adds a card (reusable); "
    "cnon:card-nonce-declined is declined."
)


class CustomerPanels(Screen[None]):
    """A customer's Cards and Groups panels (with ``[`` / ``]`` between the panels)."""

    def __init__(self, session: Session, customer: Customer) -> None:
        super().__init__()
        self.session = session
        self.customer = customer
        self.catalogue = GroupCatalogue()

    @property
    def cards(self) -> CardsOnFile:
        return CardsOnFile(self.session, self.customer.id)

    @property
    def memberships(self) -> Memberships:
        return Memberships(self.session, self.customer.id)

    def reload(self) -> object:
        """Read the customer again (their groups changed): the profile screen's work."""
        raise NotImplementedError

    @work(exclusive=True, group="cards", exit_on_error=False)
    async def load_cards(self) -> None:
        panel = self.query_one(CardsPanel)
        panel.show(await self.cards.list())
        self.query_one(TabbedContent).get_tab("cards").label = f"Cards ({len(panel.cards)})"

    @work(exclusive=True, group="groups", exit_on_error=False)
    async def load_groups(self) -> None:
        self.catalogue = await self.memberships.catalogue()
        self.show_groups()

    def show_groups(self) -> None:
        groups, names = self.catalogue.groups, self.catalogue.segment_names
        if not groups and self.customer.group_ids:
            return  # the names are not known yet: load_groups shows them
        segments = sorted(names.get(sid, sid) for sid in self.customer.segment_ids)
        self.query_one(GroupsPanel).show(self.customer.group_ids, groups, segments)
        count = len(self.customer.group_ids)
        self.query_one(TabbedContent).get_tab("groups").label = f"Groups ({count})"

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
        if event.pane.id in ("cards", "groups"):
            event.pane.query_one(DataTable).focus()

    @on(CardsPanel.AddRequested)
    def add_card(self) -> None:
        if self.refused(refusal(self.session, "CreateCard")):
            return
        from screens.add_card import AddCardDialog

        def added(card: Card | None) -> None:
            if card is not None:
                self.notify(f"Added {card.label}.", markup=False)
                self.load_cards()

        testing = self.session.environment is not Environment.PRODUCTION  # custom URLs too
        dialog = AddCardDialog(
            self.cards, self.customer.display_name, hint=TEST_NONCES if testing else ""
        )
        self.app.push_screen(dialog, added)

    @on(CardsPanel.RemoveRequested)
    def remove_card(self, event: CardsPanel.RemoveRequested) -> None:
        if self.refused(refusal(self.session, "DisableCard")):
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
        if not self.refused(await self.cards.disable(card)):
            self.notify(f"Removed {card.label}.", markup=False)
            self.load_cards()

    @on(GroupsPanel.AddRequested)
    def add_group(self) -> None:
        if self.refused(refusal(self.session, "AddGroupToCustomer")):
            return
        from screens.pick_group import GroupPicker

        def chosen(choice: CustomerGroup | str | None) -> None:
            if picker.changed:
                self.load_groups()  # a group was renamed or deleted in the picker
            if choice is not None:
                self.join_group(choice)

        groups = list(self.catalogue.groups.values())
        admin = GroupAdmin(self.session) if self.session.may_write("UpdateCustomerGroup") else None
        picker = GroupPicker(groups, member_of=self.customer.group_ids, admin=admin)
        self.app.push_screen(picker, chosen)

    @work(exclusive=True, group="membership", exit_on_error=False)
    async def join_group(self, choice: CustomerGroup | str) -> None:
        """Join a group; a new name is made once, whatever answers are lost."""
        memberships = self.memberships
        joined = await memberships.join(choice)
        if isinstance(joined, Lost):
            self.notify(
                f"The answer was lost; add “{joined.name}” again — it will not create "
                "a second group.",
                title="Not confirmed",
                severity="warning",
                markup=False,
            )
        elif isinstance(joined, Joined):
            self.catalogue.groups[joined.group.id] = joined.group
            self.notify(f"Added to {joined.group.name}.", markup=False)
            memberships.shown(joined)
            self.reload()
        else:
            self.refused(joined)

    @on(GroupsPanel.RemoveRequested)
    def remove_group(self, event: GroupsPanel.RemoveRequested) -> None:
        if self.refused(refusal(self.session, "RemoveGroupFromCustomer")):
            return
        group = event.group
        self.confirm(
            f"Remove {self.customer.display_name} from {group.name}?",
            "Remove",
            lambda: self.leave_group(group),
        )

    @work(exclusive=True, group="membership", exit_on_error=False)
    async def leave_group(self, group: CustomerGroup) -> None:
        if not self.refused(await self.memberships.leave(group)):
            self.notify(f"Removed from {group.name}.", markup=False)
            self.reload()

    def confirm(self, question: str, label: str, then: Callable[[], object]) -> None:
        from screens.confirm import ConfirmDialog

        def decided(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmDialog(question, confirm=label, danger=True), decided)

    def refused(self, outcome: object) -> bool:
        """True (and the agent told why) when ``outcome`` is a read-only refusal."""
        if not isinstance(outcome, Refused):
            return False
        self.notify(outcome.reason, title="Read-only", severity="warning", markup=False)
        return True
