"""Uploaded files, stored content-addressed (by SHA-256), never under a user-chosen path."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, Timestamped

KINDS = {
    "contract": "劳动合同/劳务派遣协议",
    "dispatch_licence": "劳务派遣资质",
    "tripartite": "三方协议",
    "certificate": "残疾证影像",
    "wage_proof": "工资发放证明",
    "pension_proof": "社会保险缴费凭证",
    "medical_proof": "医疗保险缴费凭证",
    "staffing": "编制本",
    "education": "学历学位证明",
    "related_unit": "关联单位证明材料",
    "statement": "情况说明",
    "reward_material": "超比例奖励申请材料",
    "relief_material": "缓减免证明材料",
    "graduate_material": "大学生学历学位材料",
    "placement_end_material": "注销业务申请书及证明材料",
}

# The claim materials of domain.month_selection.MATERIALS, by attachment kind.
MATERIAL_KINDS = {
    "工资发放证明": "wage_proof",
    "社会保险缴费凭证": "pension_proof",
    "医疗保险缴费凭证": "medical_proof",
    "残疾证件影像资料": "certificate",
    "劳动合同或劳务派遣协议": "contract",
    "情况说明": "statement",
}


class Attachment(Base, Timestamped):
    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)  # owner
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(30), default="")
    placement_id: Mapped[int | None] = mapped_column(
        ForeignKey("placement.id", ondelete="SET NULL"), nullable=True, index=True
    )  # claim materials of a person (工资发放证明 etc.)
    uploaded_by: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)

    @property
    def kind_name(self) -> str:
        return KINDS.get(self.kind, self.kind)
