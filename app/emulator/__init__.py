"""The local Square-compatible emulator (constants only: this module stays light)."""

DEMO_TOKEN = "customer-desk-demo-token"
"""Bearer token with every scope, accepted by the emulator by default."""

DEMO_READONLY_TOKEN = "customer-desk-demo-readonly-token"
"""Bearer token with read scopes only: writes answer 403 INSUFFICIENT_SCOPES."""

APPLICATION_ID = "sq0idp-customer-desk-emulator"
"""The application the emulator's own tokens were issued to (their RetrieveTokenStatus
`client_id`, the owner of the custom attribute definitions they create)."""

SQUARE_VERSION = "2025-08-20"
"""The Square-Version the emulator implements (echoed when the request sends none)."""

READ_SCOPES = frozenset({"CUSTOMERS_READ", "PAYMENTS_READ"})
WRITE_SCOPES = frozenset({"CUSTOMERS_WRITE", "PAYMENTS_WRITE"})
ALL_SCOPES = READ_SCOPES | WRITE_SCOPES

__all__ = [
    "ALL_SCOPES",
    "APPLICATION_ID",
    "DEMO_READONLY_TOKEN",
    "DEMO_TOKEN",
    "READ_SCOPES",
    "SQUARE_VERSION",
    "WRITE_SCOPES",
]
