"""The profile form says everything at once: every bad field on one save, pasted text
cleaned visibly, where the customer came from in words, the marketing choice read-only."""

from __future__ import annotations

from textual import events
from textual.widgets import Input, Static

from app.square.models import CustomerPreferences
from app.tui import CustomerDeskApp
from tests.tui.helpers import SIZE, open_first_for_editing, settle
from widgets.profile_words import CLEANED_NOTE, created_by, marketing_emails


async def test_three_bad_fields_show_three_messages_on_one_save(desk: CustomerDeskApp) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        form = await open_first_for_editing(pilot)
        form.query_one("#email_address", Input).value = "ada@@example"
        form.query_one("#phone_number", Input).value = "12"
        form.query_one("#birthday", Input).value = "2030-01-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        invalid = {w.id for w in form.query(".field.-invalid")}
        assert invalid == {"field-email_address", "field-phone_number", "field-birthday"}
        birthday = form.query_one("#error-birthday", Static)
        assert "future" in str(birthday.render())
        assert form.editing  # nothing sent; the text stays


async def test_pasted_tabs_and_newlines_become_spaces_with_a_note(
    desk: CustomerDeskApp,
) -> None:
    async with desk.run_test(size=SIZE) as pilot:
        form = await open_first_for_editing(pilot)
        nickname = form.query_one("#nickname", Input)
        nickname.focus()
        nickname.value = ""
        nickname.post_message(events.Paste("Nick\tWith\nNewline"))  # as the terminal does
        await settle(pilot)
        assert nickname.value == "Nick With Newline"
        assert CLEANED_NOTE in str(form.query_one("#error-nickname", Static).render())


def test_creation_sources_and_the_marketing_choice_in_words() -> None:
    assert created_by("THIRD_PARTY") == "created by a third-party app"
    assert created_by("DIRECTORY") == "created in the Square Customer Directory"
    said = marketing_emails(CustomerPreferences(email_unsubscribed=True))
    assert said.startswith("Unsubscribed from marketing emails")
    assert marketing_emails(None) == ""
