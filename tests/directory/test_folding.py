"""Text folding on its own: case and accents, words, query words, phone digits."""

from __future__ import annotations

from app.directory.folding import fold, national_digits, query_words, words


def test_fold_drops_case_and_accents() -> None:
    assert fold("Zoë BRONTË") == "zoe bronte"
    assert fold("Søren Ærø Łódź straße") == "soren aero lodz strasse"
    assert words("O'Connor-Smith, José") == ["o", "connor", "smith", "jose"]


def test_query_words_drop_words_implied_by_longer_ones() -> None:
    assert query_words("a ada Lov") == ["ada", "lov"]
    assert query_words("  ") == []


def test_national_digits() -> None:
    assert national_digits("+1 206-222-3333") == "2062223333"
    assert national_digits("+44 20 7946 0018") == "2079460018"
    assert national_digits("+353 1 234 5678") == "12345678"
    assert national_digits("1-212-555-4240") == "2125554240"
    assert national_digits("(415) 212-1200") == "4152121200"
