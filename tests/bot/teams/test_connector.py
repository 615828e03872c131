"""The outbound client: token from the tenant, retries with bounded back-off, token renewal."""

from __future__ import annotations

from email.utils import formatdate

import pytest

from bot.teams.connector import ConnectorClient, ConnectorError, retry_after_seconds
from tests.bot.teams.fake_bot_framework import TENANT, FakeBotFramework

MESSAGE = {"type": "message", "text": "Bonjour"}


class Sleeps:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


async def send(client: ConnectorClient, fake: FakeBotFramework) -> dict[str, object]:
    try:
        return await client.send_activity(fake.service_url, "19:canal@thread.tacv2", MESSAGE)
    finally:
        await client.close()


async def test_the_token_comes_from_the_configured_tenant_and_is_cached(
    fake: FakeBotFramework,
) -> None:
    client = ConnectorClient(fake.settings())
    for _ in range(3):
        await client.send_activity(fake.service_url, "a:1", MESSAGE)
    await client.close()
    assert [r["tenant"] for r in fake.token_requests] == [TENANT]
    assert len(fake.activities) == 3


async def test_the_conversation_id_is_quoted_in_the_url(fake: FakeBotFramework) -> None:
    client = ConnectorClient(fake.settings())
    url = client.activities_url("https://smba.trafficmanager.net/fr/", "19:a;messageid=1")
    assert url == (
        "https://smba.trafficmanager.net/fr/v3/conversations/19%3Aa%3Bmessageid%3D1/activities"
    )


async def test_5xx_is_retried_with_exponential_back_off(fake: FakeBotFramework) -> None:
    sleeps = Sleeps()
    fake.connector_script = [(503, {}), (502, {}), (500, {}), (200, {})]
    answer = await send(ConnectorClient(fake.settings(), sleep=sleeps), fake)
    assert answer == {"id": "reponse-1"}
    assert sleeps.delays == [0.5, 1.0, 2.0]


async def test_retries_are_bounded(fake: FakeBotFramework) -> None:
    sleeps = Sleeps()
    fake.connector_script = [(429, {"Retry-After": "3600"})] * 10
    with pytest.raises(ConnectorError) as error:
        await send(ConnectorClient(fake.settings(), sleep=sleeps, max_attempts=4), fake)
    assert error.value.status == 429
    assert len(fake.connector_calls) == 4
    assert sleeps.delays == [30.0, 30.0, 30.0]  # Retry-After capped
    assert fake.activities == []


async def test_a_client_error_is_not_retried(fake: FakeBotFramework) -> None:
    sleeps = Sleeps()
    fake.connector_script = [(400, {})]
    with pytest.raises(ConnectorError):
        await send(ConnectorClient(fake.settings(), sleep=sleeps), fake)
    assert len(fake.connector_calls) == 1 and sleeps.delays == []


async def test_a_refused_token_is_renewed_once(fake: FakeBotFramework) -> None:
    fake.connector_script = [(401, {}), (200, {})]
    await send(ConnectorClient(fake.settings()), fake)
    assert [c["authorization"] for c in fake.connector_calls] == [
        "Bearer jeton-1",
        "Bearer jeton-2",
    ]


async def test_a_busy_token_endpoint_is_retried(fake: FakeBotFramework) -> None:
    sleeps = Sleeps()
    fake.token_script = [429]
    await send(ConnectorClient(fake.settings(), sleep=sleeps), fake)
    assert len(fake.token_requests) == 2 and len(fake.activities) == 1


async def test_an_unreachable_connector_fails_after_the_retries() -> None:
    sleeps = Sleeps()
    from bot.teams.settings import TeamsSettings

    settings = TeamsSettings(app_id="a", app_password="b", login_url="http://127.0.0.1:9")
    client = ConnectorClient(settings, sleep=sleeps, max_attempts=2, timeout=2)
    with pytest.raises(ConnectorError):
        await client.send_activity("http://127.0.0.1:9/", "a:1", MESSAGE)
    await client.close()
    assert sleeps.delays == [0.5]


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("demain") is None
    now = 1_800_000_000.0
    assert retry_after_seconds(formatdate(now + 20, usegmt=True), now=now) == 20.0
    assert retry_after_seconds(formatdate(now - 20, usegmt=True), now=now) == 0.0
