"""Validation of the Bot Framework's tokens against the fake's keys (nothing leaves 127.0.0.1)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.teams.auth import KeysUnavailable, SigningKeys, TokenValidator, Unauthorized
from tests.bot.teams.conftest import KID
from tests.bot.teams.fake_bot_framework import (
    APP_ID,
    FakeBotFramework,
    claims,
    jwk,
    public_pem,
    sign,
    unsigned_token,
)


def validator(fake: FakeBotFramework, app_id: str = APP_ID) -> TokenValidator:
    keys = SigningKeys(fake.settings().openid_metadata_url, min_refresh_interval=0)
    return TokenValidator(app_id, keys)


async def check(fake: FakeBotFramework, token: str, **kwargs: Any) -> dict[str, Any]:
    return await validator(fake, **kwargs).validate(f"Bearer {token}", fake.service_url, "msteams")


async def test_a_genuine_token_is_accepted(fake: FakeBotFramework, key: rsa.RSAPrivateKey) -> None:
    result = await check(fake, sign(key, KID, claims(fake.service_url)))
    assert result["aud"] == APP_ID
    assert result["serviceurl"] == fake.service_url


async def test_an_expiry_within_the_five_minutes_leeway_is_accepted(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    token = sign(key, KID, claims(fake.service_url, exp=int(time.time()) - 60))
    assert (await check(fake, token))["aud"] == APP_ID


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
        pytest.param({"aud": "une-autre-application"}, id="wrong-audience"),
        pytest.param({"iss": "https://sts.windows.net/attaquant/"}, id="wrong-issuer"),
        pytest.param({"serviceurl": "https://attaquant.example/"}, id="wrong-serviceUrl"),
        pytest.param({"exp": None}, id="no-exp"),
        pytest.param({"nbf": int(time.time()) + 3600}, id="not-yet-valid"),
    ],
)
async def test_a_token_with_a_bad_claim_is_refused(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey, bad: dict[str, Any]
) -> None:
    with pytest.raises(Unauthorized):
        await check(fake, sign(key, KID, claims(fake.service_url, **bad)))


async def test_a_forged_signature_is_refused(
    fake: FakeBotFramework, other_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(Unauthorized):
        await check(fake, sign(other_key, KID, claims(fake.service_url)))


async def test_alg_none_is_refused(fake: FakeBotFramework) -> None:
    token = unsigned_token(
        {"alg": "none", "typ": "JWT", "kid": KID}, claims(fake.service_url), None
    )
    with pytest.raises(Unauthorized):
        await check(fake, token)


async def test_hs256_signed_with_the_public_key_is_refused(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    header = {"alg": "HS256", "typ": "JWT", "kid": KID}
    token = unsigned_token(header, claims(fake.service_url), public_pem(key))
    with pytest.raises(Unauthorized):
        await check(fake, token)


async def test_rs384_is_refused_only_rs256_is_accepted(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(Unauthorized):
        await check(fake, sign(key, KID, claims(fake.service_url), alg="RS384"))


async def test_garbage_and_missing_bearer_are_refused(fake: FakeBotFramework) -> None:
    checker = validator(fake)
    for header in (None, "", "Basic dXNlcjpwYXNz", "Bearer ", "Bearer pas.un.jeton"):
        with pytest.raises(Unauthorized):
            await checker.validate(header, fake.service_url, "msteams")


async def test_an_empty_app_id_refuses_everything(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    # The library would accept a token without `aud` when the app id is empty.
    token = sign(key, KID, claims(fake.service_url, aud=None))
    with pytest.raises(Unauthorized):
        await check(fake, token, app_id="")
    assert fake.key_fetches == 0


async def test_a_key_not_endorsed_for_the_channel_is_refused(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    fake.keys[:] = [jwk(key, KID, endorsements=["skype"])]
    with pytest.raises(Unauthorized):
        await check(fake, sign(key, KID, claims(fake.service_url)))


async def test_keys_are_fetched_lazily_once_and_cached(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    checker = validator(fake)
    assert fake.key_fetches == 0  # nothing fetched at start-up
    for _ in range(3):
        await checker.validate(
            f"Bearer {sign(key, KID, claims(fake.service_url))}", fake.service_url, "msteams"
        )
    assert fake.key_fetches == 1


async def test_an_unknown_kid_refreshes_once_then_is_refused(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    checker = validator(fake)
    await checker.validate(
        f"Bearer {sign(key, KID, claims(fake.service_url))}", fake.service_url, "msteams"
    )
    with pytest.raises(Unauthorized):
        await checker.validate(
            f"Bearer {sign(other_key, 'cle-inconnue', claims(fake.service_url))}",
            fake.service_url,
            "msteams",
        )
    assert fake.key_fetches == 2  # the first fetch, then exactly one refresh


async def test_a_rotated_key_is_picked_up_by_the_refresh(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    checker = validator(fake)
    await checker.validate(
        f"Bearer {sign(key, KID, claims(fake.service_url))}", fake.service_url, "msteams"
    )
    fake.keys.append(jwk(other_key, "cle-2"))
    token = sign(other_key, "cle-2", claims(fake.service_url))
    assert (await checker.validate(f"Bearer {token}", fake.service_url, "msteams"))["aud"]


async def test_unknown_kids_do_not_hammer_microsoft(
    fake: FakeBotFramework, other_key: rsa.RSAPrivateKey
) -> None:
    keys = SigningKeys(fake.settings().openid_metadata_url, min_refresh_interval=3600)
    checker = TokenValidator(APP_ID, keys)
    for number in range(5):
        with pytest.raises(Unauthorized):
            token = sign(other_key, f"inconnue-{number}", claims(fake.service_url))
            await checker.validate(f"Bearer {token}", fake.service_url, "msteams")
    assert fake.key_fetches == 1


async def test_unreachable_keys_are_reported_not_taken_for_a_bad_token(
    key: rsa.RSAPrivateKey,
) -> None:
    keys = SigningKeys("http://127.0.0.1:9/openid", timeout=2)
    with pytest.raises(KeysUnavailable):
        await TokenValidator(APP_ID, keys).validate(
            f"Bearer {sign(key, KID, claims('https://x/'))}", "https://x/", "msteams"
        )


async def test_concurrent_first_requests_fetch_the_keys_once(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    import asyncio

    checker = validator(fake)
    token = f"Bearer {sign(key, KID, claims(fake.service_url))}"
    await asyncio.gather(*(checker.validate(token, fake.service_url, "msteams") for _ in range(5)))
    assert fake.key_fetches == 1


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_keys_older_than_a_day_are_refreshed_and_kept_if_microsoft_is_down(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    clock = Clock()
    keys = SigningKeys(fake.settings().openid_metadata_url, clock=clock)
    checker = TokenValidator(APP_ID, keys)
    token = f"Bearer {sign(key, KID, claims(fake.service_url))}"
    await checker.validate(token, fake.service_url, "msteams")
    clock.now += 25 * 3600
    await checker.validate(token, fake.service_url, "msteams")
    assert fake.key_fetches == 2
    # Microsoft unreachable at the next daily refresh: the cached keys still serve.
    clock.now += 25 * 3600
    keys.metadata_url = "http://127.0.0.1:9/openid"
    await checker.validate(token, fake.service_url, "msteams")
    await checker.validate(token, fake.service_url, "msteams")  # no new attempt within a minute
    assert keys.fetch_count == 3
