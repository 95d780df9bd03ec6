"""Field checks made as the agent types, where a library knows: email, phone, dates, lengths.

Square checks again on save; these say every problem at once, before any request:
an email address by `email-validator` (syntax only, no DNS), a phone number by
`phonenumbers` in the seller's region, a birthday as a real date not in the future,
and Square's length limits (NOTES "Customer object").
"""

from __future__ import annotations

from datetime import date

__all__ = [
    "COUNTRY_HELP",
    "LENGTH_LIMITS",
    "SELLER_REGION",
    "birthday_problem",
    "e164",
    "email_problem",
    "length_problem",
    "phone_problem",
    "tax_id_problem",
]

SELLER_REGION = "US"
"""Where a phone number without ``+`` is read (the demo seller's country; Square reads it
in the seller's)."""

LENGTH_LIMITS = {
    "given_name": 300,
    "family_name": 300,
    "company_name": 500,
    "nickname": 100,
    "email_address": 254,
    "reference_id": 100,
    "note": 4096,
    "eu_vat": 20,
}
ADDRESS_PART_MAX = 500
COUNTRY_HELP = "Not a country code Square knows: use the ISO two-letter code (GB, US, FR…)."


def length_problem(name: str, text: str) -> str | None:
    """Square's length limit of a field (an address part's for any other)."""
    most = LENGTH_LIMITS.get(name, ADDRESS_PART_MAX)
    if len(text) > most:
        return f"At most {most} characters ({len(text)} typed)."
    return None


def email_problem(text: str) -> str | None:
    """Why ``text`` is no email address (``None``: it is one), without asking DNS."""
    from email_validator import EmailNotValidError, validate_email

    try:
        # test_environment: `.test` addresses pass, as Square (and the emulator) take them
        validate_email(text, check_deliverability=False, test_environment=True)
    except EmailNotValidError as err:
        return f"Not an email address: {err}"
    return None


def _parsed(text: str, region: str):  # type: ignore[no-untyped-def]
    import phonenumbers

    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def phone_problem(text: str, region: str = SELLER_REGION) -> str | None:
    """Why ``text`` is no phone number Square takes (``None``: it is one)."""
    digits = sum(ch.isdigit() for ch in text)
    if not 9 <= digits <= 16:
        return f"A phone number has 9 to 16 digits ({digits} typed)."
    if _parsed(text, region) is None:
        return f"Not a real phone number (read in {region} without a +country code)."
    return None


def e164(text: str, region: str = SELLER_REGION) -> str:
    """The number in E.164 (``+16175551212``); ``ValueError`` with the reason if none."""
    import phonenumbers

    problem = phone_problem(text, region)
    if problem:
        raise ValueError(problem)
    number = _parsed(text, region)
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def birthday_problem(text: str, today: date) -> str | None:
    """Why ``text`` is no birthday: ``YYYY-MM-DD`` or ``MM-DD``, a real day, not in the future."""
    parts = text.split("-")
    try:
        if len(parts) == 2 and len(parts[0]) <= 2:
            date(2000, int(parts[0]), int(parts[1]))  # a leap year: 02-29 is a birthday
            return None
        if len(parts) == 3 and len(parts[0]) == 4:
            day = date(int(parts[0]), int(parts[1]), int(parts[2]))
        else:
            raise ValueError
    except ValueError:
        return "Not a real date: YYYY-MM-DD, or MM-DD without the year."
    if day > today:
        return "A birthday cannot be in the future."
    if day.year < 1900:
        return "A birthday after 1900, please."
    return None


def tax_id_problem(text: str) -> str | None:
    """An EU VAT number: up to 20 letters and digits (Square's rule)."""
    if len(text) > LENGTH_LIMITS["eu_vat"]:
        return f"At most {LENGTH_LIMITS['eu_vat']} characters ({len(text)} typed)."
    if not text.isalnum() or not text.isascii():
        return "Letters and digits only, such as IE1234567FA."
    return None
