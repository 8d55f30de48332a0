"""窗口受理: a unit's paper materials received at a 残联 service window (003 现场申请办理).

浙江 receives a declaration at any county's window (省内通办, and 跨省通办 for a unit of
another province) and hands it to the unit's own jurisdiction (收受分离, 属地办理). One
row per receipt keeps what the window did — which window, who, when, which papers, 当场
受理 or 暂缓受理 and why — and what became of it, so the clerk, the unit's reviewers and
the unit itself read the same facts. Where the case goes next is the diagram's call; this
row only records it (set by the window's commands and by the diagram's script task).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, utcnow

DEFERRED = "deferred"  # 暂缓受理: papers missing, the window accepts within 3 working days
ACCEPTED = "accepted"  # 已受理: with the unit's jurisdiction for 属地审核
REFUSED = "refused"  # 不予受理
DECLARED = "declared"  # 属地审核通过, declared for the unit
NOT_DECLARED = "not_declared"  # 属地审核通过, but the declaration's conditions were not met
RETURNED = "returned"  # 属地审核退回单位
OPEN = (DEFERRED, ACCEPTED)
STATUS_NAMES = {
    DEFERRED: "暂缓受理（待补齐材料）",
    ACCEPTED: "已受理，属地审核中",
    REFUSED: "不予受理",
    DECLARED: "属地审核通过，已代为完成申报",
    NOT_DECLARED: "属地审核通过，未能完成申报",
    RETURNED: "属地审核退回单位",
}


class WindowAcceptance(Base):
    __tablename__ = "window_acceptance"
    __table_args__ = (
        Index("ix_window_acceptance_case", "case_id", "received_at"),
        Index("ix_window_acceptance_window", "window_region", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("certification_case.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    window_region: Mapped[str] = mapped_column(String(6))  # the window's county (the clerk's region)
    unit_region: Mapped[str] = mapped_column(String(6))  # the unit's jurisdiction (属地), when received
    received_by: Mapped[str] = mapped_column(String(60))  # the clerk's login
    received_by_name: Mapped[str] = mapped_column(String(100), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    materials: Mapped[list] = mapped_column(JSON, default=list)  # keys of casework.window_acceptance.MATERIALS
    immediate: Mapped[bool] = mapped_column(default=False)  # 当场受理
    deferral_reason: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=DEFERRED)
    accepted_by: Mapped[str] = mapped_column(String(60), default="")
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    outcome_reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN
