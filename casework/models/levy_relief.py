"""缓减免申请 (001's menu): a unit asks to defer, reduce or be exempted from the year's 残保金.

《残疾人就业保障金征收使用管理办法》(财税〔2015〕72号) 第二十一条: a unit that suffered a
major direct economic loss from force majeure (a natural disaster or another sudden event)
may apply for a reduction, an exemption or a deferral; a reduction may not exceed one
year's levy, a deferral six months. The diagram (workflows/levy_relief.bpmn) decides who
reviews it; this row is what was asked, where it stands, and what was granted.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Date,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
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

DEFER = "defer"  # 缓缴
REDUCE = "reduce"  # 减缴
EXEMPT = "exempt"  # 免缴
KIND_NAMES = {DEFER: "缓缴", REDUCE: "减缴", EXEMPT: "免缴"}
MAX_DEFER_MONTHS = 6  # 第二十一条: 缓缴保障金的最长期限不得超过6个月

STATUS_NAMES = status_names(approved="已批准", rejected="未批准")
STATUS_HELP = {
    FIRST_REVIEW: "申请已提交，等待残联业务人员初审。",
    RETURNED: "初审退回，请按退回理由修改申请或补充材料后重新提交。",
    SECOND_REVIEW: "已通过初审，等待业务主管复审。",
    APPROVED: "已批准，结果随年审认证结果推送税务部门（认证结果已报送的，作为更正数据另行报送），残保金计算器按批准结果显示。",
    REJECTED: "未批准，理由见审核记录；本年度不能再次申请。",
}


class LevyRelief(ReviewedApplication, Base, Timestamped):
    __tablename__ = "levy_relief"
    __table_args__ = (UniqueConstraint("unit_id", "year"),)
    REF = "relief"
    STATUS_NAMES = STATUS_NAMES
    STATUS_HELP = STATUS_HELP

    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)  # the loss and its cause
    levy_due: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # 应缴保障金 as the unit states it
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)  # 减缴/免缴 amount
    defer_months: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 缓缴 months (1–6)
    defer_until: Mapped[date | None] = mapped_column(Date, nullable=True)  # set when a deferral is granted

    @property
    def kind_name(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def granted(self) -> str:
        """What was granted, as the unit and the calculator read it ("" until approved)."""
        if self.status != APPROVED:
            return ""
        if self.kind == DEFER:
            until = f"至{self.defer_until.year}年{self.defer_until.month}月{self.defer_until.day}日" if self.defer_until else ""
            return f"缓缴{self.defer_months}个月{until}"
        if self.kind == REDUCE:
            return f"减缴{format(self.amount, 'f')}元"
        return f"免缴{format(self.amount, 'f')}元"
