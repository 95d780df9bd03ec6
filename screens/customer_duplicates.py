"""The customer screen's duplicate checks: the warning before a create or a colliding save,
and the line (and `D`) saying which other profiles share this one's email or phone.

A base of :class:`screens.customer.CustomerScreen`, which supplies the form and the
create and save workers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Static

from app.desk.duplicates import RULES, Match, find_matches, new_duplicates
from app.session import Session
from app.square import Customer, CustomerFields
from screens.customer_fields import CustomerFieldsPanels
from widgets.profile_form import ProfileForm

if TYPE_CHECKING:
    from textual.worker import Worker

NEW_CUSTOMER = Customer(id="")


class DuplicateChecks(CustomerFieldsPanels):
    """Likely duplicates of the profile on screen, or of the one being typed."""

    def __init__(self, session: Session, customer: Customer) -> None:
        super().__init__(session, customer)
        self.duplicates: list[Match] = []
        self.checked: CustomerFields | None = None
        """The fields last checked and gone on with: ctrl+s again on the same fields (a
        retry after a lost answer) is not asked twice."""

    @property
    def form(self) -> ProfileForm:
        return self.query_one(ProfileForm)

    @property
    def is_new(self) -> bool:
        return not self.customer.id

    def create(self) -> Worker[None]:  # the customer screen's workers
        raise NotImplementedError

    def save(self) -> Worker[None]:
        raise NotImplementedError

    def open_other(self, customer: Customer) -> None:
        """Open another profile over this one (this form stays as it is)."""
        from screens.customer import CustomerScreen

        self.app.push_screen(CustomerScreen(self.session, customer))

    @work(exclusive=True, group="check", exit_on_error=False)
    async def check_duplicates(self) -> None:
        """Before a create, or a save that makes the profile collide: warn of the likely
        duplicates (the form is kept whatever the agent chooses)."""
        from screens.duplicate_warning import Choice, DuplicateWarning, Purpose

        directory, region = self.session.directory, self.session.settings.country
        fields = self.form.changes(NEW_CUSTOMER if self.is_new else self.customer)
        if self.checked == fields:
            matches = []
        elif self.is_new:
            matches = await find_matches(fields, directory, region=region)
        else:
            matches = await new_duplicates(self.customer, fields, directory, region=region)

        def go_on() -> None:
            self.checked = fields
            if self.is_new:
                self.create()
            else:
                self.save()

        if not matches:
            go_on()
            return

        def chosen(choice: Choice | None) -> None:
            if choice == "anyway":
                go_on()
            elif isinstance(choice, Customer):
                self.open_other(choice)

        purpose: Purpose = "create" if self.is_new else "save"
        self.app.push_screen(DuplicateWarning(matches, purpose=purpose), chosen)

    @work(exclusive=True, group="duplicates", exit_on_error=False)
    async def look_for_duplicates(self) -> None:
        """Other profiles sharing this one's email or phone: a line says so, `D` opens them."""
        region = self.session.settings.country
        matches = await find_matches(self.customer, self.session.directory, region=region)
        self.duplicates = [m for m in matches if {"email", "phone"} & set(m.rules)]
        line = self.query_one("#duplicates", Static)
        count = len(self.duplicates)
        if count:
            noun = "possible duplicate" if count == 1 else "possible duplicates"
            shared = " or ".join(
                sorted(
                    {
                        RULES[r].label.removeprefix("same ")
                        for m in self.duplicates
                        for r in m.rules
                        if r in ("email", "phone")
                    }
                )
            )
            verb = "shares" if count == 1 else "share"
            line.update(f"{count} {noun} {verb} this {shared} — press D to see them")
        line.display = bool(count)
        self.refresh_bindings()

    def action_duplicates(self) -> None:
        from screens.duplicate_warning import Choice, DuplicateWarning

        def chosen(choice: Choice | None) -> None:
            if isinstance(choice, Customer):
                self.open_other(choice)

        if self.duplicates:
            self.app.push_screen(DuplicateWarning(self.duplicates, purpose="browse"), chosen)
