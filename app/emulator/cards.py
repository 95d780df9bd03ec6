"""Cards on file: list, create (from a test nonce or a payment id), retrieve, disable.

Both of Square's APIs are here: the Cards API (`/v2/cards`) and the older customer cards
endpoints (`/v2/customers/{customer_id}/cards`). The sandbox's test nonces are honoured as
Square's sandbox does: `cnon:card-nonce-ok` makes a card every time it is used (for any
customer, under any new CreateCard key: Square's own SDK test suites reuse it on every
run), the documented refusal nonces answer their errors (`cnon:card-nonce-already-used`:
`CARD_TOKEN_USED`). A payment id is single-use: used again on CreateCard it is
`SOURCE_USED`.
"""

from __future__ import annotations

import hashlib
import re

from . import limits, shapes, validation
from .core import Emulator
from .cursors import encode_cursor, fingerprint, offset_cursor
from .customers import require_customer
from .errors import INVALID_REQUEST, PAYMENT_METHOD, ApiError, bad_request, not_found
from .ids import MERCHANT_ID, new_card_id
from .normalise import format_ts
from .routing import Body, Call, Result, Routes

routes = Routes()

# Sandbox test values: nonce -> (status, category, code) for the refused ones.
_REFUSED_NONCES: dict[str, tuple[int, str, str]] = {
    "cnon:card-nonce-declined": (402, PAYMENT_METHOD, "CARD_DECLINED"),
    "cnon:card-nonce-rejected-cvv": (402, PAYMENT_METHOD, "VERIFY_CVV_FAILURE"),
    "cnon:card-nonce-rejected-postalcode": (402, PAYMENT_METHOD, "VERIFY_AVS_FAILURE"),
    "cnon:card-nonce-rejected-expiration": (400, PAYMENT_METHOD, "INVALID_EXPIRATION"),
    "cnon:card-nonce-already-used": (400, INVALID_REQUEST, "CARD_TOKEN_USED"),
}
OK_NONCE = "cnon:card-nonce-ok"
_PAYMENT_ID = re.compile(r"[A-Za-z0-9]{20,40}")


def _source_kind(source: str) -> str:
    """'ok' for a usable test nonce, 'payment' for a payment id, else 'invalid'.

    Besides `cnon:card-nonce-ok` itself, any `cnon:card-nonce-ok-<suffix>` is an
    emulator-only fresh nonce, so that a demo can keep adding cards.
    """
    if source == OK_NONCE or source.startswith(OK_NONCE + "-"):
        return "ok"
    if _PAYMENT_ID.fullmatch(source):
        return "payment"
    return "invalid"


def _reusable(source: str) -> bool:
    """A sandbox test nonce: good for any number of cards (a payment id is used once)."""
    return _source_kind(source) == "ok"


def _refuse_source(source: str, field_name: str) -> None:
    refused = _REFUSED_NONCES.get(source)
    if refused is not None:
        status, category, code = refused
        raise ApiError(status, category, code, f"The card was refused ({code}).", field_name)
    if _source_kind(source) == "invalid":
        raise bad_request("INVALID_CARD_DATA", "Invalid card data.", field_name)


def _fingerprint(source: str) -> str:
    """The card's fingerprint: the same for every card a source makes (one card number)."""
    return "sq-1-" + hashlib.sha256(source.encode()).hexdigest()[:40]


def _make_card(
    emu: Emulator,
    source: str,
    customer_id: str,
    cardholder_name: str | None,
    billing_address: Body | None,
    reference_id: str | None,
) -> Body:
    now = emu.clock()
    is_payment = _source_kind(source) == "payment"
    address = {"postal_code": "94103", **(validation.clean_address(billing_address or {}))}
    address = {k: address[k] for k in shapes.ADDRESS_FIELDS if address.get(k)}
    card_id = ""
    while not card_id or emu.store.get_card(card_id) is not None:
        card_id = new_card_id(emu.rng)
    card: Body = {
        "id": card_id,
        "card_brand": "VISA",
        "last_4": "1111" if is_payment else "5858",
        "exp_month": now.month,
        "exp_year": now.year + 2,
        "cardholder_name": cardholder_name,
        "billing_address": address,
        "fingerprint": _fingerprint(source),
        "customer_id": customer_id,
        "merchant_id": MERCHANT_ID,
        "reference_id": reference_id,
        "enabled": True,
        "card_type": "CREDIT",
        "prepaid_type": "NOT_PREPAID",
        "bin": "411111" if is_payment else "453275",
        "version": 1,
        "hsa_fsa": False,
    }
    card = {k: v for k, v in card.items() if v not in (None, "", {})}
    emu.store.put_card(card, format_ts(now))
    if not _reusable(source):
        emu.store.use_source(source, card_id)
    return card


def _require_card(emu: Emulator, card_id: str) -> Body:
    card = emu.store.get_card(card_id)
    if card is None:
        raise not_found(f"Card with ID `{card_id}` not found.", "card_id")
    return card


@routes.operation("ListCards", "GET", "/v2/cards", "PAYMENTS_READ")
def list_cards(emu: Emulator, call: Call) -> Result:
    q = call.query
    include_disabled = validation.query_bool(q, "include_disabled") or False
    sort_order = validation.query_enum(q, "sort_order", limits.SORT_ORDERS) or "ASC"
    customer_id = q.get("customer_id") or None
    reference_id = q.get("reference_id") or None
    query_id = fingerprint(["ListCards", customer_id, reference_id, include_disabled, sort_order])
    start = offset_cursor(q.get("cursor"), query_id)
    cards = emu.store.list_cards(
        customer_id=customer_id,
        reference_id=reference_id,
        include_disabled=include_disabled,
        descending=sort_order == "DESC",
    )
    size = limits.CARDS_PAGE_SIZE
    body: Body = {}
    if cards[start : start + size]:
        body["cards"] = cards[start : start + size]
    if start + size < len(cards):
        body["cursor"] = encode_cursor(query_id, start + size)
    return 200, body


@routes.operation("CreateCard", "POST", "/v2/cards", "PAYMENTS_WRITE")
def create_card(emu: Emulator, call: Call) -> Result:
    body = call.body
    shapes.check_type(body, shapes.CREATE_CARD)
    key = validation.require(body.get("idempotency_key"), "idempotency_key")
    if len(key) > limits.IDEMPOTENCY_KEY_MAX:
        raise bad_request(
            "VALUE_TOO_LONG",
            f"`idempotency_key` must be at most {limits.IDEMPOTENCY_KEY_MAX} characters.",
            "idempotency_key",
        )
    source = validation.require(body.get("source_id"), "source_id")
    validation.check_max(source, limits.SOURCE_ID_MAX, "source_id")
    card_in: Body = validation.require(body.get("card"), "card")
    customer_id = validation.require(card_in.get("customer_id"), "card.customer_id")
    name = card_in.get("cardholder_name")
    if name and len(name) > limits.CARDHOLDER_NAME_MAX:
        raise bad_request(
            "VALUE_TOO_LONG",
            f"`card.cardholder_name` must be at most {limits.CARDHOLDER_NAME_MAX} characters.",
            "card.cardholder_name",
        )
    ref = card_in.get("reference_id")
    if ref and len(ref) > limits.CARD_REFERENCE_ID_MAX:
        raise bad_request(
            "VALUE_TOO_LONG",
            f"`card.reference_id` must be at most {limits.CARD_REFERENCE_ID_MAX} characters.",
            "card.reference_id",
        )
    validation.clean_address(card_in.get("billing_address") or {}, "card.billing_address")

    def produce() -> Result:
        if emu.store.get_customer(customer_id) is None:
            raise ApiError(
                404,
                INVALID_REQUEST,
                "CUSTOMER_NOT_FOUND",
                f"Customer with ID `{customer_id}` not found.",
                "card.customer_id",
            )
        _refuse_source(source, "source_id")
        if not _reusable(source) and emu.store.source_card(source) is not None:
            raise bad_request("SOURCE_USED", "The source was already used.", "source_id")
        card = _make_card(
            emu, source, customer_id, name, card_in.get("billing_address"), ref or None
        )
        return 200, {"card": card}

    return emu.idempotent("CreateCard", key, body, produce)


@routes.operation("RetrieveCard", "GET", "/v2/cards/{card_id}", "PAYMENTS_READ")
def retrieve_card(emu: Emulator, call: Call) -> Result:
    return 200, {"card": _require_card(emu, call.params["card_id"])}


@routes.operation("DisableCard", "POST", "/v2/cards/{card_id}/disable", "PAYMENTS_WRITE")
def disable_card(emu: Emulator, call: Call) -> Result:
    card = _require_card(emu, call.params["card_id"])
    emu.store.disable_card(card)
    return 200, {"card": card}


@routes.operation(
    "CreateCustomerCard", "POST", "/v2/customers/{customer_id}/cards", "CUSTOMERS_WRITE"
)
def create_customer_card(emu: Emulator, call: Call) -> Result:
    body = call.body
    shapes.check_type(body, shapes.CREATE_CUSTOMER_CARD)
    customer_id = call.params["customer_id"]
    nonce = validation.require(body.get("card_nonce"), "card_nonce")
    validation.check_max(nonce, limits.SOURCE_ID_MAX, "card_nonce")
    validation.check_max(body.get("cardholder_name"), limits.CARDHOLDER_NAME_MAX, "cardholder_name")
    validation.clean_address(body.get("billing_address") or {}, "billing_address")
    require_customer(emu, customer_id)
    _refuse_source(nonce, "card_nonce")
    # Idempotent per nonce (there is no idempotency key): the same nonce gives the same
    # card — per customer for a reusable test nonce, for good for any other.
    if _reusable(nonce):
        for card in emu.store.cards_of(customer_id, include_disabled=False):
            if card.get("fingerprint") == _fingerprint(nonce):
                return 200, {"card": card}
    used = emu.store.source_card(nonce)
    if used is not None:
        card = _require_card(emu, used)
        if card.get("customer_id") != customer_id:
            raise bad_request("CARD_TOKEN_USED", "The card nonce was already used.", "card_nonce")
        return 200, {"card": card}
    card = _make_card(
        emu, nonce, customer_id, body.get("cardholder_name"), body.get("billing_address"), None
    )
    return 200, {"card": card}


@routes.operation(
    "DeleteCustomerCard",
    "DELETE",
    "/v2/customers/{customer_id}/cards/{card_id}",
    "CUSTOMERS_WRITE",
)
def delete_customer_card(emu: Emulator, call: Call) -> Result:
    customer_id, card_id = call.params["customer_id"], call.params["card_id"]
    require_customer(emu, customer_id)
    card = emu.store.get_card(card_id)
    if card is None or card.get("customer_id") != customer_id:
        raise not_found(f"Card with ID `{card_id}` not found.", "card_id")
    emu.store.disable_card(card)
    return 200, {}
