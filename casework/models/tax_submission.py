"""发送税务部门: each version of a unit's year as sent to the tax bureau, with its receipt
and the tax side's check (一致 / 不一致). A correction (after 年审认证反馈, or a resend
after 不一致) is a new version of the same record, pointing at the one it corrects; the
idempotency key names the version, so a retried push never files twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

SENT = "sent"  # 已发送至税务部门
CONFIRMED = "confirmed"  # 税务已确认
INCONSISTENT = "inconsistent"  # 税务反馈不一致
SUPERSEDED = "superseded"  # 已被更正: a later version was sent before this one was checked
STATUS_NAMES = {SENT: "已发送至税务部门", CONFIRMED: "税务已确认", INCONSISTENT: "税务反馈不一致", SUPERSEDED: "已被更正"}
STATUS_HELP = {
    SENT: "认证结果已推送税务部门并取得回执，等待税务部门核对确认",
    CONFIRMED: "税务部门已核对，与其掌握的数据一致",
    INCONSISTENT: "税务部门核对后反馈不一致，残联工作人员将核实处理",
    SUPERSEDED: "本版本核对前已报送更正数据，税务部门以最新版本为准，本版本不再等待核对",
}


class TaxSubmission(Base):
    __tablename__ = "tax_submission"
    __table_args__ = (Index("ix_tax_submission_region", "region_code", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("certification_case.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    region_code: Mapped[str] = mapped_column(String(6))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    receipt_no: Mapped[str] = mapped_column(String(100))
    correction_of_id: Mapped[int | None] = mapped_column(ForeignKey("tax_submission.id"), nullable=True)
    approved_months: Mapped[int] = mapped_column(Integer, default=0)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default=SENT)
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)
