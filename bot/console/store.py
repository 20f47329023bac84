"""What the console keeps in the intake database: login links, sessions and passwords.

Secrets never reach the database in the clear: a login link's token and a session's cookie are
stored as their SHA-256 (both are 256-bit random values, so a hash is enough), and passwords as
scrypt hashes with a random salt. A login link works once: it is spent by a single conditional
UPDATE, so two browsers racing with the same link cannot both get in.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from intake import Role, UserView
from intake.clock import utcnow
from intake.database import session_factory
from intake.models import ConsoleLoginToken, ConsolePassword, ConsoleSession, User

LINK_LIFETIME = timedelta(minutes=10)
SESSION_LIFETIME = timedelta(hours=12)

# scrypt parameters: 16 MiB of memory per hash, about 50 ms on a small server.
_SCRYPT_N = 2**14
_SCRYPT_R = 8
_SCRYPT_P = 1
_SCRYPT_LEN = 32


def digest(secret: str) -> str:
    """The SHA-256 of a random token, as stored in place of the token."""
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password``, with its parameters, for storing."""
    salt = secrets.token_bytes(16)
    key = _scrypt(password, salt, _SCRYPT_N, _SCRYPT_R, _SCRYPT_P)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${key.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a hash made by :func:`hash_password`."""
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        computed = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(computed.hex(), key)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, dklen=_SCRYPT_LEN, maxmem=64 * 1024 * 1024
    )


class LinkState(StrEnum):
    """What a login link is worth."""

    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


@dataclass(frozen=True)
class SessionInfo:
    """A signed-in browser: who, its CSRF token and when it ends."""

    user_id: int
    csrf_token: str
    expires_at: datetime


@dataclass(frozen=True)
class PasswordLogin:
    """A staff member's password login (the hash is never handed out)."""

    user_id: int
    login: str
    set_at: datetime


class ConsoleStore:
    """Login links, sessions and passwords of the staff console.

    Args:
        engine: The (migrated) intake database.
        clock: Returns the current instant (timezone-aware).

    """

    def __init__(self, engine: AsyncEngine, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._sessions = session_factory(engine)
        self._clock = clock

    # People ---------------------------------------------------------------------------------

    async def user_by_telegram(self, telegram_id: int) -> UserView | None:
        """The intake user with this Telegram id, without registering anyone."""
        async with self._sessions() as session:
            user = (
                await session.scalars(select(User).where(User.telegram_id == telegram_id))
            ).one_or_none()
            return user.to_view() if user is not None else None

    async def staff(self) -> tuple[UserView, ...]:
        """Everyone with a staff role, by role and then name."""
        staff_roles = [role for role in Role if role.is_staff]
        async with self._sessions() as session:
            users = await session.scalars(
                select(User).where(User.role.in_(staff_roles)).order_by(User.role, User.id)
            )
            return tuple(user.to_view() for user in users)

    # Login links ----------------------------------------------------------------------------

    async def issue_link_token(self, user_id: int) -> str:
        """A new one-time token for ``user_id``, valid for ten minutes; expired ones are purged."""
        token = secrets.token_urlsafe(32)
        now = self._now()
        async with self._sessions.begin() as session:
            await session.execute(
                delete(ConsoleLoginToken).where(ConsoleLoginToken.expires_at < now)
            )
            session.add(
                ConsoleLoginToken(
                    token_hash=digest(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + LINK_LIFETIME,
                )
            )
        return token

    async def link_state(self, token: str) -> LinkState:
        """What the token is worth, without spending it."""
        async with self._sessions() as session:
            row = await session.get(ConsoleLoginToken, digest(token))
        if row is None:
            return LinkState.UNKNOWN
        if row.used_at is not None:
            return LinkState.USED
        if row.expires_at <= self._now():
            return LinkState.EXPIRED
        return LinkState.VALID

    async def spend_link_token(self, token: str) -> int | None:
        """Spend a valid token: the user it was issued to, or ``None`` if it is not valid."""
        now = self._now()
        token_hash = digest(token)
        async with self._sessions.begin() as session:
            spent = await session.execute(
                update(ConsoleLoginToken)
                .where(
                    ConsoleLoginToken.token_hash == token_hash,
                    ConsoleLoginToken.used_at.is_(None),
                    ConsoleLoginToken.expires_at > now,
                )
                .values(used_at=now)
                .returning(ConsoleLoginToken.user_id)
            )
            return spent.scalar_one_or_none()

    # Sessions -------------------------------------------------------------------------------

    async def open_session(self, user_id: int) -> str:
        """Start a session for ``user_id``; returns the cookie value (stored only hashed)."""
        cookie = secrets.token_urlsafe(32)
        now = self._now()
        async with self._sessions.begin() as session:
            await session.execute(delete(ConsoleSession).where(ConsoleSession.expires_at < now))
            session.add(
                ConsoleSession(
                    id_hash=digest(cookie),
                    user_id=user_id,
                    csrf_token=secrets.token_urlsafe(32),
                    created_at=now,
                    expires_at=now + SESSION_LIFETIME,
                )
            )
        return cookie

    async def session(self, cookie: str) -> SessionInfo | None:
        """The live session behind a cookie value, if any."""
        async with self._sessions() as session:
            row = await session.get(ConsoleSession, digest(cookie))
        if row is None or row.expires_at <= self._now():
            return None
        return SessionInfo(row.user_id, row.csrf_token, row.expires_at)

    async def close_session(self, cookie: str) -> None:
        """End a session (logging out); nothing happens if there is none."""
        async with self._sessions.begin() as session:
            await session.execute(
                delete(ConsoleSession).where(ConsoleSession.id_hash == digest(cookie))
            )

    async def close_sessions_of(self, user_id: int) -> None:
        """End every session of a person (e.g. when they are no longer staff)."""
        async with self._sessions.begin() as session:
            await session.execute(delete(ConsoleSession).where(ConsoleSession.user_id == user_id))

    # Passwords ------------------------------------------------------------------------------

    async def set_password(self, user_id: int, login: str, password: str, set_by: int) -> bool:
        """Give ``user_id`` a login name and password, replacing any earlier one.

        Returns:
            ``False`` if the login name is taken by someone else.

        """
        hashed = hash_password(password)
        try:
            async with self._sessions.begin() as session:
                taken = (
                    await session.scalars(
                        select(ConsolePassword).where(
                            ConsolePassword.login == login, ConsolePassword.user_id != user_id
                        )
                    )
                ).one_or_none()
                if taken is not None:
                    return False
                row = await session.get(ConsolePassword, user_id)
                if row is None:
                    row = ConsolePassword(user_id=user_id)
                    session.add(row)
                row.login = login
                row.password_hash = hashed
                row.set_by_id = set_by
                row.set_at = self._now()
        except IntegrityError:
            return False
        return True

    async def remove_password(self, user_id: int) -> None:
        """Take away a person's password login."""
        async with self._sessions.begin() as session:
            await session.execute(delete(ConsolePassword).where(ConsolePassword.user_id == user_id))

    async def check_password(self, login: str, password: str) -> int | None:
        """The user whose login name and password these are, or ``None``."""
        async with self._sessions() as session:
            row = (
                await session.scalars(select(ConsolePassword).where(ConsolePassword.login == login))
            ).one_or_none()
        if row is None:
            # Spend the same time as a real check, so login names cannot be probed by timing.
            verify_password(password, _dummy_hash())
            return None
        return row.user_id if verify_password(password, row.password_hash) else None

    async def password_logins(self) -> dict[int, PasswordLogin]:
        """Every password login, by user id."""
        async with self._sessions() as session:
            rows = await session.scalars(select(ConsolePassword))
            return {row.user_id: PasswordLogin(row.user_id, row.login, row.set_at) for row in rows}

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware instants")
        return now.astimezone(UTC)


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))
