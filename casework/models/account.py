"""Accounts: an employer logs in with its credit code; staff with a user name.

Passwords are argon2 hashes. Failed attempts are not counted here: a per-account lock let
anyone lock an employer out (its login is its public credit code), so the throttling is
per (login, address) and per login in `casework.login_guard`.
"""

from __future__ import annotations

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, Timestamped

ROLE_NAMES = {
    "employer": "用人单位",
    "reviewer": "残联业务人员",
    "supervisor": "业务主管",
    "window_clerk": "窗口受理人员",
    "process_owner": "流程管理员",
    "oversight": "统管",
    "admin": "系统管理员",
}


class User(Base, Timestamped, UserMixin):
    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(60), unique=True)  # credit code or staff name
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    region_code: Mapped[str] = mapped_column(String(6), default="")  # jurisdiction
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), nullable=True)
    display_name: Mapped[str] = mapped_column(String(100), default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)

    @property
    def is_staff(self) -> bool:
        return self.role != "employer"
