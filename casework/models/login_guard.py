"""Login throttling state, shared by every web process.

One row per key: `pair:<login>|<ip>` counts the failures of one login from one source
(5 lock that pair only), `login:<login>` counts the failures from all sources (a higher
threshold slows checks for that login down) and remembers the failures the account's
holder has not been told about yet.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class LoginGuard(Base):
    __tablename__ = "login_guard"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_check_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    unseen_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_failure_ip: Mapped[str] = mapped_column(String(45), default="")


class UsedCaptcha(Base):
    """Captcha nonces already checked (the database store; Redis keeps them with a TTL)."""

    __tablename__ = "used_captcha"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
