"""Square-shaped ids the emulator makes (customers, groups, cards) and the merchant it plays."""

from __future__ import annotations

import random
import string

MERCHANT_ID = "LDEMO0MERCHANT"

ID_ALPHABET = string.digits + string.ascii_uppercase
_system_rng = random.SystemRandom()


def new_id(rng: random.Random | None = None, length: int = 26) -> str:
    """An id like Square's: 26 characters of [0-9A-Z]."""
    source = rng or _system_rng
    return "".join(source.choices(ID_ALPHABET, k=length))


def new_card_id(rng: random.Random | None = None) -> str:
    source = rng or _system_rng
    alphabet = string.ascii_letters + string.digits
    return "ccof:" + "".join(source.choices(alphabet, k=16))
