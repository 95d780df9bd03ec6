"""The cards on file of one customer: list them, add one under its intent's key, disable one.

A card is added from a card nonce (the Web Payments SDK) or the id of a payment just
taken. The same card with the same details asked for again — in the same dialog or a
new one — goes under the same idempotency key, so a retry after a lost answer never
adds a second card. Square cannot remove a card, only disable it for good.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.desk.intents import Intent
from app.desk.outcomes import Lost, Refused, Rejected, refusal
from app.desk.workplace import Workplace
from app.square import Address, Card, LostAnswerError, SquareError, ValidationError

__all__ = ["AddCardResult", "CardAdded", "CardDisabled", "CardsOnFile", "NewCard"]


@dataclass(frozen=True)
class NewCard:
    """What the agent typed to add a card."""

    source_id: str
    """A card nonce (``cnon:…``) or a payment id."""
    cardholder_name: str | None = None
    postal_code: str | None = None


@dataclass(frozen=True)
class CardAdded:
    """Added. Once shown, :meth:`CardsOnFile.shown` closes the ``intent``."""

    card: Card
    intent: Intent


@dataclass(frozen=True)
class CardDisabled:
    card: Card


AddCardResult = CardAdded | Rejected | Lost | Refused


class CardsOnFile:
    """The cards workflow for one customer (what the add-card dialog is given)."""

    def __init__(self, place: Workplace, customer_id: str) -> None:
        self.place = place
        self.customer_id = customer_id

    async def list(self) -> list[Card]:
        """The customer's enabled cards."""
        service = self.place.service
        return [card async for card in service.iter_cards(customer_id=self.customer_id)]

    async def add(self, new: NewCard) -> AddCardResult:
        refused = refusal(self.place, "CreateCard")
        if refused is not None:
            return refused
        source = new.source_id.strip()
        intent = self.place.intents.card(
            self.customer_id,
            source,
            cardholder_name=new.cardholder_name,
            postal_code=new.postal_code,
        )
        address = Address(postal_code=new.postal_code) if new.postal_code else None
        journal = self.place.journal
        intent_id = journal.intent(  # never the source (a nonce or a payment's id)
            "card.add",
            customer_id=self.customer_id,
            name=self._name(),
            idempotency_key=intent.key,
            detail={"cardholder_name": new.cardholder_name, "postal_code": new.postal_code},
        )
        try:
            card = await self.place.service.create_card(
                source,
                customer_id=self.customer_id,
                cardholder_name=new.cardholder_name,
                billing_address=address,
                idempotency_key=intent.key,
            )
        except ValidationError as error:
            journal.failed(intent_id, error)
            return Rejected.of(error)
        except LostAnswerError:
            return Lost(intent.key)
        except SquareError as error:
            journal.failed(intent_id, error)
            raise
        journal.outcome(intent_id, ok=True, detail={"card_id": card.id, "card": card.label})
        return CardAdded(card, intent)

    def _name(self) -> str:
        known = self.place.directory.get(self.customer_id)
        return known.display_name if known is not None else ""

    def shown(self, added: CardAdded) -> None:
        """The agent has seen the card: the same card again is a new intent."""
        self.place.intents.done(added.intent)

    async def disable(self, card: Card) -> CardDisabled | Refused:
        refused = refusal(self.place, "DisableCard")
        if refused is not None:
            return refused
        journal = self.place.journal
        intent_id = journal.intent(
            "card.disable",
            customer_id=self.customer_id,
            name=self._name(),
            detail={"card_id": card.id, "card": card.label},
        )
        try:
            disabled = await self.place.service.disable_card(card.id)
        except SquareError as error:
            journal.failed(intent_id, error)
            raise
        journal.outcome(intent_id, ok=True)
        return CardDisabled(disabled)
