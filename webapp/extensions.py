"""Per-request database session, server-side web sessions, login manager, CSRF and the
login rate limiter."""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy.orm import Session

from casework.system import System

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def system() -> System:
    return current_app.extensions["quotacert"]


def db() -> Session:
    """The request's session; commands commit it, anything else is rolled back."""
    if "db" not in g:
        g.db = system().session()
    return g.db


def client_ip() -> str:
    return request.headers.get("X-Forwarded-For", request.remote_addr or "").split(",")[0].strip()


def init_app(app: Flask) -> None:
    from casework.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "请先登录"

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db().get(User, int(user_id))
        return user if user is not None and user.active else None

    from webapp import sessions

    sessions.init_app(app)  # server-side sessions: the database, or Redis with REDIS_URL
    csrf.init_app(app)
    storage = app.extensions["quotacert"].settings.redis_url or "memory://"
    app.config.setdefault("RATELIMIT_STORAGE_URI", storage)
    limiter.init_app(app)

    @app.teardown_appcontext
    def close_db(_exc) -> None:
        session = g.pop("db", None)
        if session is not None:
            session.rollback()
            session.close()
