"""Outbound calls to the Bot Framework: the bot's token, then replies to the Bot Connector.

Asynchronous (aiohttp) with timeouts; 429 and 5xx are retried with a bounded back-off that
honours `Retry-After`; an expired or revoked token (401) is renewed once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.teams.settings import BOT_FRAMEWORK_SCOPE, TeamsSettings

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]

RETRYABLE = frozenset({429, 500, 502, 503, 504})


class ConnectorError(Exception):
    """A call to the Bot Framework failed for good (after retries, or not retryable)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """`Retry-After` in seconds: a number of seconds or an HTTP date (None if absent/invalid)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)


class ConnectorClient:
    """Sends activities to the Bot Connector of a conversation (`serviceUrl`)."""

    def __init__(
        self,
        settings: TeamsSettings,
        *,
        timeout: float = 10.0,
        max_attempts: int = 5,
        base_delay: float = 0.5,
        max_delay: float = 8.0,
        max_retry_after: float = 30.0,
        sleep: Sleep = asyncio.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._max_attempts = max_attempts
        self._base_delay = base_delay
        self._max_delay = max_delay
        self._max_retry_after = max_retry_after
        self._sleep = sleep
        self._clock = clock
        self._session: aiohttp.ClientSession | None = None
        self._token: str | None = None
        self._token_expires = 0.0
        self._token_lock = asyncio.Lock()

    async def close(self) -> None:
        """Close the HTTP session (the client can be used again afterwards)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _http(self) -> aiohttp.ClientSession:
        # Created on first use, inside the running loop (Sanic starts its own).
        if self._session is None or self._session.closed:
            # trust_env: a ministry's outbound proxy (HTTPS_PROXY, NO_PROXY) is honoured.
            self._session = aiohttp.ClientSession(timeout=self._timeout, trust_env=True)
        return self._session

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self._max_retry_after)
        return float(min(self._base_delay * (2 ** (attempt - 1)), self._max_delay))

    async def bearer_token(self, *, renew: bool = False) -> str:
        """The bot's access token for the Bot Connector, from the configured tenant (cached)."""
        async with self._token_lock:
            if not renew and self._token and self._clock() < self._token_expires:
                return self._token
            form = {
                "grant_type": "client_credentials",
                "client_id": self.settings.app_id,
                "client_secret": self.settings.app_password,
                "scope": BOT_FRAMEWORK_SCOPE,
            }
            status, data = await self._with_retries("POST", self.settings.token_url, data=form)
            token = data.get("access_token") if isinstance(data, dict) else None
            if not isinstance(token, str) or not token:
                raise ConnectorError("réponse du service de jetons sans access_token", status)
            expires_in = data.get("expires_in", 3600)
            try:
                lifetime = float(expires_in)
            except (TypeError, ValueError):
                lifetime = 3600.0
            # Renew five minutes early, so a token never expires on its way.
            self._token = token
            self._token_expires = self._clock() + max(60.0, lifetime - 300.0)
            return token

    def activities_url(self, service_url: str, conversation_id: str) -> str:
        """`POST` URL that adds an activity to the conversation."""
        return (
            f"{service_url.rstrip('/')}/v3/conversations/"
            f"{quote(conversation_id, safe='')}/activities"
        )

    async def send_activity(
        self,
        service_url: str,
        conversation_id: str,
        activity: dict[str, Any],
        *,
        retry: bool = True,
    ) -> dict[str, Any]:
        """Post `activity` to the conversation; return the connector's answer (`{"id": …}`)."""
        url = self.activities_url(service_url, conversation_id)
        renewed = False
        while True:
            token = await self.bearer_token(renew=renewed)
            try:
                _, data = await self._with_retries(
                    "POST",
                    url,
                    json=activity,
                    headers={"Authorization": f"Bearer {token}"},
                    attempts=self._max_attempts if retry else 1,
                )
            except ConnectorError as error:
                if error.status in (401, 403) and not renewed:
                    renewed = True  # the token was revoked or rotated: one new token, one try
                    continue
                raise
            return data if isinstance(data, dict) else {}

    async def _with_retries(
        self, method: str, url: str, *, attempts: int | None = None, **kwargs: Any
    ) -> tuple[int, Any]:
        attempts = attempts or self._max_attempts
        for attempt in range(1, attempts + 1):
            retry_after: float | None = None
            try:
                async with self._http().request(method, url, **kwargs) as response:
                    if 200 <= response.status < 300:
                        if response.content_length == 0 or response.status == 204:
                            return response.status, {}
                        try:
                            return response.status, await response.json(content_type=None)
                        except ValueError:
                            return response.status, {}
                    detail = (await response.text())[:300]
                    if response.status not in RETRYABLE:
                        raise ConnectorError(
                            f"{method} {url} : HTTP {response.status} {detail}", response.status
                        )
                    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
                    failure = ConnectorError(
                        f"{method} {url} : HTTP {response.status} {detail}", response.status
                    )
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                failure = ConnectorError(f"{method} {url} : {error!r}")
            if attempt == attempts:
                raise failure
            delay = self._delay(attempt, retry_after)
            logger.info("Teams : %s, nouvel essai dans %.1f s", failure, delay)
            await self._sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover
