"""The run's intended creates: one idempotency key per intended customer, group or card."""

from __future__ import annotations

import uuid

from app.desk.intents import Intents, group_name_key, tidy_name
from app.square import Address, CustomerFields


def test_the_same_customer_data_gets_the_same_key_whatever_the_order() -> None:
    intents = Intents()
    first = intents.customer({"given_name": "Ada", "email_address": "ada@x.test"})
    again = intents.customer({"email_address": "ada@x.test", "given_name": "Ada"})
    assert again == first
    assert uuid.UUID(first.key).version == 4 and len(first.key) <= 45  # CreateCard's limit
    other = intents.customer({"given_name": "Ada", "email_address": "ada@y.test"})
    assert other.key != first.key
    assert len(intents) == 2


def test_a_key_sent_with_the_body_does_not_change_the_intent() -> None:
    intents = Intents()
    body = CustomerFields(given_name="Ada", address=Address(postal_code="N1")).to_body()
    assert intents.customer(body) == intents.customer({**body, "idempotency_key": "old"})


def test_group_names_match_case_and_spacing_aside_and_keep_the_first_spelling() -> None:
    intents = Intents()
    first = intents.group("  Dup   VIP ")
    assert first.name == "Dup VIP"
    for typed in ("dup vip", "DUP VIP", "Dup\tVIP"):
        again = intents.group(typed)
        assert (again.key, again.name) == (first.key, "Dup VIP")
    assert intents.group("Dup VIPs").key != first.key
    assert group_name_key(" Straße  VIP") == group_name_key("STRASSE vip") == "strasse vip"
    assert tidy_name("  a \n b ") == "a b"


def test_a_card_is_keyed_by_customer_source_and_details() -> None:
    intents = Intents()
    card = intents.card("C1", "cnon:ok", cardholder_name="Ada", postal_code="N1")
    assert intents.card("C1", " cnon:ok ", cardholder_name="Ada", postal_code="N1") == card
    assert intents.card("C2", "cnon:ok", cardholder_name="Ada", postal_code="N1") != card
    assert intents.card("C1", "cnon:ok", cardholder_name="Bea", postal_code="N1") != card
    # A group or customer never shares a key with a card of the same text.
    assert intents.group("cnon:ok").key != card.key


def test_once_done_the_same_data_is_a_new_intent() -> None:
    intents = Intents()
    first = intents.group("VIP")
    assert first in intents
    intents.done(first)
    assert first not in intents and len(intents) == 0
    second = intents.group("VIP")
    assert second.key != first.key
    intents.done(first)  # a stale intent dropped again leaves the new one alone
    assert second in intents


def test_each_run_has_its_own_keys_and_digests() -> None:
    one, two = Intents(), Intents()
    a, b = one.group("VIP"), two.group("VIP")
    assert a.key != b.key and a.digest != b.digest
    # The table holds salted digests, not the customer's text.
    same_salt = Intents(salt=b"s" * 32).customer({"email_address": "ada@x.test"})
    assert (
        same_salt.digest == Intents(salt=b"s" * 32).customer({"email_address": "ada@x.test"}).digest
    )
    assert "ada" not in same_salt.digest
