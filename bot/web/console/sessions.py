"""Console sessions: an HMAC-signed cookie holding the login, the role, when the session began,
when it was last used and a random nonce; and CSRF tokens bound to that nonce.

The cookie is `s1.<base64url JSON>.<mac>`; it is refused when its MAC does not verify, when it
was idle longer than `idle_s` or began longer than `absolute_s` ago. Each request renews the
"last used" time (a new cookie). Logging out deletes the cookie and revokes its nonce in this
process; the idle limit bounds what a copied cookie is worth elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from dataclasses import dataclass, replace

SESSION_COOKIE = "aad_hotline"
LOGIN_COOKIE = "aad_hotline_connexion"
_MAX_TOKEN = 600


@dataclass(frozen=True)
class ConsoleSession:
    """A logged-in hotline account, as the cookie says."""

    login: str
    role: str
    started: int
    seen: int
    nonce: str

    @property
    def admin(self) -> bool:
        """True for the programme team's accounts."""
        return self.role == "admin"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(secret: bytes, purpose: str, payload: str) -> str:
    return _b64(hmac.new(secret, f"{purpose}:{payload}".encode(), hashlib.sha256).digest())


class SessionSigner:
    """Signs and checks session cookies and CSRF tokens with the web app's secret."""

    def __init__(self, secret: bytes, idle_s: int = 30 * 60, absolute_s: int = 10 * 3600) -> None:
        self._secret = secret
        self.idle_s = idle_s
        self.absolute_s = absolute_s
        self._revoked: set[str] = set()
        self._lock = threading.Lock()

    def new(self, login: str, role: str, now: float | None = None) -> ConsoleSession:
        """A fresh session (new nonce) for an account that just logged in."""
        moment = int(time.time() if now is None else now)
        return ConsoleSession(login, role, moment, moment, secrets.token_urlsafe(18))

    def touch(self, session: ConsoleSession, now: float | None = None) -> ConsoleSession:
        """The same session, used now."""
        return replace(session, seen=int(time.time() if now is None else now))

    def dump(self, session: ConsoleSession) -> str:
        """The cookie value of `session`."""
        payload = _b64(
            json.dumps(
                {
                    "l": session.login,
                    "r": session.role,
                    "d": session.started,
                    "v": session.seen,
                    "n": session.nonce,
                },
                separators=(",", ":"),
            ).encode()
        )
        return f"s1.{payload}.{_mac(self._secret, 'session', payload)}"

    def load(self, token: str | None, now: float | None = None) -> ConsoleSession | None:
        """The session of a valid, unexpired, unrevoked cookie; None for anything else."""
        if not token or len(token) > _MAX_TOKEN:
            return None
        parts = token.split(".")
        if len(parts) != 3 or parts[0] != "s1":
            return None
        if not hmac.compare_digest(_mac(self._secret, "session", parts[1]), parts[2]):
            return None
        try:
            data = json.loads(_unb64(parts[1]))
            session = ConsoleSession(
                str(data["l"]), str(data["r"]), int(data["d"]), int(data["v"]), str(data["n"])
            )
        except (ValueError, KeyError, TypeError):
            return None
        moment = time.time() if now is None else now
        if moment - session.seen > self.idle_s or moment - session.started > self.absolute_s:
            return None
        if session.seen < session.started or session.seen > moment + 60:
            return None
        with self._lock:
            if session.nonce in self._revoked:
                return None
        return session

    def revoke(self, session: ConsoleSession) -> None:
        """Refuse this session's cookie from now on (logout), in this process."""
        with self._lock:
            if len(self._revoked) > 10_000:
                self._revoked.clear()  # bounded memory; the idle limit still applies
            self._revoked.add(session.nonce)

    def csrf_token(self, session: ConsoleSession) -> str:
        """The synchronizer token of the console's forms, bound to the session's nonce."""
        return _mac(self._secret, "csrf", session.nonce)

    def check_csrf(self, session: ConsoleSession, token: str | None) -> bool:
        """True when `token` is this session's CSRF token."""
        return bool(token) and hmac.compare_digest(self.csrf_token(session), str(token))

    def login_token(self, seed: str) -> str:
        """The login form's token, bound to the random seed held in LOGIN_COOKIE."""
        return _mac(self._secret, "login", seed)

    def check_login_token(self, seed: str | None, token: str | None) -> bool:
        """True when the login form's token matches its cookie (double submit, signed)."""
        if not seed or not token or len(seed) > 100:
            return False
        return hmac.compare_digest(self.login_token(seed), str(token))
