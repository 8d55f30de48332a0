"""年审申报撤回 and 年审认证反馈: what an employer asked after 完成申报, and what became of it.

The diagram decides whether a request can be made now (it waits for the message) and
who decides it; this row is what the employer and the reviewer read: the reason, the
attachments, the status and the decision's reason. One row per request, so a refused
feedback and a later one are both in the case's history.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow

WITHDRAW = "withdraw"  # 年审申报撤回
FEEDBACK = "feedback"  # 年审认证反馈
KIND_NAMES = {WITHDRAW: "年审申报撤回", FEEDBACK: "年审认证反馈"}

PENDING = "pending"
APPROVED = "approved"
REFUSED = "refused"
STATUS_NAMES = {PENDING: "审核中", APPROVED: "已同意", REFUSED: "未同意"}


class CaseRequest(Base):
    __tablename__ = "case_request"
    __table_args__ = (Index("ix_case_request_case", "case_id", "filed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("certification_case.id"))
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    filed_by: Mapped[str] = mapped_column(String(60))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)
