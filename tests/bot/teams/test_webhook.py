"""The webhook against the fake Bot Framework: what Teams gets back, and what is never processed."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.teams.auth import SigningKeys, TokenValidator
from bot.teams.cards import ADAPTIVE_CARD
from bot.teams.connector import ConnectorClient
from bot.teams.webhook import IncomingMessage, TeamsWebhook
from tests.bot.teams.conftest import KID
from tests.bot.teams.fake_bot_framework import (
    APP_ID,
    BOT_ID,
    TENANT,
    FakeBotFramework,
    activity,
    claims,
    sign,
    unsigned_token,
)

CARTE = {
    "carte": {
        "type": "sessions",
        "titre": "Sessions de la mission SPASER",
        "elements": [
            {
                "titre": "Webinaire de présentation",
                "sous_titre": "14 janvier 2027, 10 h - 11 h 30",
                "texte": "**12** places restantes",
                "lien": None,
                "boutons": [{"title": "Je m'inscris", "payload": '/choose_session{"id": "3"}'}],
            }
        ],
        "boutons": [],
    }
}


class Recorder:
    """A fake conversation engine: records what it is told, answers a fixed turn."""

    def __init__(self, answer: list[dict[str, Any]] | None = None) -> None:
        self.received: list[IncomingMessage] = []
        self.answer = answer if answer is not None else [{"text": "Bonjour !"}]

    async def __call__(self, message: IncomingMessage) -> list[dict[str, Any]]:
        self.received.append(message)
        return self.answer


class Sleeps:
    """Records the back-off instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)


def make_webhook(
    fake: FakeBotFramework, sleeps: Sleeps | None = None, **settings: Any
) -> TeamsWebhook:
    config = fake.settings(**settings)
    return TeamsWebhook(
        config,
        validator=TokenValidator(
            config.app_id, SigningKeys(config.openid_metadata_url, min_refresh_interval=0)
        ),
        client=ConnectorClient(config, sleep=sleeps or Sleeps()),
    )


def bearer(key: rsa.RSAPrivateKey, fake: FakeBotFramework, **overrides: Any) -> str:
    return "Bearer " + sign(key, KID, claims(fake.service_url, **overrides))


def body(fake: FakeBotFramework, **overrides: Any) -> bytes:
    return json.dumps(activity(fake.service_url, **overrides)).encode()


async def post(
    webhook: TeamsWebhook, authorization: str | None, data: bytes, engine: Recorder
) -> int:
    result = await webhook.handle(authorization, data, engine)
    await webhook.drain()
    await webhook.client.close()
    return result.status


async def test_a_valid_message_is_answered_with_cards(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder(
        [
            {"text": "Voici les sessions ouvertes."},
            {"custom": CARTE},
            {
                "text": "Laquelle vous intéresse ?",
                "buttons": [{"title": "Aucune", "payload": "/deny"}],
            },
        ]
    )
    webhook = make_webhook(fake)
    status = await post(webhook, bearer(key, fake), body(fake, text="sessions spaser"), engine)

    assert status == 202
    assert [m.text for m in engine.received] == ["sessions spaser"]
    assert engine.received[0].sender_id == "29:utilisatrice"
    assert engine.received[0].metadata["teams"]["tenant_id"] == TENANT
    # One token, from the configured tenant, for the Bot Connector scope.
    assert len(fake.token_requests) == 1
    token_request = fake.token_requests[0]
    assert token_request["tenant"] == TENANT
    assert token_request["grant_type"] == "client_credentials"
    assert token_request["client_id"] == APP_ID
    assert token_request["scope"] == "https://api.botframework.com/.default"
    # A typing indicator, then the whole turn in one activity, sent to the validated serviceUrl.
    assert fake.activities[0]["type"] == "typing"
    (reply,) = fake.messages()
    assert {c["authorization"] for c in fake.connector_calls} == {"Bearer jeton-1"}
    assert fake.connector_calls[-1]["conversation"] == "a:1conversation;messageid=17"
    assert reply["text"] == "Voici les sessions ouvertes."
    assert reply["from"]["id"] == BOT_ID
    assert reply["recipient"]["id"] == "29:utilisatrice"
    assert reply["replyToId"] == "1700000000000"
    assert [a["contentType"] for a in reply["attachments"]] == [ADAPTIVE_CARD, ADAPTIVE_CARD]
    sessions = reply["attachments"][0]["content"]
    assert sessions["body"][0]["text"] == "Sessions de la mission SPASER"
    question = reply["attachments"][1]["content"]
    (action,) = question["body"][-1]["actions"]
    assert action["data"]["msteams"] == {
        "type": "messageBack",
        "displayText": "Aucune",
        "text": "/deny",
    }


async def test_the_bots_mention_is_stripped_before_the_engine_sees_it(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    data = body(
        fake,
        text="<at>Assistant Achats Durables</at> je cherche un guichet vert",
        entities=[
            {
                "type": "mention",
                "text": "<at>Assistant Achats Durables</at>",
                "mentioned": {"id": BOT_ID, "name": "Assistant Achats Durables"},
            }
        ],
    )
    assert await post(make_webhook(fake), bearer(key, fake), data, engine) == 202
    assert [m.text for m in engine.received] == ["je cherche un guichet vert"]


async def test_an_action_submit_value_is_read_as_the_message(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    data = body(fake, text=None, value={"payload": '/choose_session{"id": "3"}'})
    assert await post(make_webhook(fake), bearer(key, fake), data, engine) == 202
    assert [m.text for m in engine.received] == ['/choose_session{"id": "3"}']


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
        pytest.param({"aud": "autre-appli"}, id="wrong-audience"),
        pytest.param({"iss": "https://faux.example"}, id="wrong-issuer"),
        pytest.param({"serviceurl": "https://attaquant.example/"}, id="wrong-serviceUrl"),
        pytest.param({"exp": None}, id="no-exp"),
    ],
)
async def test_a_bad_token_gets_401_and_nothing_is_processed(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey, bad: dict[str, Any]
) -> None:
    engine = Recorder()
    assert await post(make_webhook(fake), bearer(key, fake, **bad), body(fake), engine) == 401
    assert engine.received == []
    assert fake.connector_calls == [] and fake.token_requests == []


async def test_forged_alg_none_and_missing_tokens_get_401(
    fake: FakeBotFramework, other_key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    forged = "Bearer " + sign(other_key, KID, claims(fake.service_url))
    none = "Bearer " + unsigned_token({"alg": "none", "kid": KID}, claims(fake.service_url), None)
    for authorization in (forged, none, None):
        assert await post(make_webhook(fake), authorization, body(fake), engine) == 401
    assert engine.received == [] and fake.connector_calls == []


async def test_the_activity_must_come_from_the_serviceurl_of_the_token(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    # A genuine token replayed with an activity that points replies elsewhere.
    engine = Recorder()
    data = body(fake, serviceUrl="https://attaquant.example/")
    assert await post(make_webhook(fake), bearer(key, fake), data, engine) == 401
    assert engine.received == []


async def test_a_serviceurl_outside_the_allowed_prefixes_is_refused(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    webhook = make_webhook(fake, service_url_prefixes=("https://smba.trafficmanager.net/",))
    assert await post(webhook, bearer(key, fake), body(fake), engine) == 401
    assert engine.received == []


async def test_an_unconfigured_channel_refuses_everything(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    webhook = make_webhook(fake, app_id="", app_password="")
    assert await post(webhook, bearer(key, fake, aud=None), body(fake), engine) == 401
    assert engine.received == [] and fake.key_fetches == 0


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"{pas du json", id="not-json"),
        pytest.param(b"[]", id="not-an-object"),
        pytest.param(None, id="no-conversation"),
        pytest.param(b'{"type": "message"}', id="no-serviceUrl"),
    ],
)
async def test_a_malformed_activity_gets_400_and_is_not_processed(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey, data: bytes | None
) -> None:
    if data is None:
        values = activity(fake.service_url)
        del values["conversation"]
        data = json.dumps(values).encode()
    engine = Recorder()
    assert await post(make_webhook(fake), bearer(key, fake), data, engine) == 400
    assert engine.received == [] and fake.connector_calls == []


async def test_a_malformed_activity_without_a_valid_token_gets_401(
    fake: FakeBotFramework,
) -> None:
    assert await post(make_webhook(fake), None, b"{pas du json", Recorder()) == 401


async def test_another_tenant_is_refused_when_tenants_are_restricted(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    webhook = make_webhook(fake, allowed_tenants=("un-autre-locataire",))
    assert await post(webhook, bearer(key, fake), body(fake), engine) == 403
    assert engine.received == []


async def test_another_bot_framework_channel_is_refused_unless_allowed(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    webchat = body(fake, channelId="webchat")
    # Same signing keys for every channel: the fake endorses its key for webchat too.
    fake.keys[0]["endorsements"] = ["msteams", "webchat"]
    assert await post(make_webhook(fake), bearer(key, fake), webchat, engine) == 403
    assert engine.received == []
    allowed = make_webhook(fake, allowed_channels=("msteams", "webchat"))
    assert await post(allowed, bearer(key, fake), webchat, engine) == 202


async def test_typing_and_other_activities_are_acknowledged_and_ignored(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    for kind in ("typing", "messageReaction", "invoke"):
        assert (
            await post(make_webhook(fake), bearer(key, fake), body(fake, type=kind), engine) == 200
        )
    assert engine.received == [] and fake.connector_calls == []


async def test_the_bot_says_welcome_once_when_added(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    webhook = make_webhook(fake)
    added = body(fake, type="conversationUpdate", text=None, membersAdded=[{"id": BOT_ID}])
    assert await post(webhook, bearer(key, fake), added, engine) == 202
    assert await post(webhook, bearer(key, fake), added, engine) == 200  # redelivered
    user_added = body(fake, type="conversationUpdate", membersAdded=[{"id": "29:autre"}])
    assert await post(webhook, bearer(key, fake), user_added, engine) == 200
    (welcome,) = fake.messages()
    card = welcome["attachments"][0]["content"]
    assert card["body"][0]["text"].startswith("Bonjour ! Je suis l'Assistant Achats Durables")
    titles = [a["title"] for a in card["body"][1]["actions"]]
    assert "Trouver un guichet vert" in titles
    assert engine.received == []


async def test_a_429_from_the_connector_is_retried_after_retry_after(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    sleeps = Sleeps()
    # The typing indicator is sent once without retry; the reply meets two 429s, then passes.
    fake.connector_script = [(200, {}), (429, {"Retry-After": "2"}), (429, {}), (200, {})]
    webhook = make_webhook(fake, sleeps)
    assert await post(webhook, bearer(key, fake), body(fake), Recorder()) == 202
    assert [m["text"] for m in fake.messages()] == ["Bonjour !"]
    assert sleeps.delays == [2.0, 1.0]  # Retry-After honoured, then exponential back-off


async def test_the_engine_failing_still_tells_the_user(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    async def broken(message: IncomingMessage) -> list[dict[str, Any]]:
        raise RuntimeError("modèle absent")

    webhook = make_webhook(fake)
    result = await webhook.handle(bearer(key, fake), body(fake), broken)
    await webhook.drain()
    await webhook.client.close()
    assert result.status == 202
    (reply,) = fake.messages()
    assert "problème technique" in reply["text"]


async def test_the_webhook_answers_before_the_engine_has_finished(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    import asyncio

    release = asyncio.Event()

    async def slow(message: IncomingMessage) -> list[dict[str, Any]]:
        await release.wait()
        return [{"text": "Enfin !"}]

    webhook = make_webhook(fake)
    result = await asyncio.wait_for(webhook.handle(bearer(key, fake), body(fake), slow), 2)
    assert result.status == 202
    assert fake.messages() == []
    release.set()
    await webhook.drain()
    await webhook.client.close()
    assert [m["text"] for m in fake.messages()] == ["Enfin !"]


async def test_unreachable_microsoft_keys_give_503_and_nothing_is_processed(
    fake: FakeBotFramework, key: rsa.RSAPrivateKey
) -> None:
    engine = Recorder()
    webhook = make_webhook(fake, openid_metadata_url="http://127.0.0.1:9/openid")
    assert await post(webhook, bearer(key, fake), body(fake), engine) == 503
    assert engine.received == [] and fake.connector_calls == []
