"""Fixtures of the Teams tests: RSA keys and the fake Bot Framework on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.bot.teams.fake_bot_framework import FakeBotFramework, jwk, new_key

KID = "cle-1"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The channel honours HTTPS_PROXY; the fake lives on loopback, never behind a proxy."""
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def key() -> rsa.RSAPrivateKey:
    """The key the fake Bot Framework signs with."""
    return new_key()


@pytest.fixture(scope="session")
def other_key() -> rsa.RSAPrivateKey:
    """A key nobody published (a forger's, or a rotated one)."""
    return new_key()


@pytest.fixture
async def fake(key: rsa.RSAPrivateKey) -> AsyncIterator[FakeBotFramework]:
    """The fake Bot Framework, publishing `key` as `KID`."""
    server = FakeBotFramework(keys=[jwk(key, KID)])
    await server.start()
    yield server
    await server.close()
