"""Accounts: an employer logs in with its credit code; staff with a user name.

Passwords are argon2 hashes; failed attempts are counted so that an account locks for a
while after too many (the login rate limit is per address, this is per account).
"""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, Timestamped

ROLE_NAMES = {
    "employer": "用人单位",
    "reviewer": "残联业务人员",
    "supervisor": "业务主管",
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
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    @property
    def role_name(self) -> str:
        return ROLE_NAMES.get(self.role, self.role)

    @property
    def is_staff(self) -> bool:
        return self.role != "employer"
