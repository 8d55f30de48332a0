"""法人登录 / 工作人员登录 forms (001 §1, 004: 统一社会信用代码、密码和验证码)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField

from webapp.forms.fields import Marked


class EmployerLoginForm(FlaskForm):
    login = StringField(
        "统一社会信用代码",
        [Marked()],
        render_kw={
            "autocomplete": "username",
            "placeholder": "请输入18位统一社会信用代码",
            "maxlength": 18,
        },
    )
    password = PasswordField(
        "密码",
        [Marked()],
        render_kw={"autocomplete": "current-password", "placeholder": "请输入密码"},
    )
    captcha = StringField(
        "验证码",
        [Marked()],
        render_kw={
            "autocomplete": "off",
            "placeholder": "请输入验证码",
            "maxlength": 8,
            "class": "captcha-input",
        },
    )


class StaffLoginForm(EmployerLoginForm):
    login = StringField(
        "用户名",
        [Marked()],
        render_kw={"autocomplete": "username", "placeholder": "请输入用户名", "maxlength": 60},
    )


class ChangePasswordForm(FlaskForm):
    """修改密码: the current password, the new one twice (rules: accounts.check_password_rule)."""

    current_password = PasswordField(
        "当前密码",
        [Marked()],
        render_kw={"autocomplete": "current-password", "placeholder": "请输入当前密码"},
    )
    new_password = PasswordField(
        "新密码",
        [Marked()],
        render_kw={
            "autocomplete": "new-password",
            "placeholder": "8至64位，同时包含字母和数字",
            "maxlength": 64,
        },
    )
    confirm_password = PasswordField(
        "确认新密码",
        [Marked()],
        render_kw={"autocomplete": "new-password", "placeholder": "请再次输入新密码"},
    )
