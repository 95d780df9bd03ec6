"""Idempotency keys for what the agent means to create: one key per intended object.

An *intent* is "this customer", "this group", "this card on this customer" — the same
data typed again (a retry after a lost answer, a discard and a retype) is the same
intent and gets the same idempotency key, so Square replays its first answer instead
of creating a second object. Keys live for the run only: the table is keyed by a
salted digest of the data (a per-run random salt, so it holds no customer text and a
later run never replays an old create, e.g. after the object was deleted), and an
intent is dropped once its create is confirmed *and* shown, so a deliberate second
create of the same data afterwards gets a new key.

Textual-free and cheap to import: the session holds one ``Intents`` for the run.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

__all__ = ["Intent", "IntentKind", "Intents", "group_name_key", "tidy_name"]

IntentKind = Literal["customer", "group", "card", "attribute"]


def tidy_name(name: str) -> str:
    """A name as it is sent: trimmed, runs of whitespace collapsed to one space."""
    return " ".join(name.split())


def group_name_key(name: str) -> str:
    """The form under which two group names are "the same name": tidied and casefolded
    (``" vip "``, ``"VIP"`` and ``"Vip"`` all match)."""
    return tidy_name(name).casefold()


@dataclass(frozen=True)
class Intent:
    """One intended create: its idempotency ``key`` and the data first sent under it."""

    kind: IntentKind
    key: str
    """The idempotency key (a UUID: 36 characters, within every create's limit)."""
    digest: str
    """Identifies the intent in its table (a salted digest of the canonical data)."""
    name: str = ""
    """For a group: the name as first typed (tidied). A retry sends this spelling, so
    the retried request is identical and Square replays it."""


class Intents:
    """The run's table of intended creates and their idempotency keys."""

    def __init__(self, salt: bytes | None = None) -> None:
        self._salt = salt if salt is not None else secrets.token_bytes(32)
        self._open: dict[str, Intent] = {}

    def __len__(self) -> int:
        return len(self._open)

    def __contains__(self, intent: object) -> bool:
        return isinstance(intent, Intent) and self._open.get(intent.digest) == intent

    # -- the kinds ----------------------------------------------------------------

    def customer(self, body: Mapping[str, Any]) -> Intent:
        """The intent to create a customer with this CreateCustomer ``body`` (the fields,
        without any idempotency key). Equal bodies are the same intent, whatever the
        order of their keys."""
        clean = {k: v for k, v in body.items() if k != "idempotency_key"}
        return self._intent("customer", _canonical(clean))

    def group(self, name: str) -> Intent:
        """The intent to create a group named ``name``. Names that differ only in case or
        spacing are the same intent; the first spelling is kept in ``Intent.name``."""
        return self._intent("group", group_name_key(name), name=tidy_name(name))

    def card(
        self,
        customer_id: str,
        source_id: str,
        *,
        cardholder_name: str | None = None,
        postal_code: str | None = None,
    ) -> Intent:
        """The intent to save the card ``source_id`` on ``customer_id`` with these details
        (other details are another request, so another key)."""
        data = {
            "customer_id": customer_id,
            "source_id": source_id.strip(),
            "cardholder_name": cardholder_name,
            "postal_code": postal_code,
        }
        return self._intent("card", _canonical(data))

    def attribute(self, customer_id: str, key: str, value: Any, version: int) -> Intent:
        """The intent to set custom field ``key`` of ``customer_id`` to ``value`` over the
        value's ``version``: a retry of the same change replays, a new change is new."""
        from app.square.attribute_models import wire_value

        data = {
            "customer_id": customer_id,
            "key": key,
            "value": wire_value(value),
            "version": version,
        }
        return self._intent("attribute", _canonical(data))

    # -- lifecycle ----------------------------------------------------------------

    def done(self, intent: Intent) -> None:
        """The create is confirmed and shown: the next create of the same data is a new
        intent with a new key. Dropping an intent twice is harmless."""
        if self._open.get(intent.digest) == intent:
            del self._open[intent.digest]

    def _intent(self, kind: IntentKind, canonical: str, *, name: str = "") -> Intent:
        digest = hmac.new(self._salt, f"{kind}\x00{canonical}".encode(), hashlib.sha256).hexdigest()
        found = self._open.get(digest)
        if found is None:
            found = Intent(kind=kind, key=str(uuid.uuid4()), digest=digest, name=name)
            self._open[digest] = found
        return found


def _canonical(data: Mapping[str, Any]) -> str:
    """One text per value: keys sorted, no insignificant whitespace."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
