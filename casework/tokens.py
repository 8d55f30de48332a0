"""Opaque API tokens: a random secret for the client, only its SHA-256 in the database.

The token carries nothing (before, it was a signed `{"uid", "pw": <part of the password
hash>}` that anyone holding it could read). A fast hash is enough here because the secret
is 256 random bits, not a password. Tokens expire (`Settings.api_token_hours`), can be
revoked one by one, and all of a user's tokens end on a password change. Times are read
from the engine clock passed in by the caller. The caller commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework import audit
from casework.models import ApiToken, User
from domain.errors import NotFound
from engine.db import as_utc

# last_used_at is written at most this often per token (one write per request otherwise).
TOUCH_SECONDS = 60
MAX_SECRET = 200


@dataclass(frozen=True)
class Issued:
    token: ApiToken
    secret: str


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def issue(
    session: Session,
    user: User,
    now: datetime,
    *,
    lifetime: timedelta,
    label: str = "",
    ip: str = "",
) -> Issued:
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=digest(secret),
        label=(label or "")[:100],
        ip=(ip or "")[:45],
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(token)
    session.flush()
    audit.record(session, user, "token.issue", target=f"token:{token.id}", ip=ip)
    return Issued(token, secret)


def is_live(token: ApiToken, now: datetime) -> bool:
    return token.revoked_at is None and as_utc(token.expires_at) > now


def authenticate(session: Session, secret: str, now: datetime) -> tuple[User, ApiToken] | None:
    """The active user and live token for `secret`, else None. Marks the token used."""
    if not secret or len(secret) > MAX_SECRET:
        return None
    token = session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or not is_live(token, now):
        return None
    user = session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    last = as_utc(token.last_used_at)
    if last is None or (now - last).total_seconds() >= TOUCH_SECONDS:
        token.last_used_at = now
    return user, token


def list_for(session: Session, user: User) -> list[ApiToken]:
    """The user's tokens, newest first (expired and revoked ones too, marked as such)."""
    return list(
        session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke(session: Session, user: User, token_id: int, now: datetime, *, ip: str = "") -> ApiToken:
    """Revoke one of the user's own tokens; another user's token is "not found"."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound("令牌不存在")
    if token.revoked_at is None:
        token.revoked_at = now
        audit.record(session, user, "token.revoke", target=f"token:{token.id}", ip=ip)
    return token


def revoke_all(session: Session, user: User, now: datetime, *, ip: str = "") -> int:
    """End every live token of the user (password change); returns how many."""
    result = session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    count = result.rowcount or 0
    if count:
        audit.record(
            session,
            user,
            "token.revoke_all",
            target=f"user:{user.id}",
            detail={"count": count},
            ip=ip,
        )
    return count


def as_dict(token: ApiToken, now: datetime, current_id: int | None = None) -> dict:
    """The token as the API lists it: never the secret, nor its hash."""

    def stamp(moment: datetime | None) -> str | None:
        return as_utc(moment).isoformat() if moment is not None else None

    return {
        "id": token.id,
        "label": token.label,
        "ip": token.ip,
        "created_at": stamp(token.created_at),
        "last_used_at": stamp(token.last_used_at),
        "expires_at": stamp(token.expires_at),
        "revoked_at": stamp(token.revoked_at),
        "active": is_live(token, now),
        "current": token.id == current_id,
    }
