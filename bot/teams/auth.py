"""Validation of the tokens the Bot Framework puts on every request it sends to the bot.

The checks themselves are Microsoft's (`botframework-connector` 4.17.1: issuer, signature with
RS256 only, expiry with 5 minutes of leeway, channel endorsements, audience = our app id).
This module wraps the gaps of that library, each of which would let a ministry's bot down:

- its key fetch is a blocking `requests.get` without timeout, run on the event loop on first
  use: here the OpenID metadata and the keys are fetched lazily with aiohttp, with a timeout,
  cached for a day, and handed to the library's validator;
- an unknown key id raises `IndexError` and never refreshes: here the keys are refreshed once
  (at most every `min_refresh_interval`) and the token is then refused;
- a token without `exp` is accepted: refused here;
- an empty app id turns authentication off: refused here, every request is rejected.

The `serviceUrl` claim is compared with the activity's, as the library's
`authenticate_channel_token_with_service_url` does.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from botframework.connector.auth import (
    AuthenticationConstants,
    ChannelValidation,
    JwtTokenExtractor,
    SimpleCredentialProvider,
)
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

SERVICE_URL_CLAIM = ChannelValidation.SERVICE_URL_CLAIM


class Unauthorized(Exception):
    """The request does not carry a valid Bot Framework token: answer 401, process nothing."""


class KeysUnavailable(Exception):
    """Microsoft's signing keys could not be fetched and none are cached: answer 503."""


@dataclass(frozen=True)
class SigningKey:
    """One key of the JWKS, in the shape the library's validator reads."""

    public_key: Any
    endorsements: list[str] = field(default_factory=list)


class SigningKeys:
    """The Bot Framework's signing keys, fetched on first use and cached.

    Quacks like the library's `_OpenIdMetadata` (an async `get(key_id)`), so
    `JwtTokenExtractor` uses it instead of its own blocking fetch.
    """

    def __init__(
        self,
        metadata_url: str,
        *,
        timeout: float = 5.0,
        max_age: float = 24 * 3600,
        min_refresh_interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metadata_url = metadata_url
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_age = max_age
        self._min_refresh_interval = min_refresh_interval
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._last_attempt: float | None = None
        self._generation = 0
        self._lock = asyncio.Lock()
        self.fetch_count = 0

    async def get(self, key_id: str | None) -> SigningKey:
        """The key `key_id`, refreshing once if it is unknown; `Unauthorized` if still unknown."""
        if not key_id or not isinstance(key_id, str):
            raise Unauthorized("jeton sans identifiant de clé (kid)")
        stale = self._clock() - (self._fetched_at or 0.0) > self._max_age
        if not self._keys or (stale and self._may_retry()):
            await self._refresh(self._generation)
        key = self._keys.get(key_id)
        if key is None and self._may_retry():
            # Microsoft rotates keys: an unknown id may be a new key. Refresh once, but not more
            # often than `min_refresh_interval`, so random ids cannot make us hammer the endpoint.
            await self._refresh(self._generation)
            key = self._keys.get(key_id)
        if key is None:
            raise Unauthorized(f"clé de signature inconnue : {key_id!r}")
        return key

    def _may_retry(self) -> bool:
        last = self._last_attempt
        return last is None or self._clock() - last >= self._min_refresh_interval

    async def _refresh(self, seen_generation: int) -> None:
        async with self._lock:
            if self._generation != seen_generation:
                return  # refreshed by a concurrent request while this one waited
            self._last_attempt = self._clock()
            try:
                keys = await self._fetch()
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, KeyError) as error:
                if self._keys:
                    logger.warning("Teams : clés non rafraîchies (%s), anciennes gardées", error)
                    return
                raise KeysUnavailable(str(error)) from error
            self._keys = keys
            self._fetched_at = self._clock()
            self._generation += 1

    async def _fetch(self) -> dict[str, SigningKey]:
        self.fetch_count += 1
        # trust_env: a ministry's outbound proxy (HTTPS_PROXY, NO_PROXY) is honoured.
        async with aiohttp.ClientSession(timeout=self._timeout, trust_env=True) as session:
            async with session.get(self.metadata_url) as response:
                response.raise_for_status()
                metadata = await response.json(content_type=None)
            jwks_uri = metadata["jwks_uri"]
            if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
                raise ValueError(f"jwks_uri invalide : {jwks_uri!r}")
            async with session.get(jwks_uri) as response:
                response.raise_for_status()
                jwks = await response.json(content_type=None)
        keys: dict[str, SigningKey] = {}
        for entry in jwks["keys"]:
            if not isinstance(entry, dict) or entry.get("kty") != "RSA" or "kid" not in entry:
                continue
            endorsements = entry.get("endorsements") or []
            keys[str(entry["kid"])] = SigningKey(
                public_key=RSAAlgorithm.from_jwk(json.dumps(entry)),
                endorsements=[str(e) for e in endorsements],
            )
        if not keys:
            raise ValueError("aucune clé RSA dans le JWKS")
        return keys


class TokenValidator:
    """Checks the `Authorization` header of a request from the Bot Framework."""

    def __init__(self, app_id: str, keys: SigningKeys) -> None:
        self.app_id = app_id
        self.keys = keys

    async def validate(
        self, authorization: str | None, service_url: str | None, channel_id: str
    ) -> dict[str, Any]:
        """Return the token's claims, or raise `Unauthorized` (or `KeysUnavailable`).

        `service_url` is the activity's; None when the body could not be read (the token is
        still checked, so that an unauthenticated caller only ever gets 401).
        """
        if not self.app_id:
            raise Unauthorized("canal Teams non configuré (TEAMS_APP_ID vide)")
        if not authorization or not authorization.startswith("Bearer "):
            raise Unauthorized("en-tête Authorization absent ou sans Bearer")
        extractor = JwtTokenExtractor(
            ChannelValidation.TO_BOT_FROM_CHANNEL_TOKEN_VALIDATION_PARAMETERS,
            self.keys.metadata_url,
            AuthenticationConstants.ALLOWED_SIGNING_ALGORITHMS,
        )
        extractor.open_id_metadata = self.keys
        try:
            identity = await extractor.get_identity_from_auth_header(authorization, channel_id, [])
            identity = await ChannelValidation.validate_identity(
                identity, SimpleCredentialProvider(self.app_id, "")
            )
        except (Unauthorized, KeysUnavailable):
            raise
        except Exception as error:  # the library raises bare Exception, PermissionError, jwt…
            raise Unauthorized(f"jeton refusé : {error}") from error
        claims: dict[str, Any] = dict(identity.claims)
        if not isinstance(claims.get("exp"), int | float):
            raise Unauthorized("jeton sans date d'expiration")
        if service_url is not None and claims.get(SERVICE_URL_CLAIM) != service_url:
            raise Unauthorized("le serviceUrl de l'activité n'est pas celui du jeton")
        return claims
