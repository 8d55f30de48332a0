"""Signing in to the API: the captcha query, the login request, and what they answer."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from casework.accounts import ROLE_NAMES
from casework.captcha import KINDS
from casework.schemas.answers import Answer
from casework.schemas.base import Query, Request
from casework.schemas.types import text


class CaptchaQuery(Query):
    kind: text("验证码类型", enum=KINDS, required=False, description="image：图形验证码；arithmetic：文字算术题") = "image"


class LoginInput(Request):
    login: text("账号", max_len=64, verb="请输入", description="统一社会信用代码（用人单位）或用户名（工作人员）")
    password: text("密码", max_len=128, strip=False, verb="请输入")
    captcha_id: text("验证码", max_len=4000, description="GET /api/v1/auth/captcha 返回的captcha_id")
    captcha: text("验证码", max_len=16, verb="请输入", description="图中字符或算术题的答案")
    label: text("令牌备注", required=False, max_len=100, description="令牌备注（可选，默认为客户端User-Agent）") = ""


class User(Answer):
    id: int
    login: str = Field(description="统一社会信用代码（用人单位）或用户名（工作人员）")
    role: str = Field(description="角色：" + "、".join(f"{k}（{v}）" for k, v in ROLE_NAMES.items()) + "，或流程管理员新增的泳道角色")
    role_name: str
    display_name: str | None
    region_code: str | None = Field(description="管辖区域（6位行政区划代码，空为全国）")
    region_name: str
    unit_id: int | None
    unit_name: str


class Captcha(Answer):
    """验证码"""

    captcha_id: str
    kind: Literal[KINDS]  # type: ignore[valid-type]
    image: str | None = Field(default=None, description="kind=image时：data:image/png;base64,…")
    question: str | None = Field(default=None, description="kind=arithmetic时：算术题文字")
    expires_in: int = Field(description="有效秒数")


class FailedAttempts(Answer):
    count: int
    last_ip: str
    last_at: str = Field(json_schema_extra={"format": "date-time"})


class LoggedIn(Answer):
    token: str
    token_id: int
    expires_at: str = Field(json_schema_extra={"format": "date-time"})
    user: User
    failed_attempts: FailedAttempts | None = Field(description="上次登录以来失败的尝试（无则为null）")


class ApiToken(Answer):
    """API令牌（不含令牌本身）"""

    id: int
    label: str
    ip: str = Field(description="签发时的客户端地址")
    created_at: str = Field(json_schema_extra={"format": "date-time"})
    last_used_at: str | None
    expires_at: str
    revoked_at: str | None
    active: bool = Field(description="未过期且未注销")
    current: bool = Field(description="本次请求所用的令牌")


class TokenList(Answer):
    items: list[ApiToken]


class LoggedOut(Answer):
    message: str
    token_id: int


class PasswordChangeInput(Request):
    """Only the lengths are bounded here: the password rules are the ones the page applies
    (casework.accounts.change_password), so the API cannot drift from them."""

    current_password: text("当前密码", max_len=128, strip=False, verb="请输入")
    new_password: text("新密码", max_len=128, strip=False, verb="请输入", description="8至64位，且同时包含字母和数字")


class PasswordChanged(Answer):
    message: str
    tokens_revoked: int = Field(description="注销的令牌数（含本次请求所用的令牌）")
    sessions_ended: int = Field(description="结束的网页登录数")
    token: str | None = Field(description="以令牌调用时：替代本次所用令牌的新令牌；以网页会话调用时为null")
    token_id: int | None
    expires_at: str | None = Field(json_schema_extra={"format": "date-time"})
