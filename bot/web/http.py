"""HTTP helpers shared by the chat API and the hotline console: the same-origin check, JSON
bodies read with a size cap, and JSON answers that never carry raw HTML."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse


class SafeJSONResponse(JSONResponse):
    """JSON where `<`, `>` and `&` are escaped, so no raw HTML ever leaves the server even if a
    client mistook the answer for a page."""

    def render(self, content: Any) -> bytes:
        """Compact UTF-8 JSON with HTML-significant characters as \\u escapes."""
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        return text.encode("utf-8")


def safe_json(
    content: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> SafeJSONResponse:
    """A SafeJSONResponse."""
    return SafeJSONResponse(content, status_code=status, headers=dict(headers or {}))


def same_origin(request: Request) -> bool:
    """The request comes from this site: its Origin names this host (host only, since behind a
    TLS proxy the app may see http while the page is https); without Origin, Sec-Fetch-Site."""
    origin = request.headers.get("origin")
    if origin is None:
        # Browsers send Origin on every POST fetch; Sec-Fetch-Site covers the rest.
        return request.headers.get("sec-fetch-site", "same-origin") in {"same-origin", "none"}
    return urlsplit(origin).netloc == request.headers.get("host", "")


@dataclass(frozen=True)
class JsonBody:
    """A request's JSON body, or the HTTP status that refuses it (415, 413 or 400)."""

    data: Any = None
    refused: int | None = None


async def read_json(request: Request, max_bytes: int) -> JsonBody:
    """The JSON body of `request`, refused when it is not JSON, too big or malformed."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return JsonBody(refused=415)
    body = await request.body()
    if len(body) > max_bytes:
        return JsonBody(refused=413)
    try:
        return JsonBody(json.loads(body))
    except ValueError:
        return JsonBody(refused=400)
