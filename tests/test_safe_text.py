"""The one display rule: any text becomes terminal-safe, visibly, stably and without a crash."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.safe_text import (
    describe_error,
    markup_safe,
    one_for_one,
    one_for_one_lines,
    shown_as,
    terminal_safe,
    unsafe_characters,
)

HOSTILE_NAME = "\u001b[2J\u001b[HCLEAR"
HOSTILE_NOTE = "\u001b]0;PWNED\u0007\u001b]52;c;SGVsbG8=\u0007\u001b[?1049l"
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def forbidden(char: str) -> bool:
    """What must never reach the terminal: C0 (but newline where allowed), DEL, C1, bidi,
    lone surrogates, and invisible format characters other than the joiners."""
    code = ord(char)
    return (
        code < 0x20
        or 0x7F <= code <= 0x9F
        or 0xD800 <= code <= 0xDFFF
        or char in BIDI
        or char in "\u2028\u2029"
        or (unicodedata.category(char) == "Cf" and char not in "\u200c\u200d")
    )


def test_the_hostile_name_shows_its_escapes_as_pictures() -> None:
    assert terminal_safe(HOSTILE_NAME) == "␛[2J␛[HCLEAR"


def test_the_hostile_note_shows_bel_and_esc_and_keeps_its_text() -> None:
    assert terminal_safe(HOSTILE_NOTE) == "␛]0;PWNED␇␛]52;c;SGVsbG8=␇␛[?1049l"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x00\x01\x1f", "\u2400\u2401\u241f"),
        ("a\x7fb", "a␡b"),
        ("a\x85b\x9bc", "a⟨U+0085⟩b⟨U+009B⟩c"),
        ("abc\u202edef", "abc⟨U+202E⟩def"),
        ("\u2066x\u2069", "⟨U+2066⟩x⟨U+2069⟩"),
        ("\u200e\u200f\u061c", "⟨U+200E⟩⟨U+200F⟩⟨U+061C⟩"),
        ("zero\u200bwidth\ufeff", "zero⟨U+200B⟩width⟨U+FEFF⟩"),
        ("tag\U000e0041", "tag⟨U+E0041⟩"),
        ("lone \ud800 surrogate", "lone \ufffd surrogate"),
        ("a\tb", "a b"),
        ("one\ntwo", "one⏎two"),
        ("one\r\ntwo", "one␍⏎two"),
        ("para\u2029graph", "para⏎graph"),
    ],
)
def test_each_kind_of_control_has_its_visible_form(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown


@pytest.mark.parametrize(
    "text",
    [
        "Ada Lovelace",
        "José Ñúñez",
        "李小龙",
        "👨\u200d👩\u200d👧 family",
        "می\u200cخواهم",
        "[b]x[/b]",
        "",
    ],
)
def test_plain_text_is_unchanged(text: str) -> None:
    assert terminal_safe(text) == text
    assert terminal_safe(text, multiline=True) == text
    assert unsafe_characters(text) == []


def test_multiline_keeps_newlines_and_folds_crlf() -> None:
    assert terminal_safe("one\r\ntwo\nthree\rfour", multiline=True) == "one\ntwo\nthree␍four"
    assert terminal_safe("a\u2028b", multiline=True) == "a\nb"


def test_a_very_long_string_is_handled_whole() -> None:
    text = ("\x1b" + "x" * 99) * 10_000
    shown = terminal_safe(text)
    assert len(shown) == len(text)
    assert "\x1b" not in shown
    assert shown.count("␛") == 10_000


def test_a_non_string_is_shown_not_raised() -> None:
    assert terminal_safe(12) == "12"  # type: ignore[arg-type]


def test_unsafe_characters_names_each_once_in_order() -> None:
    assert unsafe_characters("\x1b[\x1b\u202e\t") == ["\x1b", "\u202e", "\t"]
    assert unsafe_characters("one\ntwo\tthree", multiline=True) == []
    assert unsafe_characters("one\r\ntwo", multiline=True) == []
    assert unsafe_characters("one\ntwo") == ["\n"]


def test_shown_as_is_how_an_editor_shows_them() -> None:
    assert shown_as(["\x1b", "\u202e", "\x85", "\t"]) == "␛, �, ␉"


def test_one_for_one_keeps_the_length() -> None:
    text = "a\x1b\tb\n\u202ec\ud800\x7fé"
    shown = one_for_one(text)
    assert len(shown) == len(text)
    assert shown == "a␛␉b␊�c�␡é"
    assert one_for_one_lines("a\tb\x1b") == "a\tb␛"


def test_markup_safe_escapes_markup_after_controls() -> None:
    assert markup_safe("[@click=app.quit]x\x1b") == "\\[@click=app.quit]x␛"


# -- any text at all -------------------------------------------------------------------------

ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200)
HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(
        [
            *map(chr, range(0x20)),
            "\x7f",
            *map(chr, range(0x80, 0xA0)),
            *BIDI,
            *("\ud800", "\udfff", "\u200b", "\ufeff", "\u2028", "a", "é", "[", "]", "\u200d"),
        ]
    ),
    max_size=200,
)


@given(st.one_of(ANY_TEXT, HOSTILE_TEXT), st.booleans())
def test_any_text_comes_out_safe_and_stable(text: str, multiline: bool) -> None:
    shown = terminal_safe(text, multiline=multiline)
    assert "\x1b" not in shown
    bad = [char for char in shown if forbidden(char) and not (multiline and char == "\n")]
    assert bad == []
    assert terminal_safe(shown, multiline=multiline) == shown
    shown.encode("utf-8")  # no lone surrogate left: a terminal can be sent it


@given(st.one_of(ANY_TEXT, HOSTILE_TEXT))
def test_any_text_is_unchanged_exactly_when_nothing_is_unsafe(text: str) -> None:
    unsafe = unsafe_characters(text)
    assert (terminal_safe(text) == text) == (not unsafe)
    assert all(forbidden(char) for char in unsafe)


@given(st.one_of(ANY_TEXT, HOSTILE_TEXT))
def test_any_text_one_for_one_is_safe_and_keeps_the_length(text: str) -> None:
    shown = one_for_one(text)
    assert len(shown) == len(text)
    assert [char for char in shown if forbidden(char)] == []


def test_describe_error_is_terminal_safe_and_bounded() -> None:
    error = RuntimeError("bad \u001b]52;c;SGVsbG8=\u0007 [red]x[/red]" + "y" * 10_000)
    text = describe_error(error)
    assert text.startswith("bad ␛]52;c;SGVsbG8=␇ [red]x[/red]")
    assert unsafe_characters(text) == []
    assert len(text) <= 500


def test_describe_error_names_an_error_that_cannot_say_what_it_is() -> None:
    class Mute(Exception):
        def __str__(self) -> str:
            raise ValueError("no words")

    assert describe_error(Mute()) == "Mute"
    assert describe_error(None) == "Something went wrong."
