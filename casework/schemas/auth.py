"""Signing in to the API: the login request."""

from __future__ import annotations

from casework.schemas.base import Request
from casework.schemas.types import text


class LoginInput(Request):
    login: text("账号", max_len=64, description="统一社会信用代码（用人单位）或用户名（工作人员）")
    password: text("密码", max_len=128, strip=False)
    captcha_id: text("验证码编号", max_len=2000, description="GET /api/v1/auth/captcha 返回的captcha_id")
    captcha: text("验证码", max_len=16)
