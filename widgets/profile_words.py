"""The profile's words for Square's codes: where a customer came from, their email choice."""

from __future__ import annotations

from app.square.models import CustomerPreferences

CREATED_BY = {
    "OTHER": "created another way",
    "APPOINTMENTS": "created by Square Appointments",
    "COUPON": "created from a coupon",
    "DELETION_RECOVERY": "restored after a deletion",
    "DIRECTORY": "created in the Square Customer Directory",
    "EGIFTING": "created by an eGift card purchase",
    "EMAIL_COLLECTION": "created from an email sign-up",
    "FEEDBACK": "created from customer feedback",
    "IMPORT": "imported from a file",
    "INVOICES": "created by Square Invoices",
    "LOYALTY": "created by Square Loyalty",
    "MARKETING": "created by Square Marketing",
    "MERGE": "made by merging two profiles",
    "ONLINE_STORE": "created by the Square Online store",
    "INSTANT_PROFILE": "created automatically at a payment",
    "TERMINAL": "created at a Square Terminal",
    "THIRD_PARTY": "created by a third-party app",
    "THIRD_PARTY_IMPORT": "imported by a third-party app",
    "UNMERGE_RECOVERY": "restored by undoing a merge",
}
CLEANED_NOTE = "Pasted tabs and line breaks became spaces: check the text."


def created_by(source: str | None) -> str:
    """``THIRD_PARTY`` → "created by a third-party app" (an unknown code as it is)."""
    if not source:
        return "created"
    return CREATED_BY.get(source, f"created ({source.replace('_', ' ').lower()})")


def marketing_emails(preferences: CustomerPreferences | None) -> str:
    """What ``preferences.email_unsubscribed`` means, read-only ("" when Square says nothing)."""
    if preferences is None or preferences.email_unsubscribed is None:
        return ""
    if preferences.email_unsubscribed:
        return (
            "Unsubscribed from marketing emails: only the customer (or the seller in Square's "
            "Dashboard) can change this."
        )
    return "Receives marketing emails (read-only here: set in Square's Dashboard)."
