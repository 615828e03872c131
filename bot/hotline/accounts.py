"""Hotline staff accounts: creation, password check with lockout.

Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile) and
never stored or logged in clear. After `MAX_FAILED_LOGINS` consecutive failures an account is
locked for `LOCKOUT`; a success resets the count. The count lives in the database, so it holds
across web servers (RASA_NOTES: no rate-limit library fits Rasa's pins).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.booking.db import ensure_schema
from bot.booking.models import utc_now
from bot.hotline.models import ROLES, HotlineUser

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
_LOGIN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,99}$")


class AccountError(ValueError):
    """A bad account request; the message is French, for the operator."""


@dataclass(frozen=True)
class Account:
    """A staff account as the console sees it (no hash)."""

    login: str
    role: str
    locked_until: datetime | None


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def _check_login(login: str) -> str:
    login = login.strip().lower()
    if not _LOGIN.match(login):
        raise AccountError(
            "Identifiant invalide : 2 à 100 caractères, lettres minuscules, chiffres, « . », « _ » "
            "ou « - », en commençant par une lettre ou un chiffre."
        )
    return login


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"Mot de passe trop court : {MIN_PASSWORD_LENGTH} caractères au moins.")
    if password.strip() != password or not password.isprintable():
        raise AccountError(
            "Le mot de passe ne doit ni commencer ni finir par une espace, ni contenir de "
            "caractère de contrôle."
        )


def add_user(login: str, password: str, role: str = "agent", url: str | None = None) -> Account:
    """Create an account; AccountError (French) for a bad login, password, role or a duplicate."""
    login = _check_login(login)
    _check_password(password)
    if role not in ROLES:
        raise AccountError(f"Rôle inconnu « {role} » : agent ou admin.")
    engine = ensure_schema(url)
    try:
        with Session(engine) as session, session.begin():
            session.add(HotlineUser(login=login, password_hash=_hasher().hash(password), role=role))
    except IntegrityError:
        raise AccountError(f"L'identifiant « {login} » existe déjà.") from None
    return Account(login, role, None)


def set_password(login: str, password: str, url: str | None = None) -> None:
    """Replace an account's password and unlock it; AccountError when unknown."""
    login = _check_login(login)
    _check_password(password)
    engine = ensure_schema(url)
    with Session(engine) as session, session.begin():
        changed = session.execute(
            update(HotlineUser)
            .where(HotlineUser.login == login)
            .values(password_hash=_hasher().hash(password), failed_logins=0, locked_until=None)
        ).rowcount
    if not changed:
        raise AccountError(f"Aucun compte « {login} ».")


def list_users(url: str | None = None) -> list[Account]:
    """Every account, by login."""
    engine = ensure_schema(url)
    with Session(engine) as session:
        rows = session.execute(select(HotlineUser).order_by(HotlineUser.login)).scalars()
        return [Account(u.login, u.role, u.locked_until) for u in rows]


def authenticate(
    login: str, password: str, url: str | None = None, now: datetime | None = None
) -> Account | None:
    """The account when the password is right and the account not locked; None otherwise.

    A wrong password counts one failure (the lock starts at the limit); the same answer is
    given for an unknown login, a wrong password and a locked account.
    """
    now = now or utc_now()
    try:
        login = _check_login(login)
    except AccountError:
        return None
    engine = ensure_schema(url)
    with Session(engine) as session, session.begin():
        user = session.execute(
            select(HotlineUser).where(HotlineUser.login == login)
        ).scalar_one_or_none()
        if user is None:
            _hasher().hash(password)  # same cost as a real check: no timing oracle on logins
            return None
        if user.locked_until is not None and user.locked_until > now:
            return None
        try:
            _hasher().verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + LOCKOUT
                user.failed_logins = 0
            return None
        user.failed_logins = 0
        user.locked_until = None
        if _hasher().check_needs_rehash(user.password_hash):
            user.password_hash = _hasher().hash(password)
        return Account(user.login, user.role, None)
