"""Server-side web sessions (Flask-Session): the browser holds only a random session id.

Why server-side: with Flask's signed-cookie sessions a cookie captured before logout kept
working afterwards and a saved cookie could replay a captcha. Here the data lives in our
database (`web_session`, the default) or in Redis (when `REDIS_URL` is set), so ending a
session means deleting its record: logout, a password change (every session of the user)
and expiry. Flask-Session supplies the cookie handling, id generation and serialization
(`ServerSideSessionInterface`) and the Redis backend; we add

- idle and absolute limits measured on the engine clock (`_created` / `_seen` in the data;
  `_seen` is refreshed at most once a minute, so a session may end up to a minute early),
- `end_user_sessions(user_id)`, which needs an index of sessions per user (a column in
  the database, a set per user in Redis),
- `renew(session)`: a new id for the same browser (login, logout: no fixation).

Only non-empty sessions are stored, so anonymous page views write nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, flash, g, request
from flask_session.base import ServerSideSession, ServerSideSessionInterface
from flask_session.redis import RedisSessionInterface
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from casework.models import WebSession

CREATED = "_created"
SEEN = "_seen"
USER_KEY = "_user_id"  # where Flask-Login keeps the signed-in user's id
TOUCH_SECONDS = 60.0

Clock = Callable[[], datetime]


class ExpiringSessions:
    """Mixin over a Flask-Session interface: idle/absolute expiry, per-user end, renew."""

    now: Clock
    idle: timedelta
    lifetime: timedelta

    def configure_expiry(self, now: Clock, idle: timedelta, lifetime: timedelta) -> None:
        self.now, self.idle, self.lifetime = now, idle, lifetime

    def _seconds(self) -> float:
        return self.now().timestamp()

    def is_expired(self, data: dict, at: float) -> bool:
        created, seen = data.get(CREATED), data.get(SEEN)
        if created is None or seen is None:
            return False
        return (
            at - float(seen) > self.idle.total_seconds()
            or at - float(created) > self.lifetime.total_seconds()
        )

    def expires_at(self, data: dict) -> datetime:
        """The engine-clock moment the session dies if no request comes in between."""
        at = self._seconds()
        created = float(data.get(CREATED, at))
        seen = float(data.get(SEEN, at))
        end = min(seen + self.idle.total_seconds(), created + self.lifetime.total_seconds())
        return self.now() + timedelta(seconds=end - at)

    def open_session(self, app: Flask, request) -> ServerSideSession:
        session = super().open_session(app, request)  # type: ignore[misc]
        if session and self.is_expired(dict(session), self._seconds()):
            self._delete_session(self._get_store_id(session.sid))  # type: ignore[attr-defined]
            g.session_expired = True
            session = self.session_class(  # type: ignore[attr-defined]
                sid=self._generate_sid(self.sid_length),  # type: ignore[attr-defined]
                permanent=self.permanent,  # type: ignore[attr-defined]
            )
        # A session read from the store is only ever updated, never written anew: if a
        # concurrent request ended it meanwhile (logout, password change), this request's
        # copy must not bring it back.
        session.from_store = bool(session)
        return session

    def save_session(self, app: Flask, session: ServerSideSession, response) -> None:
        if session:
            at = self._seconds()
            if CREATED not in session:
                session[CREATED] = at
                session[SEEN] = at
            elif at - float(session.get(SEEN, 0)) >= TOUCH_SECONDS:
                session[SEEN] = at
        super().save_session(app, session, response)  # type: ignore[misc]

    def renew(self, session: ServerSideSession) -> None:
        """A new id (the old record is deleted); the lifetime starts again."""
        self._delete_session(self._get_store_id(session.sid))  # type: ignore[attr-defined]
        session.sid = self._generate_sid(self.sid_length)  # type: ignore[attr-defined]
        session.pop(CREATED, None)
        session.pop(SEEN, None)
        session.modified = True
        session.from_store = False  # the new id's record is to be created
        self._delete_expired_sessions()  # type: ignore[attr-defined]

    def end_user_sessions(self, user_id: int, keep_sid: str | None = None) -> int:
        raise NotImplementedError


class DatabaseSessionInterface(ExpiringSessions, ServerSideSessionInterface):
    """Sessions in the `web_session` table, over our own engine and session factory.

    Flask-Session's own SQLAlchemy backend needs Flask-SQLAlchemy and its own table
    definition; ours keeps the table in our models and migrations and our clock.
    """

    ttl = False  # expired rows are removed by `_delete_expired_sessions` (on login/logout)

    def __init__(self, app: Flask, factory: sessionmaker[Session], **kwargs) -> None:
        self.factory = factory
        super().__init__(app, **kwargs)

    def _retrieve_session_data(self, store_id: str) -> dict | None:
        with self.factory() as db:
            row = db.scalar(select(WebSession).where(WebSession.session_id == store_id))
            # An expired row is judged (and deleted) by ExpiringSessions.open_session, which
            # also tells the user why; `expiry` serves the clean-up.
            return None if row is None else self.serializer.decode(row.data)

    def _delete_session(self, store_id: str) -> None:
        with self.factory.begin() as db:
            db.execute(delete(WebSession).where(WebSession.session_id == store_id))

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        data = self.serializer.encode(session)
        user_id = _user_id(session)
        expiry = self.expires_at(dict(session))
        with self.factory.begin() as db:
            row = db.scalar(select(WebSession).where(WebSession.session_id == store_id))
            if row is None and getattr(session, "from_store", False):
                return  # ended by another request meanwhile: stays ended
            if row is None:
                db.add(WebSession(session_id=store_id, data=data, expiry=expiry, user_id=user_id))
            else:
                row.data, row.expiry, row.user_id = data, expiry, user_id

    def _delete_expired_sessions(self) -> None:
        with self.factory.begin() as db:
            db.execute(delete(WebSession).where(WebSession.expiry <= self.now()))

    def save_session(self, app: Flask, session: ServerSideSession, response) -> None:
        # The request's own database session (webapp.extensions.db) may still hold an open
        # transaction; on SQLite that is a write lock our separate connection would wait on.
        # Whatever the view did not commit is rolled back at teardown anyway.
        pending = g.get("db")
        if pending is not None:
            pending.rollback()
        super().save_session(app, session, response)

    def end_user_sessions(self, user_id: int, keep_sid: str | None = None) -> int:
        query = delete(WebSession).where(WebSession.user_id == user_id)
        if keep_sid is not None:
            query = query.where(WebSession.session_id != self._get_store_id(keep_sid))
        with self.factory.begin() as db:
            return db.execute(query).rowcount or 0


class RedisSessions(ExpiringSessions, RedisSessionInterface):
    """Flask-Session's Redis backend plus a set of session ids per user."""

    def _user_set(self, user_id: int | str) -> str:
        return f"{self.key_prefix}user:{user_id}"

    def _upsert_session(
        self, session_lifetime: timedelta, session: ServerSideSession, store_id: str
    ) -> None:
        # As RedisSessionInterface does, but XX (update only) for a session read from the
        # store, so that one ended meanwhile by another request stays ended.
        written = self.client.set(
            name=store_id,
            value=self.serializer.encode(session),
            ex=int(session_lifetime.total_seconds()),
            xx=bool(getattr(session, "from_store", False)),
        )
        if not written:
            return
        user_id = _user_id(session)
        if user_id is not None:
            key = self._user_set(user_id)
            self.client.sadd(key, store_id)
            self.client.expire(key, int(self.lifetime.total_seconds()) + 60)

    def end_user_sessions(self, user_id: int, keep_sid: str | None = None) -> int:
        key = self._user_set(user_id)
        keep = self._get_store_id(keep_sid) if keep_sid else None
        ended = 0
        for raw in self.client.smembers(key):
            store_id = raw.decode() if isinstance(raw, bytes) else str(raw)
            if store_id == keep:
                continue
            ended += int(self.client.delete(store_id) or 0)
            self.client.srem(key, store_id)
        return ended


def _user_id(session: ServerSideSession) -> int | None:
    raw = dict(session).get(USER_KEY)
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def interface(app: Flask) -> ExpiringSessions:
    return app.session_interface  # type: ignore[return-value]


def _say_it_expired() -> None:
    """The page the user lands on next says why they must sign in again."""
    if g.get("session_expired") and request.blueprint not in ("api", None):
        flash("登录已超时，请重新登录", "info")


def init_app(app: Flask) -> None:
    """Install the store: Redis when `REDIS_URL` is set, else the database."""
    system = app.extensions["quotacert"]
    settings = system.settings
    idle = timedelta(minutes=settings.session_idle_minutes)
    lifetime = timedelta(hours=settings.session_lifetime_hours)
    if settings.session_cookie_secure:  # Flask's own default is False; a test may set True
        app.config["SESSION_COOKIE_SECURE"] = True
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = app.config.get("SESSION_COOKIE_SAMESITE") or "Lax"
    # Only changed sessions are written; the expiry is ours, not a refreshed cookie date.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.permanent_session_lifetime = lifetime
    options = {
        "key_prefix": "quotacert:session:",
        "permanent": False,  # a browser-session cookie; the server decides when it ends
        "sid_length": 32,
    }
    store: ExpiringSessions
    if settings.redis_url:
        from redis import Redis

        store = RedisSessions(app, client=Redis.from_url(settings.redis_url), **options)
    else:
        store = DatabaseSessionInterface(app, system.session_factory, **options)
    store.configure_expiry(system.runtime.clock.now, idle, lifetime)
    app.session_interface = store  # type: ignore[assignment]
    app.before_request(_say_it_expired)
