"""API sign-in: captcha (image or arithmetic), login (opaque bearer token), the current
user, the user's tokens (list, revoke one, log out = revoke the current one), and the
password change (the page's command; every token and every other web session ends)."""

from __future__ import annotations

import base64

from flask import current_app, jsonify, request, session

from casework import accounts, login_guard, tokens
from casework import captcha as captcha_service
from casework.schemas import auth as declared
from domain.errors import DomainError
from webapp import sessions
from webapp.api import ApiError, api_token, api_user, bp, issue_token, login_required, spec
from webapp.auth import LOGIN_LIMIT, captcha_ttl, check_captcha, new_captcha
from webapp.extensions import client_ip, db, limiter, system

MAX_ID = 2**31 - 1  # ids beyond the database's integer range are simply not found

TAGS = ("登录",)


@bp.get("/auth/captcha")
@spec.declare(tags=TAGS, query=declared.CaptchaQuery, answer=declared.Captcha, answer_description="验证码", public=True, errors=(400, 401, 429))
def auth_captcha():
    """获取验证码

    返回不透明的captcha_id，以及验证码图片（kind=image，默认；4位字母或数字的data URL）或一道文字算术题（kind=arithmetic，无障碍方式，如“7 加 5 等于几？”，答案填数字）；答案不会发给客户端。每个验证码只能校验一次（无论对错，所有服务进程共用已用记录），有效期5分钟。"""
    kind = spec.query().kind or "image"
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


def _check_captcha(body: declared.LoginInput) -> None:
    challenge = captcha_service.decode_id(current_app.secret_key, body.captcha_id)
    if challenge is None:
        raise ApiError(400, "验证码已失效，请重新获取", {"captcha": "验证码已失效，请重新获取"})
    check_captcha(challenge, body.captcha)


def _notice_dict(notice: login_guard.Notice | None) -> dict | None:
    if notice is None:
        return None
    return {"count": notice.count, "last_ip": notice.last_ip, "last_at": notice.last_at.isoformat()}


@bp.post("/auth/login")
@limiter.limit(LOGIN_LIMIT)
@spec.declare(tags=TAGS, json=declared.LoginInput, answer=declared.LoggedIn, answer_description="登录成功", public=True, errors=(400, 401, 429))
def auth_login():
    """登录并取得令牌

    用人单位以统一社会信用代码、工作人员以用户名登录；每次登录须先获取一个新验证码。同一账号在同一地址连续5次密码错误后该地址提示锁定15分钟，但密码正确（并答对新验证码）仍可登录；同一账号在一小时内各处累计20次失败后，每10秒只受理一次密码校验。同一地址每分钟最多10次。令牌为不透明随机串（服务器只存其SHA-256），默认12小时内有效，以 Authorization: Bearer <token> 使用，可经 /auth/logout 注销；修改密码后全部令牌失效。failed_attempts：上次登录以来失败的尝试（无则为null）。验证码错误、过期或请求格式有误为400；账号或密码错误，或账号已锁定为401。"""
    body: declared.LoginInput = spec.body()
    _check_captcha(body)
    login, password, label = body.login, body.password, body.label
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


@bp.get("/auth/me")
@login_required()
@spec.declare(tags=TAGS, answer=declared.User, answer_description="当前用户", errors=(401, 429))
def auth_me():
    """当前用户"""
    return jsonify(accounts.user_dict(db(), api_user()))


@bp.post("/auth/logout")
@login_required()
@spec.declare(tags=TAGS, answer=declared.LoggedOut, answer_description="已注销", errors=(400, 401, 429))
def auth_logout():
    """注销当前令牌

    立即注销本次请求所用的令牌；之后以该令牌的请求均答401。本请求未使用令牌（网页会话）时为400。"""
    token = api_token()
    if token is None:
        raise ApiError(400, "本请求未使用令牌；网页登录请使用页面上的“退出”")
    now = system().runtime.clock.now()
    tokens.revoke(db(), api_user(), token.id, now, ip=client_ip())
    db().commit()
    return jsonify({"message": "令牌已注销", "token_id": token.id})


@bp.get("/auth/tokens")
@login_required()
@spec.declare(tags=TAGS, answer=declared.TokenList, answer_description="令牌列表", errors=(401, 429))
def auth_tokens():
    """我的API令牌

    当前用户的全部令牌（含已过期、已注销的），新的在前；从不返回令牌本身。"""
    now = system().runtime.clock.now()
    current = api_token()
    rows = tokens.list_for(db(), api_user())
    return jsonify(
        {"items": [tokens.as_dict(t, now, current.id if current else None) for t in rows]}
    )


@bp.delete("/auth/tokens/<int:token_id>")
@login_required()
@spec.declare(tags=TAGS, answer=declared.ApiToken, answer_description="已注销的令牌", paths={"token_id": "令牌编号"}, errors=(401, 404, 429))
def auth_token_revoke(token_id: int):
    """注销我的一个令牌

    只能注销自己的令牌；他人的或不存在的令牌均答404。已注销的再注销不变。"""
    if token_id > MAX_ID:
        raise ApiError(404, "令牌不存在")
    now = system().runtime.clock.now()
    token = tokens.revoke(db(), api_user(), token_id, now, ip=client_ip())
    db().commit()
    return jsonify(tokens.as_dict(token, now, getattr(api_token(), "id", None)))




@bp.post("/auth/password")
@limiter.limit(LOGIN_LIMIT)
@login_required()
@spec.declare(tags=TAGS, json=declared.PasswordChangeInput, answer=declared.PasswordChanged, answer_description="密码已修改", errors=(400, 401, 429))
def auth_password():
    """修改密码

    须提供当前密码；新密码规则与网页“修改密码”相同（8至64位，同时包含字母和数字，且不同于当前密码）。修改后该用户的全部API令牌（包括本次请求所用的令牌）和全部网页登录立即失效；以令牌调用时，应答中附一个替代本次令牌的新令牌（备注不变，重新计算有效期），请改用新令牌。以网页会话调用（须带X-CSRFToken）时，本会话保留但更换会话编号，其他网页登录结束，token为null。当前密码错误或新密码不合规则为400，且不做任何更改。同一地址每分钟最多10次。"""
    body: declared.PasswordChangeInput = spec.body()
    user = api_user()
    user = getattr(user, "_get_current_object", lambda: user)()  # the cookie path's proxy
    used = api_token()
    try:
        revoked = accounts.change_password(
            db(),
            user,
            body.current_password,
            body.new_password,
            system().runtime.clock.now(),
            ip=client_ip(),
        )
    except DomainError:
        db().rollback()
        raise
    # The used token ended with the others (a copy of it left anywhere is dead too), as the
    # page gives its own session a new id; the client carries on with the replacement.
    secret = issue_token(user, label=used.label) if used is not None else None
    replacement = api_token() if used is not None else None
    token_id = replacement.id if replacement is not None else None
    expires_at = replacement.expires_at.isoformat() if replacement is not None else None
    db().commit()
    store = sessions.interface(current_app)
    if used is not None:
        ended = store.end_user_sessions(user.id)
    else:
        ended = store.end_user_sessions(user.id, keep_sid=session.sid)
        store.renew(session)
    return jsonify(
        {
            "message": "密码已修改。全部API令牌和其他网页登录已失效。",
            "tokens_revoked": revoked,
            "sessions_ended": ended,
            "token": secret,
            "token_id": token_id,
            "expires_at": expires_at,
        }
    )
