"""Conversation ids minted by the server and signed (HMAC-SHA256), carried in a cookie.

The browser never chooses the Rasa sender id: it only holds `v1.<id>.<issued>.<mac>`, and a
cookie whose MAC does not verify, or that is older than its maximum age, is refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time
from pathlib import Path

_ID = re.compile(r"^[A-Za-z0-9_-]{22,64}$")
SECRET_ENV = "WEB_SECRET"
MIN_SECRET_BYTES = 32


def mint_id() -> str:
    """A new, unguessable conversation id (128 bits of randomness, URL-safe)."""
    return secrets.token_urlsafe(16)


def _mac(secret: bytes, payload: str) -> str:
    digest = hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign(conversation_id: str, secret: bytes, issued_at: int | None = None) -> str:
    """The cookie value for `conversation_id`: id, issue time (epoch seconds) and their MAC."""
    if not _ID.match(conversation_id):
        raise ValueError("identifiant de conversation invalide")
    payload = f"v1.{conversation_id}.{int(time.time()) if issued_at is None else issued_at}"
    return f"{payload}.{_mac(secret, payload)}"


def verify(
    token: str | None, secret: bytes, max_age_s: int, now: float | None = None
) -> str | None:
    """The conversation id of a valid, unexpired token; None for anything else."""
    if not token or len(token) > 200:
        return None
    parts = token.split(".")
    if len(parts) != 4 or parts[0] != "v1" or not _ID.match(parts[1]) or not parts[2].isdigit():
        return None
    payload = ".".join(parts[:3])
    if not hmac.compare_digest(_mac(secret, payload), parts[3]):
        return None
    age = (time.time() if now is None else now) - int(parts[2])
    if age < -60 or age > max_age_s:
        return None
    return parts[1]


def load_secret(var_dir: Path, environ: dict[str, str] | None = None) -> bytes:
    """The signing key: `WEB_SECRET` when set (at least 32 characters), else a random key
    generated once into `var/web_secret` (mode 600, never committed)."""
    env = os.environ if environ is None else environ
    value = env.get(SECRET_ENV, "")
    if value:
        if len(value.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"{SECRET_ENV} doit compter au moins {MIN_SECRET_BYTES} caractères")
        return value.encode()
    path = var_dir / "web_secret"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()
