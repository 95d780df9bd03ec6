"""Choose a group to add the customer to: type to filter; a new name creates the group.

Names match as Square's agents read them: case, leading/trailing and repeated spaces
aside (``vip`` is ``VIP``). The existing group is offered first; creating a group whose
name differs from an existing one only in case or spacing asks first.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from app.desk.groups import GroupAdmin, GroupDeleted, NameTaken, Renamed, same_name
from app.desk.intents import group_name_key, tidy_name
from app.safe_text import terminal_safe
from app.square import CustomerGroup
from widgets.safe_input import SafeInput

NEW = "\x00new"


class GroupPicker(ModalScreen[CustomerGroup | str | None]):
    """Dismisses with the chosen group, with a name for a new group, or None.

    ``groups`` are all the groups known; those in ``member_of`` (ids) are the
    customer's already: shown when their name is typed, but not offered.
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pick_group.cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("f2", "rename_group", "Rename group", id="pick_group.rename"),
        Binding("f8", "delete_group", "Delete group", id="pick_group.delete"),
    ]

    def __init__(
        self,
        groups: Sequence[CustomerGroup],
        member_of: Collection[str] = (),
        *,
        admin: GroupAdmin | None = None,
    ) -> None:
        super().__init__()
        self.groups = sorted(groups, key=lambda g: (group_name_key(g.name), g.name, g.id))
        self.member_of = frozenset(member_of)
        self.admin = admin
        """Given when the desk may rename and delete groups (f2 / f8)."""
        self.changed = False
        """A group was renamed or deleted here: the caller reads the groups again."""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog", can_focus=False):
            yield Static("Add to group", classes="dialog-title")
            yield SafeInput(placeholder="type to filter, or a new group's name", id="filter")
            yield OptionList(id="groups")
            if self.admin is not None:
                yield Static(Text("f2 rename · f8 delete the highlighted group", style="dim"))

    def on_mount(self) -> None:
        self.fill("")

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.fill(event.value)

    def same_name(self, text: str) -> list[CustomerGroup]:
        """The groups whose name is ``text``, case and spacing aside."""
        return same_name(self.groups, text)

    def fill(self, text: str) -> None:
        needle = group_name_key(text)
        same = self.same_name(text)
        starts = [
            g for g in self.groups if g not in same and group_name_key(g.name).startswith(needle)
        ]
        inside = [
            g
            for g in self.groups
            if g not in same and g not in starts and needle in group_name_key(g.name)
        ]
        options = [self.option(group) for group in (*same, *starts, *inside)]
        name = tidy_name(text)
        if name and not any(g.name == name for g in same):
            label = f"+ create group “{terminal_safe(name)}”"
            if same:
                label += f" (“{terminal_safe(same[0].name)}” exists)"
            options.append(Option(Text(label), id=NEW))
        option_list = self.query_one(OptionList)
        option_list.clear_options()
        option_list.add_options(options)
        enabled = [i for i, option in enumerate(options) if not option.disabled]
        option_list.highlighted = enabled[0] if enabled else None

    def option(self, group: CustomerGroup) -> Option:
        if group.id in self.member_of:
            label = f"{terminal_safe(group.name)} (already in this group)"
            return Option(Text(label), id=group.id, disabled=True)
        return Option(Text(terminal_safe(group.name)), id=group.id)

    def action_move(self, step: int) -> None:
        option_list = self.query_one(OptionList)
        if step > 0:
            option_list.action_cursor_down()
        else:
            option_list.action_cursor_up()

    @on(Input.Submitted, "#filter")
    def submitted(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            option = option_list.get_option_at_index(option_list.highlighted)
            if not option.disabled:
                self.choose(option.id)

    @on(OptionList.OptionSelected)
    def selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option.id)

    def choose(self, option_id: str | None) -> None:
        if option_id == NEW:
            self.create(tidy_name(self.query_one("#filter", Input).value))
            return
        group = next((g for g in self.groups if g.id == option_id), None)
        if group is not None and group.id not in self.member_of:
            self.dismiss(group)

    def create(self, name: str) -> None:
        """A new group; a name that only differs in case or spacing from an existing
        group's is created only once the agent says so."""
        same = self.same_name(name)
        if not same:
            self.dismiss(name)
            return
        from screens.confirm import ConfirmDialog

        existing = ", ".join(f"“{g.name}”" for g in same)
        question = (
            f"A group named {existing} already exists. Create a separate group “{name}”? "
            "Customers in one will not be found under the other."
        )

        def decided(yes: bool | None) -> None:
            if yes:
                self.dismiss(name)

        self.app.push_screen(ConfirmDialog(question, confirm=f"Create “{name}”"), decided)

    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- groups managed (screens/group_admin.py) -------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rename_group", "delete_group"):
            return self.admin is not None
        return True

    def highlighted_group(self) -> CustomerGroup | None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is None:
            return None
        option_id = option_list.get_option_at_index(option_list.highlighted).id
        return next((g for g in self.groups if g.id == option_id), None)

    def action_rename_group(self) -> None:
        from screens.group_admin import RenameGroupDialog

        group = self.highlighted_group()
        if group is None or self.admin is None:
            return

        def named(name: str | None) -> None:
            if name:
                self.rename_group(group, name)

        self.app.push_screen(RenameGroupDialog(group.name), named)

    @work(exclusive=True, group="group_admin")
    async def rename_group(self, group: CustomerGroup, name: str) -> None:
        assert self.admin is not None
        result = await self.admin.rename(group, name)
        if isinstance(result, Renamed):
            self.replace_group(group, result.group)
            self.notify(f"Renamed “{group.name}” to “{result.group.name}”.", markup=False)
        elif isinstance(result, NameTaken):
            self.notify(
                f"A group named “{result.existing.name}” exists already.",
                title="Not renamed",
                severity="warning",
                markup=False,
            )
        else:
            self.notify(result.reason, title="Read-only", severity="warning", markup=False)

    def action_delete_group(self) -> None:
        group = self.highlighted_group()
        if group is not None and self.admin is not None:
            self.ask_delete(group)

    @work(exclusive=True, group="group_admin")
    async def ask_delete(self, group: CustomerGroup) -> None:
        from screens.confirm import ConfirmDialog

        assert self.admin is not None
        count = await self.admin.member_count(group)
        members = f"{count} customer{'s' if count != 1 else ''}"
        question = (
            f"Delete the group “{group.name}”? Its {members} leave it; the customers "
            "themselves are kept. This cannot be undone."
        )

        def decided(yes: bool | None) -> None:
            if yes:
                self.delete_group(group)

        dialog = ConfirmDialog(question, confirm="Delete group", danger=True)
        self.app.push_screen(dialog, decided)

    @work(exclusive=True, group="group_admin")
    async def delete_group(self, group: CustomerGroup) -> None:
        assert self.admin is not None
        result = await self.admin.delete(group)
        if isinstance(result, GroupDeleted):
            self.replace_group(group, None)
            self.notify(f"Deleted the group “{group.name}”.", markup=False)
        else:
            self.notify(result.reason, title="Read-only", severity="warning", markup=False)

    def replace_group(self, old: CustomerGroup, new: CustomerGroup | None) -> None:
        groups = [g for g in self.groups if g.id != old.id] + ([new] if new else [])
        self.groups = sorted(groups, key=lambda g: (group_name_key(g.name), g.name, g.id))
        self.changed = True
        self.fill(self.query_one("#filter", Input).value)
