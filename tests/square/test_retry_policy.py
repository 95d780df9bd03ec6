"""The retry policy's decisions, as pure functions: what is retried, and how long to wait."""

from __future__ import annotations

import random

import pytest

from app.square import (
    ConflictError,
    NetworkError,
    NetworkTimeoutError,
    NotFoundError,
    PaginationError,
    RateLimitedError,
    ResponseTooLargeError,
    RetryPolicy,
    ServerError,
    SquareError,
    SquareService,
    UnreadableAnswerError,
    ValidationError,
)
from app.square.retry import may_have_landed, maybe_committed

LONG = 1e9  # a deadline that never ends the retries


def test_full_jitter_within_a_doubling_capped_ceiling() -> None:
    policy = RetryPolicy(max_retries=10, backoff_base=0.5, backoff_cap=3.0)
    rng = random.Random(11)
    for attempt in range(10):
        ceiling = min(3.0, 0.5 * 2**attempt)
        delays = [policy.delay(ServerError(status=503), attempt, LONG, rng) for _ in range(200)]
        assert all(d is not None and 0.0 <= d <= ceiling for d in delays), attempt
        assert max(d for d in delays if d is not None) > ceiling / 2  # spread, not pinned


def test_gives_up_after_the_last_retry() -> None:
    policy = RetryPolicy(max_retries=2)
    rng = random.Random(1)
    assert policy.delay(ServerError(status=500), 1, LONG, rng) is not None
    assert policy.delay(ServerError(status=500), 2, LONG, rng) is None
    assert RetryPolicy(max_retries=-3).max_retries == 0


@pytest.mark.parametrize(
    "err",
    [
        ServerError(status=502),
        RateLimitedError(),
        NetworkError(),
        NetworkError(sent=False),
        NetworkTimeoutError(),
    ],
    ids=repr,
)
def test_transient_failures_are_retried(err: SquareError) -> None:
    assert RetryPolicy().delay(err, 0, LONG, random.Random(2)) is not None


@pytest.mark.parametrize(
    "err",
    [
        ValidationError(status=400),
        ConflictError(status=409),
        NotFoundError(status=404),
        UnreadableAnswerError(status=200),
        ResponseTooLargeError(),
        PaginationError(),
        SquareError(status=418),
    ],
    ids=repr,
)
def test_what_a_retry_cannot_mend_is_not_retried(err: SquareError) -> None:
    assert RetryPolicy().delay(err, 0, LONG, random.Random(2)) is None


def test_retry_after_is_a_floor_and_a_long_one_is_not_waited_for() -> None:
    policy = RetryPolicy(backoff_base=0.01, max_retry_after=30.0)
    rng = random.Random(3)
    assert policy.delay(RateLimitedError(retry_after=7.5), 0, LONG, rng) == 7.5
    assert policy.delay(RateLimitedError(retry_after=30.5), 0, LONG, rng) is None


def test_no_wait_past_the_deadline() -> None:
    policy = RetryPolicy()
    rng = random.Random(4)
    assert policy.delay(RateLimitedError(retry_after=5.0), 0, 5.0, rng) is None
    assert policy.delay(RateLimitedError(retry_after=5.0), 0, 5.5, rng) == 5.0


def test_which_failures_may_have_committed() -> None:
    assert maybe_committed(ServerError(status=500))
    assert maybe_committed(NetworkError())  # sent: the server may have acted on it
    assert not maybe_committed(NetworkError(sent=False))
    assert not maybe_committed(RateLimitedError())
    assert not maybe_committed(ValidationError(status=400))


def test_a_create_may_have_landed_after_an_ambiguous_attempt_only_on_a_transient_end() -> None:
    limited = RateLimitedError()
    assert not may_have_landed(limited)
    limited.after_ambiguous_attempt = True
    assert may_have_landed(limited)
    refused = ValidationError(status=400)
    refused.after_ambiguous_attempt = True
    assert not may_have_landed(refused)  # Square answered: nothing was made
    assert may_have_landed(NetworkTimeoutError())


async def test_the_service_takes_its_policy_from_its_arguments() -> None:
    async with SquareService(
        "https://example.invalid",
        "token",
        max_retries=2,
        backoff_base=0.1,
        backoff_cap=1.5,
        max_retry_after=9.0,
    ) as service:
        assert service.retry == RetryPolicy(
            max_retries=2, backoff_base=0.1, backoff_cap=1.5, max_retry_after=9.0
        )
