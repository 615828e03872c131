"""Reading Teams activities: envelope checks, mentions, submitted card values."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.teams.activity import (
    Activity,
    MalformedActivity,
    parse_activity,
    strip_mentions,
    user_text,
)
from tests.bot.teams.fake_bot_framework import BOT_ID, TENANT, activity

SERVICE = "https://smba.trafficmanager.net/fr/"


def parsed(**overrides: Any) -> Activity:
    return parse_activity(json.dumps(activity(SERVICE, **overrides)).encode())


def mention(name: str, who: str = BOT_ID) -> dict[str, Any]:
    return {"type": "mention", "text": f"<at>{name}</at>", "mentioned": {"id": who, "name": name}}


def test_a_teams_message_is_read() -> None:
    message = parsed()
    assert message.type == "message"
    assert message.service_url == SERVICE
    assert message.conversation_id == "a:1conversation;messageid=17"
    assert message.from_id == "29:utilisatrice" and message.recipient_id == BOT_ID
    assert message.tenant_id == TENANT


@pytest.mark.parametrize(
    "change",
    [
        {"serviceUrl": None},
        {"serviceUrl": "ftp://exemple"},
        {"type": ""},
        {"from": "29:x"},
        {"recipient": {}},
        {"conversation": {"id": 3}},
        {"text": ["liste"]},
        {"entities": "pas une liste"},
        {"channelId": None},
    ],
)
def test_a_broken_envelope_is_malformed(change: dict[str, Any]) -> None:
    with pytest.raises(MalformedActivity):
        parsed(**change)


def test_oversized_and_non_utf8_bodies_are_malformed() -> None:
    with pytest.raises(MalformedActivity):
        parse_activity(b"\xff\xfe{}")
    with pytest.raises(MalformedActivity):
        parse_activity(b'{"text": "' + b"a" * 300_000 + b'"}')


def test_the_bots_mention_goes_other_mentions_keep_their_name() -> None:
    message = parsed(
        text="<at>Assistant Achats Durables</at> demande à <at>Jean Dupont</at> pour la SPASER",
        entities=[mention("Assistant Achats Durables"), mention("Jean Dupont", "29:jean")],
    )
    assert strip_mentions(message) == "demande à Jean Dupont pour la SPASER"


def test_a_mention_without_entity_and_the_bots_name_are_stripped() -> None:
    assert strip_mentions(parsed(text="<at>Assistant Achats Durables</at>&nbsp;aide")) == "aide"
    assert (
        strip_mentions(parsed(text="Assistant Achats Durables, mes obligations ?"))
        == "mes obligations ?"
    )
    # A short name configured for the bot (TEAMS_BOT_NAME) is stripped too.
    assert strip_mentions(parsed(text="<at>AAD</at> bonjour"), bot_name="AAD") == "bonjour"


def test_html_from_a_pasted_message_is_flattened() -> None:
    assert strip_mentions(parsed(text="<p>Bonjour&nbsp;<b>à vous</b></p>")) == "Bonjour à vous"


def test_a_submitted_card_value_is_the_message() -> None:
    assert user_text(parsed(text="", value={"payload": "/ask_obligations"})) == "/ask_obligations"
    assert user_text(parsed(text=None, value={"text": "mes obligations"})) == "mes obligations"
    # A messageBack carries its text: the text wins over the value.
    assert user_text(parsed(text="/deny", value={"payload": "/deny"})) == "/deny"


def test_nothing_to_read_gives_none() -> None:
    assert user_text(parsed(text="<at>Assistant Achats Durables</at>")) is None
    assert user_text(parsed(text="", value={"autre": 1})) is None


def test_settings_are_read_from_the_environment() -> None:
    from bot.teams.settings import DEFAULT_OPENID_METADATA_URL, TeamsSettings

    empty = TeamsSettings.from_env({})
    assert not empty.configured
    assert empty.token_url == "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
    assert empty.openid_metadata_url == DEFAULT_OPENID_METADATA_URL
    assert empty.allowed_channels == ("msteams",)
    settings = TeamsSettings.from_env(
        {
            "TEAMS_APP_ID": " app ",
            "TEAMS_APP_PASSWORD": "mdp",
            "TEAMS_TENANT_ID": TENANT,
            "TEAMS_SERVICE_URL_PREFIXES": "https://smba.trafficmanager.net/fr/, https://x/",
            "TEAMS_ALLOWED_TENANTS": TENANT,
        }
    )
    assert settings.configured and settings.app_id == "app"
    assert settings.token_url.endswith(f"/{TENANT}/oauth2/v2.0/token")
    assert settings.service_url_prefixes == ("https://smba.trafficmanager.net/fr/", "https://x/")
    assert settings.allowed_tenants == (TENANT,)
