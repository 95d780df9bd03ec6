"""Redaction: blanking the access token, and anything shaped like a Square token, out of text.

Used wherever text may reach a person or a log: error details a server echoes back
(``app.square.errors``) and the messages of bad settings (``app.config``). Plain ``re`` only:
this module is imported before the first frame.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["REDACTED", "looks_secret", "redact", "shown"]

REDACTED = "[token]"

_TOKEN_SHAPES = re.compile(
    r"""
    (?<![A-Za-z0-9_-])
    (?:
        EAAA[A-Za-z0-9_-]{16,}                  # sandbox and production access tokens
      | sq0(?:atp|atb|csp|idp)-[A-Za-z0-9_-]{8,}  # legacy tokens, secrets, application ids
    )
    """,
    re.IGNORECASE | re.VERBOSE,
)
"""Square's token shapes, in any case (a token typed or pasted in lower case still leaks)."""

_SECRET_RUN = re.compile(r"[A-Za-z0-9_-]{32,}")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each of `secrets` (in any letter case) and every Square-token-shaped
    string replaced by ``[token]``."""
    for secret in sorted({s for s in secrets if s}, key=len, reverse=True):
        text = re.sub(re.escape(secret), REDACTED, text, flags=re.IGNORECASE)
    return _TOKEN_SHAPES.sub(REDACTED, text)


def looks_secret(text: str) -> bool:
    """Whether `text` holds a Square-shaped token, or a long unbroken run of letters and
    digits (32 or more, both kinds) such as another server's token pasted by mistake."""
    if _TOKEN_SHAPES.search(text):
        return True
    for run in _SECRET_RUN.findall(text):
        if any(c.isalpha() for c in run) and any(c.isdigit() for c in run):
            return True
    return False


def shown(value: object, *, limit: int = 80) -> str:
    """How a setting's value is echoed in an error message: quoted when short and harmless,
    otherwise described without its text (a token pasted under the wrong key stays hidden)."""
    text = value if isinstance(value, str) else repr(value)
    if looks_secret(text):
        return "a value that looks like an access token (not shown)"
    if len(text) > limit or not text.isprintable():
        return f"a {len(text)}-character value (not shown)"
    return repr(value)
