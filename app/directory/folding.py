"""Text folding: how the directory compares text (case and accents dropped, words, digits).

The query and the indexed fields are folded (case and accents dropped) and split into
words at anything that is not a letter or digit; a phone number is compared by its digits,
with and without the country code.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["WORD", "fold", "national_digits", "phone_digits", "query_words", "words"]

_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "ð": "d",
        "Ð": "d",
        "þ": "th",
        "Þ": "th",
        "ı": "i",
        "ß": "ss",
    }
)
WORD = re.compile(r"[^\W_]+")
_NON_DIGIT = re.compile(r"\D+")


def fold(text: str) -> str:
    """Lower case without accents: ``"Zoë Ørsted"`` → ``"zoe orsted"``."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_SPECIAL))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def words(text: str) -> list[str]:
    """The folded words of ``text``: runs of letters and digits."""
    return WORD.findall(fold(text))


def query_words(text: str) -> list[str]:
    """The words a query must match, without those implied by a longer one
    (``"a ada"`` needs only ``ada``), in order of length, longest first."""
    found = sorted(set(words(text)), key=lambda word: (-len(word), word))
    kept: list[str] = []
    for word in found:
        if not any(other.startswith(word) for other in kept):
            kept.append(word)
    return kept


def phone_digits(text: str) -> str:
    """Only the digits of ``text``."""
    return _NON_DIGIT.sub("", text)


def _country_codes() -> frozenset[str]:
    try:
        from phonenumbers import COUNTRY_CODE_TO_REGION_CODE
    except ImportError:  # pragma: no cover - phonenumbers is a dependency
        return frozenset({"1", "7", "44", "33", "49", "61", "81", "86", "91"})
    return frozenset(str(code) for code in COUNTRY_CODE_TO_REGION_CODE)


_COUNTRY_CODES = _country_codes()


def national_digits(phone: str) -> str:
    """The digits of a phone number without its country code, when it has a ``+`` (or
    ``00``) prefix or is an 11-digit NANP number: ``+1 206-222-3333`` → ``2062223333``."""
    digits = phone_digits(phone)
    stripped = phone.lstrip()
    if stripped.startswith("00"):
        digits = digits[2:]
    elif not stripped.startswith("+"):
        if len(digits) == 11 and digits.startswith("1"):
            return digits[1:]
        return digits
    for size in (1, 2, 3):
        if digits[:size] in _COUNTRY_CODES:
            return digits[size:]
    return digits
