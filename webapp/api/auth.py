"""API sign-in: captcha (image or arithmetic), login (opaque bearer token), the current
user, and the user's tokens (list, revoke one, log out = revoke the current one)."""

from __future__ import annotations

import base64

from flask import current_app, jsonify, request

from casework import accounts, login_guard, tokens
from casework import captcha as captcha_service
from webapp.api import (
    ApiError,
    api_token,
    api_user,
    bp,
    document,
    issue_token,
    json_body,
    login_required,
    schema,
)
from webapp.auth import LOGIN_LIMIT, captcha_ttl, check_captcha, new_captcha
from webapp.extensions import client_ip, db, limiter, system

MAX_ID = 2**31 - 1  # ids beyond the database's integer range are simply not found

USER = schema(
    "User",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "login": {
                "type": "string",
                "description": "统一社会信用代码（用人单位）或用户名（工作人员）",
            },
            "role": {"type": "string", "enum": list(accounts.ROLE_NAMES)},
            "role_name": {"type": "string"},
            "display_name": {"type": "string"},
            "region_code": {
                "type": "string",
                "description": "管辖区域（6位行政区划代码，空为全国）",
            },
            "region_name": {"type": "string"},
            "unit_id": {"type": ["integer", "null"]},
            "unit_name": {"type": "string"},
        },
    },
)
ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": ERROR}}}


@bp.get("/auth/captcha")
def auth_captcha():
    kind = request.args.get("kind", "image")
    if kind not in captcha_service.KINDS:
        raise ApiError(
            400,
            "验证码类型须为 image 或 arithmetic",
            {"kind": "验证码类型须为 image 或 arithmetic"},
        )
    challenge, shown = new_captcha(kind)
    body = {
        "captcha_id": captcha_service.encode_id(current_app.secret_key, challenge),
        "kind": kind,
        "expires_in": int(captcha_ttl()),
    }
    if kind == "arithmetic":
        body["question"] = shown
    else:
        body["image"] = "data:image/png;base64," + base64.b64encode(shown).decode("ascii")
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store, max-age=0"
    return response


document(
    "/api/v1/auth/captcha",
    "get",
    {
        "tags": ["登录"],
        "summary": "获取验证码",
        "description": "返回不透明的captcha_id，以及验证码图片（kind=image，默认；4位字母或数字的data URL）"
        "或一道文字算术题（kind=arithmetic，无障碍方式，如“7 加 5 等于几？”，答案填数字）；答案不会发给客户端。"
        "每个验证码只能校验一次（无论对错，所有服务进程共用已用记录），有效期5分钟。",
        "security": [],
        "parameters": [
            {
                "name": "kind",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "string",
                    "enum": list(captcha_service.KINDS),
                    "default": "image",
                },
                "description": "image：图形验证码；arithmetic：文字算术题",
            }
        ],
        "responses": {
            "200": {
                "description": "验证码",
                "content": {
                    "application/json": {
                        "schema": schema(
                            "Captcha",
                            {
                                "type": "object",
                                "required": ["captcha_id", "kind"],
                                "properties": {
                                    "captcha_id": {"type": "string"},
                                    "kind": {"type": "string", "enum": list(captcha_service.KINDS)},
                                    "image": {
                                        "type": "string",
                                        "description": "kind=image时：data:image/png;base64,…",
                                    },
                                    "question": {
                                        "type": "string",
                                        "description": "kind=arithmetic时：算术题文字",
                                    },
                                    "expires_in": {"type": "integer", "description": "有效秒数"},
                                },
                            },
                        )
                    }
                },
            }
        },
    },
)


def _check_captcha(body: dict) -> None:
    challenge = captcha_service.decode_id(current_app.secret_key, str(body.get("captcha_id") or ""))
    if challenge is None:
        raise ApiError(400, "验证码已失效，请重新获取", {"captcha": "验证码已失效，请重新获取"})
    check_captcha(challenge, str(body.get("captcha") or ""))


def _notice_dict(notice: login_guard.Notice | None) -> dict | None:
    if notice is None:
        return None
    return {"count": notice.count, "last_ip": notice.last_ip, "last_at": notice.last_at.isoformat()}


@bp.post("/auth/login")
@limiter.limit(LOGIN_LIMIT)
def auth_login():
    body = json_body()
    _check_captcha(body)
    login, password = body.get("login"), body.get("password")
    if not isinstance(login, str) or not isinstance(password, str):
        raise ApiError(400, "请输入账号和密码", {"login": "请输入账号和密码"})
    label = body.get("label")
    if label is not None and not isinstance(label, str):
        raise ApiError(400, "令牌备注须为文字", {"label": "令牌备注须为文字"})
    now = system().runtime.clock.now()
    try:
        user = accounts.authenticate(db(), login, password, now, ip=client_ip())
    except accounts.LoginFailed as exc:
        db().commit()
        raise ApiError(401, exc.message) from None
    notice = login_guard.take_notice(db(), user.login)
    secret = issue_token(user, label=(label or request.user_agent.string or "")[:100])
    expires_at = api_token().expires_at
    db().commit()
    return jsonify(
        {
            "token": secret,
            "token_id": api_token().id,
            "expires_at": expires_at.isoformat(),
            "user": accounts.user_dict(db(), user),
            "failed_attempts": _notice_dict(notice),
        }
    )


document(
    "/api/v1/auth/login",
    "post",
    {
        "tags": ["登录"],
        "summary": "登录并取得令牌",
        "description": "用人单位以统一社会信用代码、工作人员以用户名登录；每次登录须先获取一个新验证码。"
        "同一账号在同一地址连续5次密码错误后该地址提示锁定15分钟，但密码正确（并答对新验证码）仍可登录；"
        "同一账号在一小时内各处累计20次失败后，每10秒只受理一次密码校验。同一地址每分钟最多10次。"
        "令牌为不透明随机串（服务器只存其SHA-256），默认12小时内有效，以 Authorization: Bearer <token> 使用，"
        "可经 /auth/logout 注销；修改密码后全部令牌失效。failed_attempts：上次登录以来失败的尝试（无则为null）。",
        "security": [],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": schema(
                        "LoginRequest",
                        {
                            "type": "object",
                            "required": ["login", "password", "captcha_id", "captcha"],
                            "properties": {
                                "login": {"type": "string"},
                                "password": {"type": "string", "format": "password"},
                                "captcha_id": {"type": "string"},
                                "captcha": {"type": "string"},
                                "label": {
                                    "type": "string",
                                    "maxLength": 100,
                                    "description": "令牌备注（可选，默认为客户端User-Agent）",
                                },
                            },
                        },
                    )
                }
            },
        },
        "responses": {
            "200": {
                "description": "登录成功",
                "content": {
                    "application/json": {
                        "schema": schema(
                            "LoginResponse",
                            {
                                "type": "object",
                                "required": ["token", "token_id", "expires_at", "user"],
                                "properties": {
                                    "token": {"type": "string"},
                                    "token_id": {"type": "integer"},
                                    "expires_at": {"type": "string", "format": "date-time"},
                                    "user": USER,
                                    "failed_attempts": {
                                        "type": ["object", "null"],
                                        "properties": {
                                            "count": {"type": "integer"},
                                            "last_ip": {"type": "string"},
                                            "last_at": {"type": "string", "format": "date-time"},
                                        },
                                    },
                                },
                            },
                        )
                    }
                },
            },
            "400": _error("验证码错误、过期或请求格式有误"),
            "401": _error("账号或密码错误，或账号已锁定"),
            "429": _error("请求过于频繁"),
        },
    },
)


@bp.get("/auth/me")
@login_required()
def auth_me():
    return jsonify(accounts.user_dict(db(), api_user()))


document(
    "/api/v1/auth/me",
    "get",
    {
        "tags": ["登录"],
        "summary": "当前用户",
        "responses": {
            "200": {"description": "当前用户", "content": {"application/json": {"schema": USER}}},
            "401": _error("未登录或令牌失效"),
        },
    },
)


TOKEN = schema(
    "ApiToken",
    {
        "type": "object",
        "description": "API令牌（不含令牌本身）",
        "properties": {
            "id": {"type": "integer"},
            "label": {"type": "string"},
            "ip": {"type": "string", "description": "签发时的客户端地址"},
            "created_at": {"type": "string", "format": "date-time"},
            "last_used_at": {"type": ["string", "null"], "format": "date-time"},
            "expires_at": {"type": "string", "format": "date-time"},
            "revoked_at": {"type": ["string", "null"], "format": "date-time"},
            "active": {"type": "boolean", "description": "未过期且未注销"},
            "current": {"type": "boolean", "description": "本次请求所用的令牌"},
        },
    },
)


@bp.post("/auth/logout")
@login_required()
def auth_logout():
    token = api_token()
    if token is None:
        raise ApiError(400, "本请求未使用令牌；网页登录请使用页面上的“退出”")
    now = system().runtime.clock.now()
    tokens.revoke(db(), api_user(), token.id, now, ip=client_ip())
    db().commit()
    return jsonify({"message": "令牌已注销", "token_id": token.id})


document(
    "/api/v1/auth/logout",
    "post",
    {
        "tags": ["登录"],
        "summary": "注销当前令牌",
        "description": "立即注销本次请求所用的令牌；之后以该令牌的请求均答401。",
        "responses": {
            "200": {"description": "已注销"},
            "400": _error("本请求未使用令牌（网页会话）"),
            "401": _error("未登录或令牌失效"),
        },
    },
)


@bp.get("/auth/tokens")
@login_required()
def auth_tokens():
    now = system().runtime.clock.now()
    current = api_token()
    rows = tokens.list_for(db(), api_user())
    return jsonify(
        {"items": [tokens.as_dict(t, now, current.id if current else None) for t in rows]}
    )


document(
    "/api/v1/auth/tokens",
    "get",
    {
        "tags": ["登录"],
        "summary": "我的API令牌",
        "description": "当前用户的全部令牌（含已过期、已注销的），新的在前；从不返回令牌本身。",
        "responses": {
            "200": {
                "description": "令牌列表",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"items": {"type": "array", "items": TOKEN}},
                        }
                    }
                },
            },
            "401": _error("未登录或令牌失效"),
        },
    },
)


@bp.delete("/auth/tokens/<int:token_id>")
@login_required()
def auth_token_revoke(token_id: int):
    if token_id > MAX_ID:
        raise ApiError(404, "令牌不存在")
    now = system().runtime.clock.now()
    token = tokens.revoke(db(), api_user(), token_id, now, ip=client_ip())
    db().commit()
    return jsonify(tokens.as_dict(token, now, getattr(api_token(), "id", None)))


document(
    "/api/v1/auth/tokens/{token_id}",
    "delete",
    {
        "tags": ["登录"],
        "summary": "注销我的一个令牌",
        "description": "只能注销自己的令牌；他人的或不存在的令牌均答404。已注销的再注销不变。",
        "parameters": [
            {"name": "token_id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
        "responses": {
            "200": {
                "description": "已注销的令牌",
                "content": {"application/json": {"schema": TOKEN}},
            },
            "401": _error("未登录或令牌失效"),
            "404": _error("令牌不存在"),
        },
    },
)
