"""RetrieveTokenStatus (`POST /oauth2/token/status`): what the caller's access token may do.

The dispatcher (`asgi.py`) has already refused a missing or unknown token with Square's
401 `UNAUTHORIZED` envelope, so the handler only describes a token it knows. Square
answers with the token's `scopes`, the `merchant_id`, the application's `client_id` and
`expires_at`, which is "empty if the token never expires" [spec]: the emulator's tokens
never expire (like a personal access token), so it is left out, as Square leaves out
empty values.
"""

from __future__ import annotations

from typing import Any

from . import APPLICATION_ID
from .core import Emulator
from .ids import MERCHANT_ID
from .routing import Call, Routes

routes = Routes()

CLIENT_ID = APPLICATION_ID
"""The application id the emulator's own tokens were issued to (a token may be given
another application's id: `create_app(applications=...)`)."""


def bearer_token(headers: Any) -> str:
    """The token of an `Authorization: Bearer …` header ("" when there is none)."""
    scheme, _, token = str(headers.get("authorization", "")).partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@routes.operation("RetrieveTokenStatus", "POST", "/oauth2/token/status", "")
def retrieve_token_status(emu: Emulator, call: Call) -> tuple[int, dict[str, Any]]:
    """200 with the token's scopes (sorted, as a stable answer), merchant and client."""
    scopes = emu.tokens.get(bearer_token(call.headers), frozenset())
    body: dict[str, Any] = {
        "client_id": emu.application(call.headers),
        "merchant_id": MERCHANT_ID,
    }
    if scopes:
        body["scopes"] = sorted(scopes)
    return 200, body


__all__ = ["CLIENT_ID", "bearer_token", "retrieve_token_status"]
