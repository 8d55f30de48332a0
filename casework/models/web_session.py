"""Server-side web sessions: the browser keeps only a random id, the data stays here.

A row is deleted on logout, on a password change (all rows of the user) and once it has
expired, so a captured cookie opens nothing afterwards. `user_id` is kept beside the
data so that every session of one user can be ended at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base


class WebSession(Base):
    __tablename__ = "web_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[str] = mapped_column(String(255), unique=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    # Engine-clock moment after which the row is dead (idle and absolute limits).
    expiry: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("app_user.id", ondelete="CASCADE"), nullable=True, index=True
    )
