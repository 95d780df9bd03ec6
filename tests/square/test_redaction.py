"""Redaction: the token in any letter case, Square-shaped tokens, and config errors."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from app.config import ConfigError, load_settings
from app.square import REDACTED, SquareError, SquareService, looks_secret, redact, shown

TOKEN = "Sandbox-Secret-Token-4711"
ACCESS = "EAAAlzYh0dBq3f7_k-QpV9uXbR2mNcT5wE8sLgHjAyK1oPzIv6DrF4tUxWq0S3eZaB7nM"
SHAPES = [
    ACCESS,
    "sq0atp-Ab12Cd34Ef56Gh78Ij90Kl",
    "sq0csp-Zy98Xw76Vu54Ts32Rq10_-Po",
    "sq0idp-1a2B3c4D5e6F7g8H9i0J",
]


@pytest.mark.parametrize("variant", [TOKEN, TOKEN.upper(), TOKEN.lower(), TOKEN.swapcase()])
def test_the_token_is_blanked_in_any_letter_case(variant: str) -> None:
    text = redact(f"token {variant} was revoked", [TOKEN])
    assert text == f"token {REDACTED} was revoked"


@pytest.mark.parametrize("token", SHAPES)
@pytest.mark.parametrize("case", [str, str.lower, str.upper])
def test_anything_shaped_like_a_square_token_is_blanked(token: str, case: type[str]) -> None:
    shaped = case(token)
    text = redact(f"Authorization: Bearer {shaped}; next", [])
    assert shaped not in text and text == f"Authorization: Bearer {REDACTED}; next"
    assert looks_secret(shaped)


@pytest.mark.parametrize(
    "harmless",
    ["EAAA", "sq0atp-", "https://connect.squareup.com/v2", "sandbox", "customer-desk-demo-token"],
)
def test_ordinary_text_is_left_alone(harmless: str) -> None:
    assert redact(harmless) == harmless
    assert not looks_secret(harmless)
    assert shown(harmless) == repr(harmless)


def test_a_long_or_unprintable_value_is_described_not_echoed() -> None:
    assert "not shown" in shown("x" * 200) and "x" * 81 not in shown("x" * 200)
    assert "\x1b" not in shown("\x1b]0;PWNED\x07")
    assert "4f1b2c3d" not in shown("4f1b2c3d5e6f7a8b9c0d1e2f3a4b5c6d7e8f")  # another server's


def _error_server(detail: str) -> httpx.MockTransport:
    """A server that echoes a detail in its error answer (Square's envelope)."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            401,
            json={
                "errors": [
                    {
                        "category": "AUTHENTICATION_ERROR",
                        "code": "UNAUTHORIZED",
                        "detail": detail,
                        detail[:12]: "echo",
                    }
                ]
            },
        )

    return httpx.MockTransport(answer)


@pytest.mark.parametrize(
    "echoed", [TOKEN.upper(), TOKEN.lower(), f"Bearer {TOKEN.swapcase()}", *SHAPES]
)
async def test_the_service_never_shows_the_token_a_server_echoes(echoed: str) -> None:
    service = SquareService(
        "https://square.test", TOKEN, transport=_error_server(f"The token {echoed} is revoked")
    )
    async with service:
        with pytest.raises(SquareError) as info:
            await service.retrieve_customer("C1")
    shown_to_agent = f"{info.value} {info.value!r} {info.value.errors!r}"
    assert echoed not in shown_to_agent
    assert TOKEN.lower() not in shown_to_agent.lower()
    assert REDACTED in shown_to_agent


# -- config errors: a token pasted under the wrong key is never printed ---------------------


def _config_error(tmp_path: Path, env: dict[str, str], toml: str | None = None) -> str:
    path = tmp_path / "config.toml"
    if toml is not None:
        path.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings(env, config_file=path, use_keyring=False)
    return str(info.value)


@pytest.mark.parametrize("token", [ACCESS, "sq0atp-Ab12Cd34Ef56Gh78Ij90Kl", ACCESS.lower()])
@pytest.mark.parametrize(
    ("where", "env", "toml"),
    [
        ("token_file", {}, 'token_file = "{t}"'),
        ("token_file", {"SQUARE_TOKEN_FILE": "{t}"}, None),
        ("base_url", {"SQUARE_ENVIRONMENT": "custom"}, 'base_url = "{t}"'),
        ("base_url", {"SQUARE_BASE_URL": "{t}"}, None),
        ("timeout", {}, 'timeout = "{t}"'),
        ("environment", {"SQUARE_ENVIRONMENT": "{t}"}, None),
        ("read_only", {"CUSTOMER_DESK_READ_ONLY": "{t}"}, None),
        ("read_only", {}, 'read_only = "{t}"'),
        ("keymap", {}, '[keymap]\n"{t}" = 2'),
        ("keymap", {}, '[keymap]\nquit = ["{t}", 3]'),
        ("unknown key", {}, '"{t}" = 1'),
    ],
)
def test_config_errors_never_print_a_token_given_in_the_wrong_place(
    tmp_path: Path, token: str, where: str, env: dict[str, str], toml: str | None
) -> None:
    env = {k: v.format(t=token) for k, v in env.items()}
    if where != "token_file":  # a token where it belongs: only the mistake is wrong
        env.setdefault("SQUARE_ACCESS_TOKEN", "x")
    message = _config_error(tmp_path, env, toml.format(t=token) if toml else None)
    assert token not in message and token.lower() not in message.lower(), where
    assert token[6:30] not in message  # not even a piece of it


def test_config_errors_never_print_the_access_token_itself(tmp_path: Path) -> None:
    token = "MyCustomServerToken"  # not Square-shaped: known only as SQUARE_ACCESS_TOKEN
    message = _config_error(
        tmp_path, {"SQUARE_ACCESS_TOKEN": token, "SQUARE_ENVIRONMENT": token.upper()}
    )
    assert token.lower() not in message.lower()
    assert "SQUARE_ENVIRONMENT" in message


def test_a_short_harmless_value_is_still_quoted_in_the_error(tmp_path: Path) -> None:
    message = _config_error(tmp_path, {}, "timeout = -3")
    assert "-3" in message and "timeout" in message
