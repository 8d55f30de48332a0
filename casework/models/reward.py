"""超比例奖励申请 (002): one application per unit and business year, and where it stands.

The diagram (workflows/over_ratio_reward.bpmn) decides who reviews it and in which order
(初审 → 复审 when the unit applies; 复核 when a reviewer files it at the window); this row
keeps what was applied for — the figures frozen when it was filed or corrected, the payee
— and the status the unit and the staff read. A unique (unit, year) makes "one per year"
hold under concurrent submits.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from casework.models.review_status import (  # noqa: F401  (the statuses, for importers of this module)
    APPROVED,
    FIRST_REVIEW,
    REJECTED,
    RETURNED,
    SECOND_REVIEW,
    ReviewedApplication,
    status_names,
)
from engine.db import Base, Timestamped

EMPLOYER = "employer"  # 网报系统: the unit applies (way 1)
WINDOW = "window"  # 申办系统: a reviewer applies for the unit (way 2)
CHANNEL_NAMES = {EMPLOYER: "单位网上申请", WINDOW: "窗口代为申请"}

STATUS_NAMES = status_names(approved="复审通过", rejected="审核不通过")
STATUS_HELP = {
    FIRST_REVIEW: "申请已提交，等待残联业务人员初审。",
    RETURNED: "初审退回，请按退回理由修改收款信息或补充材料后重新提交。",
    SECOND_REVIEW: "已通过初审（窗口代为申请的，已提交），等待业务主管复审（复核）。",
    APPROVED: "复审通过，可下载奖励审核认定书；奖励资金按当地规定发放。",
    REJECTED: "审核不通过，理由见审核记录；本年度不能再次申请。",
}


class RewardApplication(ReviewedApplication, Base, Timestamped):
    __tablename__ = "reward_application"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)
    REF = "reward"
    STATUS_NAMES = STATUS_NAMES
    STATUS_HELP = STATUS_HELP

    channel: Mapped[str] = mapped_column(String(20), default=EMPLOYER)
    # the figures, frozen when filed or corrected (上年度在职职工总数, 上年度安置残疾人数, …)
    staff_count: Mapped[int] = mapped_column(Integer)
    placed_persons: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    quota_persons: Mapped[int] = mapped_column(Integer)
    over_persons: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    coefficient: Mapped[Decimal] = mapped_column(Numeric(8, 4))
    base_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    payee_name: Mapped[str] = mapped_column(String(100))
    payee_account: Mapped[str] = mapped_column(String(40))
    payee_bank: Mapped[str] = mapped_column(String(100))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("issued_certificate.id"), nullable=True)

    @property
    def status_name(self) -> str:
        if self.status == SECOND_REVIEW and self.channel == WINDOW:
            return "待复核"
        return STATUS_NAMES.get(self.status, self.status)
