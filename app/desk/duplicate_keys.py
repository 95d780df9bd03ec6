"""The keys duplicates are compared by: email, E.164 phone, reference id, folded names.

No Textual, no client: plain functions over strings, fast enough to key 100,000
customers in a fraction of a second (phones in the common shapes are keyed without
`phonenumbers`; the rest go through it, cached).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "NICKNAMES",
    "birthday_key",
    "canonical_given",
    "close_folded",
    "close_names",
    "e164",
    "email_key",
    "fold_name",
    "phone_key",
    "postal_key",
    "text_key",
    "within_edits",
]

_NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("robert", "bob", "bobby", "rob", "robbie", "bert"),
    ("william", "will", "bill", "billy", "willy", "liam"),
    ("james", "jim", "jimmy", "jamie"),
    ("john", "jack", "johnny", "jon"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby", "betsy"),
    ("margaret", "maggie", "meg", "peggy", "marge", "madge"),
    ("katherine", "kate", "kathy", "katie", "kat", "kathryn", "catherine", "cathy"),
    ("richard", "rick", "ricky", "dick", "rich"),
    ("michael", "mike", "mikey", "mick"),
    ("thomas", "tom", "tommy"),
    ("joseph", "joe", "joey", "jose", "pepe"),
    ("charles", "charlie", "chuck", "chas"),
    ("christopher", "chris", "kit"),
    ("daniel", "dan", "danny"),
    ("david", "dave", "davey"),
    ("edward", "ed", "eddie", "ted", "ned"),
    ("anthony", "tony"),
    ("andrew", "andy", "drew"),
    ("steven", "stephen", "steve"),
    ("matthew", "matt"),
    ("nicholas", "nick", "nicky"),
    ("alexander", "alex", "sasha"),
    ("alexandra", "alexandria", "lexi"),
    ("jennifer", "jen", "jenny"),
    ("patricia", "pat", "patty", "trish"),
    ("susan", "sue", "suzy"),
    ("deborah", "debbie", "deb"),
    ("rebecca", "becky", "becca"),
    ("samantha", "sam", "sammy"),
    ("samuel", "sam", "sammy"),
    ("benjamin", "ben", "benny"),
    ("jonathan", "jon", "jonny"),
    ("victoria", "vicky", "tori"),
    ("jessica", "jess", "jessie"),
    ("gregory", "greg"),
    ("timothy", "tim", "timmy"),
    ("kenneth", "ken", "kenny"),
    ("ronald", "ron", "ronnie"),
    ("donald", "don", "donnie"),
    ("francis", "frank", "frankie"),
    ("frances", "fran", "frankie"),
    ("peter", "pete"),
    ("philip", "phil"),
    ("raymond", "ray"),
    ("lawrence", "larry"),
    ("jeffrey", "jeff"),
    ("gerald", "gerry", "jerry"),
    ("abigail", "abby"),
    ("dorothy", "dot", "dottie"),
    ("virginia", "ginny"),
    ("zachary", "zach", "zack"),
)
NICKNAMES: dict[str, str] = {}
"""A folded first name or nickname → the name it is short for (``bob`` → ``robert``)."""
for _group in _NICKNAME_GROUPS:
    for _name in _group:
        NICKNAMES.setdefault(_name, _group[0])

_NOT_WORD = re.compile(r"[^0-9a-z]+")
_NOT_DIGIT = re.compile(r"[^0-9]+")
_ASCII_DIGITS = {code: None for code in range(128) if not chr(code).isdigit()}
"""For ``str.translate``: an ASCII text's digits only (what ``_NOT_DIGIT`` leaves)."""


@lru_cache(maxsize=65536)
def fold_name(text: str) -> str:
    """Case, accents and punctuation aside: ``"José  Álvarez-Ruiz"`` → ``"jose alvarez ruiz"``."""
    if text.isascii():
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NOT_WORD.sub(" ", plain).strip()


@lru_cache(maxsize=65536)
def canonical_given(given: str) -> str:
    """The folded given name, a known nickname replaced by its full name."""
    folded = fold_name(given)
    first = folded.split(" ", 1)[0] if folded else ""
    return NICKNAMES.get(first, first)


def text_key(text: str | None) -> str:
    """A folded, non-empty comparable form of a free text (company names), or ""."""
    return fold_name(text) if text else ""


def email_key(email: str | None) -> str:
    """The same email whatever its case and surrounding spaces ("" for none)."""
    return email.strip().lower() if email else ""


def postal_key(postal: str | None) -> str:
    return "".join(postal.split()).upper() if postal else ""


def birthday_key(birthday: str | None) -> str:
    """``YYYY-MM-DD``; a birthday without year (``0000-``) compares by month and day."""
    if not birthday:
        return ""
    text = birthday.strip()
    return text[5:] if text.startswith("0000-") else text


def phone_key(phone: str | None, region: str = "US") -> str:
    """The phone in E.164 (``+14152121200``), read with ``region`` as the default
    country; "" when it is not a phone number."""
    if not phone or not phone.strip():
        return ""
    return e164(phone.strip(), region.upper())


@lru_cache(maxsize=262144)
def e164(phone: str, region: str) -> str:
    """:func:`phone_key` of a phone already stripped and not empty, ``region`` in upper
    case (cached: each distinct number is read once)."""
    digits = phone.translate(_ASCII_DIGITS) if phone.isascii() else _NOT_DIGIT.sub("", phone)
    if phone.startswith("+") and "(0)" not in phone and 8 <= len(digits) <= 15:
        if not digits.startswith("1") or len(digits) == 11:
            return "+" + digits
    elif region in _NANP and phone[0] != "+" and not phone.startswith("00"):
        if len(digits) == 10 and digits[0] not in "01":
            return "+1" + digits
        if len(digits) == 11 and digits[0] == "1":
            return "+" + digits
    import phonenumbers

    try:
        number = phonenumbers.parse(phone, None if phone.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_NANP = frozenset({"US", "CA", "PR", "GU", "VI", "AS", "MP"})


def within_edits(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` becomes ``b`` in at most ``limit`` single-letter edits (Levenshtein)."""
    if a == b:
        return True
    if limit <= 0 or abs(len(a) - len(b)) > limit:
        return False
    # The ends the two share cost no edit: only what lies between them is compared.
    start, end_a, end_b = 0, len(a), len(b)
    shorter = min(end_a, end_b)
    while start < shorter and a[start] == b[start]:
        start += 1
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a -= 1
        end_b -= 1
    if end_a - start <= limit and end_b - start <= limit:
        return True
    if limit == 1:  # one edit, yet both ends differ: that edit is the whole of the rest
        return False
    a, b = a[start:end_a], b[start:end_b]
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        best = i
        for j, char_b in enumerate(b, 1):
            value = min(
                previous[j] + 1,
                current[j - 1] + 1,
                previous[j - 1] + (char_a != char_b),
            )
            current.append(value)
            best = min(best, value)
        if best > limit:
            return False
        previous = current
    return previous[-1] <= limit


def _typos(a: str, b: str) -> int:
    """How many typos two names may differ by and still be the same name (by the
    shorter's length)."""
    shorter = min(len(a), len(b))
    return 0 if shorter <= 3 else 1 if shorter <= 7 else 2


def close_names(given_a: str, family_a: str, given_b: str, family_b: str) -> bool:
    """Near-identical names: the family names within a typo or two, and the given names
    the same once nicknames are read as the full name (or within a typo)."""
    return close_folded(
        fold_name(family_a), canonical_given(given_a), fold_name(family_b), canonical_given(given_b)
    )


def close_folded(family_a: str, given_a: str, family_b: str, given_b: str) -> bool:
    """:func:`close_names` over names already keyed: folded family names
    (:func:`fold_name`) and canonical given names (:func:`canonical_given`)."""
    if not (family_a and family_b and given_a and given_b):
        return False
    if family_a != family_b and not within_edits(family_a, family_b, _typos(family_a, family_b)):
        return False
    return given_a == given_b or within_edits(given_a, given_b, _typos(given_a, given_b))
