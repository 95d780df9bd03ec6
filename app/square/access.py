"""Who may write: the one read-only decision (settings' wish, the token's scopes, a 403).

The desk is read-only when the settings ask for it (``CUSTOMER_DESK_READ_ONLY`` or
``read_only`` in config.toml) or when the access token cannot change customers. The token
is asked about once at connect (Square's RetrieveTokenStatus); when that question cannot be
answered, the verdict stays *unknown* and the first write refused with 403
``INSUFFICIENT_SCOPES`` settles it. :class:`WriteAccess` holds that state; the service
consults it before every write and the TUI reads it to hide the write keys.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from pydantic import BaseModel, ConfigDict

CUSTOMERS_WRITE = "CUSTOMERS_WRITE"
PAYMENTS_WRITE = "PAYMENTS_WRITE"

WRITE_OPERATIONS: Mapping[str, str] = {
    "CreateCustomer": CUSTOMERS_WRITE,
    "UpdateCustomer": CUSTOMERS_WRITE,
    "DeleteCustomer": CUSTOMERS_WRITE,
    "BulkCreateCustomers": CUSTOMERS_WRITE,
    "BulkUpdateCustomers": CUSTOMERS_WRITE,
    "BulkDeleteCustomers": CUSTOMERS_WRITE,
    "CreateCustomerCard": CUSTOMERS_WRITE,
    "DeleteCustomerCard": CUSTOMERS_WRITE,
    "AddGroupToCustomer": CUSTOMERS_WRITE,
    "RemoveGroupFromCustomer": CUSTOMERS_WRITE,
    "CreateCustomerGroup": CUSTOMERS_WRITE,
    "UpdateCustomerGroup": CUSTOMERS_WRITE,
    "DeleteCustomerGroup": CUSTOMERS_WRITE,
    "CreateCard": PAYMENTS_WRITE,
    "DisableCard": PAYMENTS_WRITE,
    "CreateCustomerCustomAttributeDefinition": CUSTOMERS_WRITE,
    "UpdateCustomerCustomAttributeDefinition": CUSTOMERS_WRITE,
    "DeleteCustomerCustomAttributeDefinition": CUSTOMERS_WRITE,
    "UpsertCustomerCustomAttribute": CUSTOMERS_WRITE,
    "DeleteCustomerCustomAttribute": CUSTOMERS_WRITE,
    "BulkUpsertCustomerCustomAttributes": CUSTOMERS_WRITE,
}
"""Every Square operation of the service that changes something → the scope it needs
(Square's spec). Everything else the service calls is a read, POST or not
(SearchCustomers, BulkRetrieveCustomers, RetrieveTokenStatus)."""

SETTINGS_REASON = "this desk was started with CUSTOMER_DESK_READ_ONLY=1"


class TokenStatus(BaseModel):
    """RetrieveTokenStatus's answer: what the access token may do, and until when."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    scopes: list[str] = []
    expires_at: str | None = None
    client_id: str | None = None
    merchant_id: str | None = None


class WriteAccess:
    """The effective read-only state of one connection, and who to tell when it changes."""

    def __init__(self, wish: bool = False, wish_reason: str | None = None) -> None:
        self._wish_reason = (wish_reason or SETTINGS_REASON) if wish else None
        self._missing: set[str] = set()
        """Write scopes the token is known to lack."""
        self.token_checked = False
        """True once RetrieveTokenStatus answered (else the token's verdict is unknown)."""
        self._listeners: list[Callable[[], None]] = []

    # -- what the desk may do ---------------------------------------------------------

    @property
    def read_only(self) -> bool:
        """No customer can be changed: the settings' wish or a token without CUSTOMERS_WRITE."""
        return self._wish_reason is not None or CUSTOMERS_WRITE in self._missing

    def allows(self, operation: str) -> bool:
        """Whether ``operation`` may be sent (a read always may)."""
        scope = WRITE_OPERATIONS.get(operation)
        if scope is None:
            return True
        return self._wish_reason is None and scope not in self._missing

    def reason(self, operation: str = "UpdateCustomer") -> str:
        """Why ``operation`` is refused, as a sentence for the agent."""
        if self._wish_reason is not None:
            return f"Read-only: {self._wish_reason}."
        if WRITE_OPERATIONS.get(operation) == PAYMENTS_WRITE and PAYMENTS_WRITE in self._missing:
            return "Read-only: this access token cannot change cards on file (no PAYMENTS_WRITE)."
        return "Read-only: this access token cannot change customers (no CUSTOMERS_WRITE)."

    # -- what was learnt ----------------------------------------------------------------

    def want_read_only(self, reason: str | None = None) -> None:
        """The settings ask for read-only (the wish only ever adds restrictions)."""
        if self._wish_reason is None:
            self._wish_reason = reason or SETTINGS_REASON
            self._changed()

    def learn_token_scopes(self, scopes: Collection[str]) -> None:
        """RetrieveTokenStatus answered: the write scopes the token lacks are now known."""
        self.token_checked = True
        before = set(self._missing)
        self._missing = {s for s in (CUSTOMERS_WRITE, PAYMENTS_WRITE) if s not in scopes}
        if self._missing != before:
            self._changed()

    def refused_for_scope(self, operation: str) -> None:
        """Square answered 403 INSUFFICIENT_SCOPES to ``operation``: its scope is lacking."""
        scope = WRITE_OPERATIONS.get(operation)
        if scope is not None and scope not in self._missing:
            self._missing.add(scope)
            self._changed()

    # -- who to tell ------------------------------------------------------------------------

    def subscribe(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (no arguments) whenever what may be written changes."""
        self._listeners.append(listener)

    def _changed(self) -> None:
        for listener in list(self._listeners):
            listener()


__all__ = [
    "CUSTOMERS_WRITE",
    "PAYMENTS_WRITE",
    "WRITE_OPERATIONS",
    "TokenStatus",
    "WriteAccess",
]
