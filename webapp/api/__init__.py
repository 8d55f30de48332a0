"""JSON API under /api/v1: the same commands and the same authorization as the pages.

Clients authenticate with `Authorization: Bearer <token>` (from POST /api/v1/auth/login);
the browser's own fetches may use the session cookie instead, and then a state-changing
request must carry the CSRF token in `X-CSRFToken`. Errors are JSON with a Chinese
`error` and, for bad input, one Chinese message per field in `fields`. What each operation
accepts and answers is declared once (`webapp.api.spec.declare` over `casework.schemas`),
which validates the request and generates the OpenAPI document.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from datetime import timedelta
from functools import wraps

from flask import Blueprint, Flask, g, jsonify, request
from flask_login import current_user

from casework import tokens
from domain.errors import Conflict, DomainError, FieldErrors, NotFound
from webapp.extensions import client_ip, csrf, db, system

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Endpoints anyone may call without a token; a browser's session cookie gives them no
# authority, so they need no CSRF header either (e.g. the 残保金 estimate, logging in).
PUBLIC_ENDPOINTS = {"api.levy_estimate", "api.reward_estimate", "api.auth_login", "api.auth_captcha", "api.region_children", "api.openapi_json",
                    "api.verify_certificate"}


class ApiError(Exception):
    def __init__(self, status: int, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.fields = status, message, fields or {}


def error(status: int, message: str, fields: dict[str, str] | None = None):
    body: dict = {"error": message}
    if fields:
        body["fields"] = fields
    return jsonify(body), status


def issue_token(user, label: str = "") -> str:
    """A new opaque bearer token for `user` (only its hash is stored; casework.tokens).

    The secret is returned once; the row keeps who, when, from where and until when.
    """
    now = system().runtime.clock.now()
    hours = system().settings.api_token_hours
    issued = tokens.issue(
        db(), user, now, lifetime=timedelta(hours=hours), label=label, ip=client_ip()
    )
    g.api_token = issued.token
    return issued.secret


def _user_from_token(token: str):
    """The user of a live token, or None; `g.api_token` is the token's row."""
    found = tokens.authenticate(db(), token, system().runtime.clock.now())
    if found is None:
        db().rollback()
        return None
    user, row = found
    g.api_token = row
    if db().dirty:  # last_used_at moved (at most once a minute): keep it
        db().commit()
    return user


def api_token():
    """The token row this request authenticated with, or None (cookie or anonymous)."""
    return g.get("api_token")


def api_user():
    """The authenticated user of this API request, or None."""
    return g.get("api_user")


def login_required(*roles: str, allowed: Callable[[], Collection[str]] | None = None) -> Callable:
    """Require an authenticated user (optionally one of `roles`, or of the roles `allowed()`
    names at request time, e.g. the lane table's staff roles); 401/403 as JSON."""

    def decorator(fn: Callable) -> Callable:
        @wraps(fn)
        def wrapper(*args, **kwargs):
            user = api_user()
            if user is None:
                return error(401, "请先登录")
            permitted = allowed() if allowed is not None else roles
            if permitted and user.role not in permitted:
                return error(403, "无权执行此操作")
            return fn(*args, **kwargs)

        return wrapper

    return decorator


@bp.before_request
def _authenticate() -> None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        g.api_user = _user_from_token(header[7:].strip())
        if g.api_user is None:
            raise ApiError(401, "登录已失效，请重新登录")
        return
    g.api_user = current_user if current_user.is_authenticated else None
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    if g.api_user is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()  # cookie-authenticated writes need the CSRF header


@bp.errorhandler(ApiError)
def _api_error(exc: ApiError):
    return error(exc.status, exc.message, exc.fields)


@bp.errorhandler(DomainError)
def _domain_error(exc: DomainError):
    if isinstance(exc, NotFound):
        return error(404, exc.message)
    if isinstance(exc, Conflict):
        return error(409, exc.message)
    if isinstance(exc, FieldErrors):
        return error(400, "输入有误", exc.errors)
    fields = {exc.field: exc.message} if exc.field else None
    return error(400, exc.message, fields)


def init_app(app: Flask) -> None:
    from webapp.api import (
        openapi,  # noqa: F401  (registers /openapi.json)
        registry,  # noqa: F401  (API modules register routes on import)
    )

    csrf.exempt(bp)
    app.register_blueprint(bp)
