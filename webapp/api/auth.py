"""API sign-in: captcha, login (bearer token), the current user."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from flask import current_app, jsonify, request, session

from casework import accounts
from casework import captcha as captcha_service
from webapp.api import (
    ApiError,
    api_user,
    bp,
    document,
    issue_token,
    json_body,
    login_required,
    schema,
)
from webapp.auth import LOGIN_LIMIT, SESSION_KEY, captcha_text
from webapp.extensions import client_ip, db, limiter

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
    text = captcha_text()
    challenge = captcha_service.new_challenge(current_app.secret_key, text)
    if request.cookies.get(current_app.config.get("SESSION_COOKIE_NAME", "session")):
        session[SESSION_KEY] = challenge.to_dict()
    image = base64.b64encode(captcha_service.render_png(text)).decode("ascii")
    return jsonify(
        {
            "captcha_id": captcha_service.encode_id(current_app.secret_key, challenge),
            "image": f"data:image/png;base64,{image}",
            "expires_in": int(current_app.config.get("CAPTCHA_TTL", captcha_service.TTL_SECONDS)),
        }
    )


document(
    "/api/v1/auth/captcha",
    "get",
    {
        "tags": ["登录"],
        "summary": "获取图形验证码",
        "description": "返回验证码图片（data URL）和不透明的captcha_id；答案不会发给客户端。每个验证码只能校验一次，"
        "有效期5分钟。说明：不带Cookie的客户端，已用验证码的记录保存在各Web进程内存中（多进程部署时同一captcha_id"
        "最多可在每个进程各尝试一次）；带会话Cookie的客户端另以会话校验。",
        "security": [],
        "responses": {
            "200": {
                "description": "验证码",
                "content": {
                    "application/json": {
                        "schema": schema(
                            "Captcha",
                            {
                                "type": "object",
                                "required": ["captcha_id", "image"],
                                "properties": {
                                    "captcha_id": {"type": "string"},
                                    "image": {
                                        "type": "string",
                                        "description": "data:image/png;base64,…",
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
    secret = current_app.secret_key
    challenge = captcha_service.decode_id(secret, str(body.get("captcha_id") or ""))
    if challenge is None or not captcha_service.used_nonces.claim(challenge.nonce):
        raise ApiError(400, "验证码已失效，请重新获取", {"captcha": "验证码已失效，请重新获取"})
    stored = captcha_service.Challenge.from_dict(session.get(SESSION_KEY))
    if stored is not None and stored.nonce == challenge.nonce:
        session.pop(SESSION_KEY, None)
    ttl = current_app.config.get("CAPTCHA_TTL", captcha_service.TTL_SECONDS)
    captcha_service.verify(secret, challenge, str(body.get("captcha") or ""), ttl=ttl)


@bp.post("/auth/login")
@limiter.limit(LOGIN_LIMIT)
def auth_login():
    body = json_body()
    _check_captcha(body)
    login, password = body.get("login"), body.get("password")
    if not isinstance(login, str) or not isinstance(password, str):
        raise ApiError(400, "请输入账号和密码", {"login": "请输入账号和密码"})
    try:
        user = accounts.authenticate(db(), login, password, datetime.now(UTC), ip=client_ip())
    except accounts.LoginFailed as exc:
        db().commit()
        raise ApiError(401, exc.message) from None
    db().commit()
    return jsonify({"token": issue_token(user), "user": accounts.user_dict(db(), user)})


document(
    "/api/v1/auth/login",
    "post",
    {
        "tags": ["登录"],
        "summary": "登录并取得令牌",
        "description": "用人单位以统一社会信用代码、工作人员以用户名登录；须先获取验证码。连续5次密码错误锁定15分钟；"
        "同一地址每分钟最多10次。令牌12小时内有效，以 Authorization: Bearer <token> 使用。",
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
                                "required": ["token", "user"],
                                "properties": {"token": {"type": "string"}, "user": USER},
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
