"""The cards endpoints: the Cards API (list, create, retrieve, disable) and the deprecated
customer-card calls.

A card cannot be looked up by its source, so a create whose answer was lost is sent once
more with the same idempotency key and otherwise ends in a ``LostAnswerError``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from typing import Any, Literal

from app.square.models import Address, Card, CardPage
from app.square.recovery import WriteRecovery
from app.square.wire import new_key, parse, query_params, seg

__all__ = ["CardEndpoints"]


class CardEndpoints(WriteRecovery):
    """ListCards, CreateCard, RetrieveCard, DisableCard; Create/DeleteCustomerCard."""

    async def list_cards(
        self,
        *,
        customer_id: str | None = None,
        include_disabled: bool = False,
        reference_id: str | None = None,
        sort_order: Literal["ASC", "DESC"] | None = None,
        cursor: str | None = None,
    ) -> CardPage:
        """ListCards: one page (25 cards), enabled ones unless ``include_disabled``."""
        params = query_params(
            customer_id=customer_id, reference_id=reference_id, sort_order=sort_order, cursor=cursor
        )
        if include_disabled:
            params["include_disabled"] = "true"
        reply = await self._call("ListCards", "GET", "/v2/cards", params=params)
        return parse(CardPage, reply.data)

    async def iter_cards(
        self,
        *,
        customer_id: str | None = None,
        include_disabled: bool = False,
        reference_id: str | None = None,
        sort_order: Literal["ASC", "DESC"] | None = None,
    ) -> AsyncIterator[Card]:
        """Every card matching the filters, page by page."""

        def fetch(cursor: str | None) -> Awaitable[CardPage]:
            return self.list_cards(
                customer_id=customer_id,
                include_disabled=include_disabled,
                reference_id=reference_id,
                sort_order=sort_order,
                cursor=cursor,
            )

        async for page in self._follow(fetch):
            for card in page.cards:
                yield card

    async def create_card(
        self,
        source_id: str,
        *,
        customer_id: str,
        cardholder_name: str | None = None,
        billing_address: Address | None = None,
        reference_id: str | None = None,
        verification_token: str | None = None,
        idempotency_key: str | None = None,
    ) -> Card:
        """CreateCard: save a card (a nonce or a payment id as ``source_id``) on file. One
        idempotency key covers all retries; a lost answer is sent once more with the same
        key (Square replays it), else ``LostAnswerError`` (a card cannot be looked up by
        its source)."""
        card: dict[str, Any] = {"customer_id": customer_id}
        if cardholder_name is not None:
            card["cardholder_name"] = cardholder_name
        if billing_address is not None:
            card["billing_address"] = billing_address.to_json()
        if reference_id is not None:
            card["reference_id"] = reference_id
        body: dict[str, Any] = {
            "idempotency_key": idempotency_key or new_key(),
            "source_id": source_id,
            "card": card,
        }
        if verification_token is not None:
            body["verification_token"] = verification_token
        data = await self._create("CreateCard", "/v2/cards", body, None)
        return parse(Card, data.get("card"))

    async def retrieve_card(self, card_id: str) -> Card:
        reply = await self._call("RetrieveCard", "GET", f"/v2/cards/{seg(card_id)}")
        return parse(Card, reply.data.get("card"))

    async def disable_card(self, card_id: str) -> Card:
        """DisableCard (for good: a card is never re-enabled). Again: no effect."""
        reply = await self._call(
            "DisableCard", "POST", f"/v2/cards/{seg(card_id)}/disable", write=True
        )
        return parse(Card, reply.data.get("card"))

    # -- customer cards (deprecated endpoints) -----------------------------------

    async def create_customer_card(
        self,
        customer_id: str,
        card_nonce: str,
        *,
        billing_address: Address | None = None,
        cardholder_name: str | None = None,
        verification_token: str | None = None,
    ) -> Card:
        """CreateCustomerCard (deprecated by Square in favour of ``create_card``)."""
        body: dict[str, Any] = {"card_nonce": card_nonce}
        if billing_address is not None:
            body["billing_address"] = billing_address.to_json()
        if cardholder_name is not None:
            body["cardholder_name"] = cardholder_name
        if verification_token is not None:
            body["verification_token"] = verification_token
        reply = await self._call(
            "CreateCustomerCard",
            "POST",
            f"/v2/customers/{seg(customer_id)}/cards",
            json=body,
            write=True,
        )
        return parse(Card, reply.data.get("card"))

    async def delete_customer_card(self, customer_id: str, card_id: str) -> None:
        """DeleteCustomerCard (deprecated by Square in favour of ``disable_card``)."""
        path = f"/v2/customers/{seg(customer_id)}/cards/{seg(card_id)}"
        await self._call_delete("DeleteCustomerCard", "DELETE", path)
