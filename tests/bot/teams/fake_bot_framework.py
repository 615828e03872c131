"""A fake Bot Framework on 127.0.0.1: OpenID metadata, JWKS, token endpoint and Bot Connector.

Tests sign tokens with keys generated here, so nothing ever reaches Microsoft.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.teams.settings import TeamsSettings

APP_ID = "11111111-2222-3333-4444-555555555555"
APP_PASSWORD = "secret-de-test"
TENANT = "99999999-8888-7777-6666-555555555555"
ISSUER = "https://api.botframework.com"
BOT_ID = f"28:{APP_ID}"


def new_key() -> rsa.RSAPrivateKey:
    """A fresh 2048-bit RSA key."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk(key: rsa.RSAPrivateKey, kid: str, endorsements: list[str] | None = None) -> dict[str, Any]:
    """The public JWK of `key`, as Microsoft publishes it."""
    entry: dict[str, Any] = RSAAlgorithm.to_jwk(key.public_key(), as_dict=True)
    entry.update({"kid": kid, "use": "sig", "endorsements": endorsements or ["msteams"]})
    return entry


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned_token(header: dict[str, Any], claims: dict[str, Any], secret: bytes | None) -> str:
    """A token built by hand: `alg: none` (no secret) or HS256 with `secret`."""
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    if secret is None:
        return signing_input + "."
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def public_pem(key: rsa.RSAPrivateKey) -> bytes:
    """The public key as PEM (what an attacker would use as an HMAC secret)."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass
class FakeBotFramework:
    """The fake's state: published keys, scripted connector answers, what it received."""

    keys: list[dict[str, Any]] = field(default_factory=list)
    connector_script: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    token_script: list[int] = field(default_factory=list)
    activities: list[dict[str, Any]] = field(default_factory=list)
    connector_calls: list[dict[str, Any]] = field(default_factory=list)
    token_requests: list[dict[str, Any]] = field(default_factory=list)
    key_fetches: int = 0
    server: TestServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return str(self.server.make_url("")).rstrip("/")

    @property
    def service_url(self) -> str:
        """The `serviceUrl` of the activities (the fake connector)."""
        return self.base_url + "/connector/"

    def settings(self, **overrides: Any) -> TeamsSettings:
        """Settings that point the channel at this fake."""
        values: dict[str, Any] = {
            "app_id": APP_ID,
            "app_password": APP_PASSWORD,
            "tenant_id": TENANT,
            "openid_metadata_url": self.base_url + "/v1/.well-known/openidconfiguration",
            "login_url": self.base_url + "/login",
            "service_url_prefixes": (self.base_url + "/",),
        }
        values.update(overrides)
        return TeamsSettings(**values)

    def messages(self) -> list[dict[str, Any]]:
        """The message activities the bot posted (typing indicators left out)."""
        return [a for a in self.activities if a.get("type") == "message"]

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._metadata)
        app.router.add_get("/v1/keys", self._jwks)
        app.router.add_post("/login/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/connector/v3/conversations/{conversation}/activities", self._post)
        self.server = TestServer(app, host="127.0.0.1")
        await self.server.start_server()

    async def close(self) -> None:
        if self.server is not None:
            await self.server.close()

    async def _metadata(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": self.base_url + "/v1/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def _jwks(self, request: web.Request) -> web.Response:
        self.key_fetches += 1
        return web.json_response({"keys": self.keys})

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        self.token_requests.append({"tenant": request.match_info["tenant"], **form})
        if self.token_script:
            return web.json_response({"error": "busy"}, status=self.token_script.pop(0))
        number = len(self.token_requests)
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3599, "access_token": f"jeton-{number}"}
        )

    async def _post(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.connector_calls.append(
            {
                "conversation": request.match_info["conversation"],
                "authorization": request.headers.get("Authorization"),
                "activity": body,
            }
        )
        if self.connector_script:
            status, headers = self.connector_script.pop(0)
            if status >= 300:
                return web.json_response(
                    {"error": {"code": str(status)}}, status=status, headers=headers
                )
        self.activities.append(body)
        return web.json_response({"id": f"reponse-{len(self.activities)}"}, status=201)


def claims(service_url: str, **overrides: Any) -> dict[str, Any]:
    """The claims of a genuine Bot Framework token for our bot."""
    now = int(time.time())
    values: dict[str, Any] = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 10,
        "exp": now + 3600,
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def sign(key: rsa.RSAPrivateKey, kid: str, payload: dict[str, Any], alg: str = "RS256") -> str:
    """A token signed with `key`."""
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid})


def activity(service_url: str, **overrides: Any) -> dict[str, Any]:
    """A message activity as Teams posts it in a personal chat."""
    values: dict[str, Any] = {
        "type": "message",
        "id": "1700000000000",
        "timestamp": "2026-12-03T10:00:00.000Z",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": {"id": "29:utilisatrice", "name": "Camille Martin", "aadObjectId": "aad-1"},
        "conversation": {"id": "a:1conversation;messageid=17", "conversationType": "personal"},
        "recipient": {"id": BOT_ID, "name": "Assistant Achats Durables"},
        "text": "Bonjour",
        "locale": "fr-FR",
        "channelData": {"tenant": {"id": TENANT}},
    }
    values.update(overrides)
    return values
