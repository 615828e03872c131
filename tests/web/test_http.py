"""Shared HTTP helpers of the web app and the console."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from bot.web.http import read_json, same_origin


def request(headers: dict[str, str], body: bytes = b"", scheme: str = "http") -> Request:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    scope = {
        "type": "http",
        "method": "POST",
        "scheme": scheme,
        "path": "/",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    return Request(scope, receive)


def test_same_origin_compares_the_host_whatever_the_scheme_behind_a_tls_proxy() -> None:
    # The console once compared the scheme too, and refused every form behind an HTTPS proxy.
    assert same_origin(
        request({"host": "ministere.gouv.fr", "origin": "https://ministere.gouv.fr"})
    )
    assert not same_origin(request({"host": "ministere.gouv.fr", "origin": "https://evil.example"}))
    assert same_origin(request({"host": "a", "sec-fetch-site": "same-origin"}))
    assert not same_origin(request({"host": "a", "sec-fetch-site": "cross-site"}))


@pytest.mark.parametrize(
    ("headers", "body", "refused"),
    [
        ({"content-type": "text/plain"}, b"{}", 415),
        ({"content-type": "application/json"}, b"x" * 101, 413),
        ({"content-type": "application/json"}, b"{not json", 400),
    ],
)
async def test_bad_json_bodies_are_refused_with_their_status(
    headers: dict[str, str], body: bytes, refused: int
) -> None:
    assert (await read_json(request(headers, body), max_bytes=100)).refused == refused


async def test_a_json_body_is_read() -> None:
    body = await read_json(
        request({"content-type": "application/json; charset=utf-8"}, b'{"texte": "a"}'), 100
    )
    assert body.refused is None and body.data == {"texte": "a"}
