"""The web app's client of Rasa's REST channel (`POST /webhooks/rest/webhook`)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

Relay = Callable[[str, str], Awaitable[list[dict[str, Any]]]]


class RasaUnavailable(Exception):
    """Rasa did not answer (down, timeout, or an error status)."""


class RasaRestClient:
    """Sends one user message under a given sender id and returns Rasa's bot messages."""

    def __init__(self, base_url: str, timeout_s: float = 60.0) -> None:
        self.url = base_url.rstrip("/") + "/webhooks/rest/webhook"
        self.timeout = aiohttp.ClientTimeout(total=timeout_s, connect=5)

    async def __call__(self, sender: str, message: str) -> list[dict[str, Any]]:
        """Relay `message` from `sender`; raise RasaUnavailable when Rasa cannot answer."""
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.post(self.url, json={"sender": sender, "message": message}) as response,
            ):
                if response.status != 200:
                    raise RasaUnavailable(f"HTTP {response.status}")
                body: Any = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            raise RasaUnavailable(str(error)) from error
        if not isinstance(body, list):
            raise RasaUnavailable("réponse inattendue")
        return [m for m in body if isinstance(m, dict)]
