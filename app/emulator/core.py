"""The emulator's state and the rules every operation shares: clock, ids, auth, idempotency.

An `Emulator` is what each handler is given: the store, the bearer tokens with their
scopes and applications, the clock that stamps writes, the random source of new ids and
the bounds on a request body. The handlers per resource are in `customers.py`, `bulk.py`,
`groups.py`, `segments.py`, `cards.py`, `oauth.py`, `attribute_definitions.py` and
`custom_attributes.py`; the ASGI entry that calls them is `asgi.py`.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from . import APPLICATION_ID, guard
from .cursors import fingerprint
from .errors import bad_request, unauthorized
from .ids import new_id
from .normalise import format_ts
from .routing import Body, Result
from .store import Store

Clock = Callable[[], datetime]


class Emulator:
    """The state and behaviour behind the routes."""

    def __init__(
        self,
        store: Store,
        tokens: Mapping[str, frozenset[str]],
        clock: Clock,
        rng: random.Random,
        *,
        body_max: int = guard.BODY_MAX,
        body_timeout: float = guard.BODY_TIMEOUT,
        applications: Mapping[str, str] | None = None,
    ) -> None:
        self.store = store
        self.tokens = dict(tokens)
        self.applications = dict(applications or {})
        """Token → the application it was issued to (default `APPLICATION_ID`)."""
        self.clock = clock
        self.rng = rng
        self.body_max = body_max
        self.body_timeout = body_timeout

    def now(self) -> str:
        return format_ts(self.clock())

    def new_id(self, exists: Callable[[str], object]) -> str:
        while True:
            candidate = new_id(self.rng)
            if not exists(candidate):
                return candidate

    def authenticate(self, headers: Mapping[str, str]) -> frozenset[str]:
        """The scopes of the request's bearer token, else 401 UNAUTHORIZED."""
        header = headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized()
        scopes = self.tokens.get(token.strip())
        if scopes is None:
            raise unauthorized()
        return scopes

    def application(self, headers: Mapping[str, str]) -> str:
        """The application the request's (already authenticated) token belongs to."""
        token = headers.get("authorization", "").partition(" ")[2]
        return self.applications.get(token.strip(), APPLICATION_ID)

    def idempotent(
        self, scope: str, key: str | None, request_body: Any, produce: Callable[[], Result]
    ) -> Result:
        """Replay the first response for a key and body; a key reused with another body: 400."""
        if not key:
            return produce()
        request_fingerprint = fingerprint(request_body)
        seen = self.store.idempotent_get(scope, key)
        if seen is not None:
            if seen[0] != request_fingerprint:
                raise bad_request(
                    "IDEMPOTENCY_KEY_REUSED",
                    f"The idempotency key `{key}` was used before with a different request.",
                    "idempotency_key",
                )
            replay: Body = json.loads(seen[2])
            return seen[1], replay
        status, body = produce()
        if status < 300:
            self.store.idempotent_put(
                scope, key, request_fingerprint, status, json.dumps(body, ensure_ascii=False)
            )
        return status, body


__all__ = ["Clock", "Emulator"]
