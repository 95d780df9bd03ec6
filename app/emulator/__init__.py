"""The local Square-compatible emulator (constants only: this module stays light)."""

DEMO_TOKEN = "customer-desk-demo-token"
"""Bearer token with every scope, accepted by the emulator by default."""

DEMO_READONLY_TOKEN = "customer-desk-demo-readonly-token"
"""Bearer token with read scopes only: writes answer 403 INSUFFICIENT_SCOPES."""

SQUARE_VERSION = "2025-08-20"
"""The Square-Version the emulator implements (echoed when the request sends none)."""

READ_SCOPES = frozenset({"CUSTOMERS_READ", "PAYMENTS_READ"})
WRITE_SCOPES = frozenset({"CUSTOMERS_WRITE", "PAYMENTS_WRITE"})
ALL_SCOPES = READ_SCOPES | WRITE_SCOPES

__all__ = [
    "ALL_SCOPES",
    "DEMO_READONLY_TOKEN",
    "DEMO_TOKEN",
    "READ_SCOPES",
    "SQUARE_VERSION",
    "WRITE_SCOPES",
]
