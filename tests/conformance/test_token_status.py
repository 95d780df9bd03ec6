"""RetrieveTokenStatus through Square's SDK: each token's scopes, the merchant, the spec's shape."""

from __future__ import annotations

from square import Square

from app.emulator import ALL_SCOPES, READ_SCOPES

from .conftest import SquareFactory, expect_error, some
from .openapi import WireChecker


def test_a_full_token_has_every_scope(square: Square, checker: WireChecker) -> None:
    status = square.o_auth.retrieve_token_status()
    assert set(some(status.scopes)) == ALL_SCOPES
    assert "CUSTOMERS_WRITE" in some(status.scopes)
    merchant = some(status.merchant_id)
    assert 8 <= len(merchant) <= 191
    assert some(status.client_id)
    assert status.expires_at is None  # the emulator's tokens never expire: Square omits it
    assert "RetrieveTokenStatus" in checker.seen  # the answer went through the spec's schema


def test_a_read_only_token_lacks_the_write_scopes(readonly: Square, square: Square) -> None:
    status = readonly.o_auth.retrieve_token_status()
    assert set(some(status.scopes)) == READ_SCOPES
    assert not {"CUSTOMERS_WRITE", "PAYMENTS_WRITE"} & set(some(status.scopes))
    assert status.merchant_id == square.o_auth.retrieve_token_status().merchant_id


def test_a_bad_token_gets_square_s_401(make_square: SquareFactory) -> None:
    err = expect_error(
        lambda: make_square("not-a-token").o_auth.retrieve_token_status(),
        401,
        "UNAUTHORIZED",
        category="AUTHENTICATION_ERROR",
        field=None,
    )
    assert some(err.errors[0].detail) == "This request could not be authorized."
