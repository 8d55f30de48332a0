"""审批记录: every decision a person took on a case, whichever form it was taken with.

The 安置登记审核 (per-month 有效/无效) and the generic 审批 step both write one row, so the
next reviewer, a supervisor's 复核 and the employer all read one history: who, when, in
which step, with what outcome and why.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow


class DecisionRecord(Base):
    __tablename__ = "decision_record"
    __table_args__ = (Index("ix_decision_record_case", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("certification_case.id"))
    subject_ref: Mapped[str] = mapped_column(String(100), default="")  # e.g. placement:7
    subject: Mapped[str] = mapped_column(String(100), default="")  # whom it was about: a name
    task_id: Mapped[str] = mapped_column(String(36))
    step: Mapped[str] = mapped_column(String(200))  # the task's name in the diagram
    form: Mapped[str] = mapped_column(String(100))
    outcome: Mapped[str] = mapped_column(String(20))  # approve/return/reject, or months
    outcome_label: Mapped[str] = mapped_column(String(100))  # as the step offered it
    reason: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # per-month decisions
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    actor: Mapped[str] = mapped_column(String(60))  # login
    actor_name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20), default="")
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
