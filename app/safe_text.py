"""Make text from outside terminal-safe: every control character becomes a visible mark.

Customer records, card and group names and error details come from Square, where many
hands write them. A terminal obeys the control characters in what it is sent (ESC starts
a sequence that can clear the screen, set the window title or write the clipboard), and
bidi overrides reorder what follows them. :func:`terminal_safe` is the one rule applied
to such text before anything shows it:

- C0 controls U+0000–U+001F become the Unicode control pictures U+2400–U+241F
  (``ESC`` → ``␛``, ``BEL`` → ``␇``, ``CR`` → ``␍``); DEL becomes ``␡`` (U+2421);
- a tab becomes one space;
- a newline (and U+2028/U+2029) becomes ``⏎`` on one line, or stays a newline when
  ``multiline=True``; CR LF counts as one newline;
- C1 controls U+0080–U+009F, the bidi marks, embeddings, overrides and isolates
  (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) and every other invisible
  format character (Unicode category Cf: zero-width space, BOM, tag characters…) are
  written as their code point, ``⟨U+202E⟩``; the zero-width joiner and non-joiner stay,
  since emoji and several scripts need them;
- a lone surrogate (which no terminal can encode) becomes ``�`` (U+FFFD).

Everything else is left as it is, so plain text is unchanged, and the result is stable:
``terminal_safe(terminal_safe(s)) == terminal_safe(s)``. Rich markup is not this
module's concern: show the result as a ``rich.text.Text`` or with ``markup=False``, or
pass it through :func:`markup_safe`. :func:`describe_error` turns a failure into one
such sentence. This module imports nothing of Textual.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

NEWLINE_MARK = "⏎"
SURROGATE_MARK = "\ufffd"
DEL_MARK = "\u2421"
KEPT_FORMAT = frozenset("\u200c\u200d")
"""Zero-width non-joiner and joiner: format characters that emoji and scripts need."""
NEWLINES = frozenset("\n\u2028\u2029")


def code_point_mark(char: str) -> str:
    """``⟨U+202E⟩``: how a control with no picture of its own is shown."""
    return f"⟨U+{ord(char):04X}⟩"


@lru_cache(maxsize=4096)
def placeholder(char: str) -> str | None:
    """The visible form of one character that must not reach a terminal, else None.

    Newlines and tabs are not placeholders: :func:`terminal_safe` handles them.
    """
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return DEL_MARK
    if 0x80 <= code <= 0x9F:
        return code_point_mark(char)
    if 0xD800 <= code <= 0xDFFF:
        return SURROGATE_MARK
    if code < 0xA0:
        return None
    if char in KEPT_FORMAT:
        return None
    if unicodedata.category(char) == "Cf":  # bidi controls are all Cf
        return code_point_mark(char)
    return None


_ASCII_CONTROL = re.compile("[\x00-\x1f\x7f]")


def terminal_safe(text: str, *, multiline: bool = False) -> str:
    """`text` with every control character made visible (see the module docstring).

    Never raises on any ``str``; a non-``str`` is shown with ``str()`` first.
    """
    if not isinstance(text, str):
        text = str(text)
    if text.isascii() and _ASCII_CONTROL.search(text) is None:
        return text  # the common case: plain ASCII, nothing to do
    return _slow(text, multiline=multiline)


def _slow(text: str, *, multiline: bool) -> str:
    parts: list[str] = []
    previous = ""
    for char in text:
        if char == "\n" and previous == "\r" and multiline:
            parts[-1] = "\n"  # CR LF is one newline
        elif char in NEWLINES:
            parts.append("\n" if multiline else NEWLINE_MARK)
        elif char == "\t":
            parts.append(" ")
        else:
            mark = placeholder(char)
            parts.append(char if mark is None else mark)
        previous = char
    return "".join(parts)


def unsafe_characters(text: str, *, multiline: bool = False) -> list[str]:
    """The characters of `text`, in order and once each, that are not plain text to save.

    Those :func:`terminal_safe` replaces with a placeholder, and a tab; a newline only
    when not `multiline` (a note may hold newlines and tabs).
    """
    found: dict[str, None] = {}
    for char in text:
        if char in NEWLINES or char == "\t":
            if not multiline:
                found[char] = None
        elif char == "\r" and multiline:
            continue  # CR LF from a paste is a newline; a note keeps its lines
        elif placeholder(char) is not None:
            found[char] = None
    return list(found)


def one_for_one(text: str) -> str:
    """`text` made terminal-safe one character for one, for an editor to show as it edits.

    An editor's cursor counts characters, so each character stays one character: C0
    controls (tab and newline too) become their control picture, DEL ``␡``, and every
    other placeholder ``�`` (see :func:`one_for_one_lines` for an editor that lays out
    tabs itself).
    """
    if text.isascii() and _ASCII_CONTROL.search(text) is None:
        return text
    return "".join(_one_char(char) for char in text)


def _one_char(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return DEL_MARK
    return char if placeholder(char) is None and char not in NEWLINES else SURROGATE_MARK


def one_for_one_lines(text: str) -> str:
    """:func:`one_for_one` for one line of an editor that expands tabs itself."""
    return "\t".join(one_for_one(part) for part in text.split("\t"))


def shown_as(chars: list[str]) -> str:
    """How an editor shows the characters (:func:`one_for_one`), for a message: ``␛, �``."""
    return ", ".join(dict.fromkeys(one_for_one(char) for char in chars))


def markup_safe(text: str, *, multiline: bool = False) -> str:
    """:func:`terminal_safe`, then escaped for Rich markup (``[b]`` shows as typed)."""
    from rich.markup import escape

    return escape(terminal_safe(text, multiline=multiline))


ERROR_LENGTH = 500
"""Characters of an error's text shown at most: a server may answer with a novel."""


def describe_error(error: BaseException | None) -> str:
    """One sentence for a person, terminal-safe; never a traceback and never the token.

    An error's text may quote Square's answer, so it is made terminal-safe here, once,
    for every screen that shows it.
    """
    if error is None:
        return "Something went wrong."
    try:
        text = str(error).strip()
    except Exception:  # a broken __str__ must not hide the failure it describes
        text = ""
    if len(text) > ERROR_LENGTH:
        text = text[: ERROR_LENGTH - 1].rstrip() + "…"
    return terminal_safe(text) or type(error).__name__
