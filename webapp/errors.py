"""Chinese error pages (HTML) and JSON errors under /api/, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.routing import IntegerConverter

from casework.schemas.types import DB_INT_MAX
from casework.scope import Forbidden
from domain.errors import Conflict, DomainError, FieldErrors, NotFound

log = logging.getLogger(__name__)

TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问",
    404: "页面不存在",
    405: "不支持的请求方式",
    409: "业务已被他人处理",
    413: "上传的文件过大",
    429: "操作过于频繁",
    500: "系统繁忙",
}
MESSAGES = {
    400: "提交的内容有误，请检查后重试。",
    401: "请先登录后再访问。",
    403: "您没有权限访问此页面。",
    404: "您访问的页面或记录不存在，或不在您的管辖范围内。",
    405: "该地址不支持此请求方式。",
    413: "上传的文件过大，请压缩或拆分后再上传（单个文件一般不超过10MB）。",
    429: "操作过于频繁，请稍后再试。",
    500: "系统暂时无法处理您的请求，请稍后重试。如多次出现，请联系当地残联。",
}
CSRF_MESSAGE = "页面已过期，请刷新后重试"


def wants_json() -> bool:
    return request.path.startswith("/api/")


def respond(status: int, message: str | None = None, fields: dict[str, str] | None = None):
    text = message or MESSAGES.get(status, TITLES.get(status, "请求失败"))
    if wants_json():
        body: dict = {"error": text}
        if fields:
            body["fields"] = fields
        return make_response(jsonify(body), status)
    title = TITLES.get(status, "请求失败")
    return make_response(
        render_template("errors/error.html", status=status, title=title, message=text), status
    )


def _http(exc: HTTPException):
    status = exc.code or 500
    message = None
    if status == 403 and exc.description and exc.description != type(exc).description:
        message = exc.description
    if status == 405:
        return respond(405)  # never the framework's English description
    response = respond(status, message)
    if status == 429:
        response.headers.setdefault("Retry-After", "60")
    return response


def _csrf(_exc: CSRFError):
    return respond(400, CSRF_MESSAGE)


def _internal(exc: InternalServerError):
    original = getattr(exc, "original_exception", None)
    if original is not None:
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
    return respond(500)


class BoundedJSONProvider(DefaultJSONProvider):
    """JSON whose nesting is too deep for Python's parser (it raises RecursionError, not
    ValueError) is treated as invalid JSON, so every `get_json` answers 400, not 500."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


class DatabaseIdConverter(IntegerConverter):
    """`<int:…>` in every route (pages and API): 1…2³¹−1, the range of the database's
    INTEGER ids; anything else does not match the route (404) instead of overflowing
    the database driver."""

    def __init__(self, url_map: Any, fixed_digits: int = 0, min: int | None = 1,
                 max: int | None = DB_INT_MAX, signed: bool = False) -> None:  # noqa: A002
        super().__init__(url_map, fixed_digits, min, max, signed)


LIST_ARGS = ("page", "per_page", "q")


def _check_list_args():
    """`page`, `per_page` and the search text `q` mean the same on every list, page or
    API, and are checked by the one declaration (`SearchQuery`: page 1…2³¹−1, per_page
    1…100, q at most 100 characters). The API refuses a bad value with a Chinese 400 (as
    its OpenAPI document says); a page clamps a bad page number — a bad or stale link
    shows the first page — by dropping it before the view reads it, and refuses a search
    text too long to search for."""
    if not any(key in request.args for key in LIST_ARGS):
        return None
    from werkzeug.datastructures import ImmutableMultiDict

    from casework.schemas import parse
    from casework.schemas.common import SearchQuery

    args = {key: request.args.getlist(key) for key in LIST_ARGS if key in request.args}
    try:
        parse(SearchQuery, {k: v[0] if len(v) == 1 else v for k, v in args.items()}, strict=False)
    except FieldErrors as exc:
        if wants_json() or "q" in exc.errors:
            return respond(400, exc.message, exc.errors)
        kept = [(k, v) for k, v in request.args.items(multi=True) if k not in exc.errors]
        request.args = ImmutableMultiDict(kept)
    return None


def init_app(app: Flask) -> None:
    # before any blueprint registers its routes, so that their <int:…> use the bounds
    app.url_map.converters["int"] = DatabaseIdConverter
    app.json = BoundedJSONProvider(app)
    app.before_request(_check_list_args)
    for status in (400, 401, 403, 404, 405, 413, 429):
        app.register_error_handler(status, _http)
    app.register_error_handler(CSRFError, _csrf)
    app.register_error_handler(InternalServerError, _internal)
    app.register_error_handler(NotFound, lambda exc: respond(404, exc.message))
    app.register_error_handler(Conflict, lambda exc: respond(409, exc.message))
    app.register_error_handler(Forbidden, lambda exc: respond(403, exc.message))
    app.register_error_handler(FieldErrors, lambda exc: respond(400, "输入有误", exc.errors))
    app.register_error_handler(
        DomainError,
        lambda exc: respond(400, exc.message, {exc.field: exc.message} if exc.field else None),
    )
    app.register_error_handler(StaleDataError, _stale)


def _stale(_exc: StaleDataError):
    """Two people acted on one case at the same moment and the other one was first: the
    step wrote nothing; say so instead of a server error."""
    from webapp.extensions import db

    db().rollback()
    return respond(409, "该业务刚被他人处理，请刷新页面后重试")
