"""年审认证 case: one per employer per business year, driven by annual_certification.bpmn."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, Timestamped

# The stages of 001's progress bar, set by the diagram's script tasks.
STAGE_DECLARING = "declaring"  # 按比例安置登记
STAGE_DECLARED = "declared"  # 完成申报
STAGE_SENT = "sent_to_tax"  # 发送税务部门
STAGE_NAMES = {STAGE_DECLARING: "按比例安置登记", STAGE_DECLARED: "完成申报", STAGE_SENT: "发送税务部门"}


class CertificationCase(Base, Timestamped):
    __tablename__ = "certification_case"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)  # 业务年度
    region_code: Mapped[str] = mapped_column(String(6), index=True)  # 残联主管部门 at start
    stage: Mapped[str] = mapped_column(String(20), default=STAGE_DECLARING)
    locked: Mapped[bool] = mapped_column(default=False)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)
    declared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    certificate_ready_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    sent_to_tax_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    tax_receipt: Mapped[str] = mapped_column(String(100), default="")

    unit = relationship("Unit")

    @property
    def ref(self) -> str:
        return f"case:{self.id}"
