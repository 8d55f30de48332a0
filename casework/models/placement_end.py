"""单位注销安置登记 (002's reviewer tab, 001/002's 下载注销业务申请书): a unit ends a placed
person's placement from a month on (离职, 退休, 死亡), or its whole registration for the
year (单位注销), with the signed application and proof. Once approved the months from
`from_month` on stop counting (Placement.ended_from_month); when the year was already
sent to tax, the corrected result goes to tax as a correction. The diagram
(workflows/placement_end.bpmn) decides who reviews it.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Integer, String
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

PERSON = "person"  # one placed person
UNIT = "unit"  # the unit's whole registration of the year
SCOPES = {PERSON: "安置人员注销", UNIT: "单位整体注销"}
PERSON_REASONS = ("离职", "退休", "死亡", "其他")
UNIT_REASONS = ("单位注销", "单位合并或分立", "其他")
REASONS = tuple(dict.fromkeys(PERSON_REASONS + UNIT_REASONS))

STATUS_NAMES = status_names(approved="已注销", rejected="不予注销")
STATUS_HELP = {
    FIRST_REVIEW: "注销申请已提交，等待残联业务人员初审；审核期间安置月份照常计算。",
    RETURNED: "初审退回，请按退回理由修改注销申请或补充材料后重新提交。",
    SECOND_REVIEW: "已通过初审，等待业务主管复审。",
    APPROVED: "已注销：自注销起始月份起的月份不再计入安置；本年度已报送税务的，已向税务部门报送更正数据。",
    REJECTED: "不予注销，理由见审核记录；安置登记保持不变。",
}


class PlacementEnd(ReviewedApplication, Base, Timestamped):
    __tablename__ = "placement_end"
    REF = "placement_end"
    STATUS_NAMES = STATUS_NAMES
    STATUS_HELP = STATUS_HELP

    case_id: Mapped[int] = mapped_column(ForeignKey("certification_case.id"), index=True)
    scope: Mapped[str] = mapped_column(String(10))  # person / unit
    placement_id: Mapped[int | None] = mapped_column(ForeignKey("placement.id"), nullable=True)
    person_name: Mapped[str] = mapped_column(String(50), default="")  # as placed, when filed
    id_number: Mapped[str] = mapped_column(String(18), default="")
    reason: Mapped[str] = mapped_column(String(20))  # 注销原因
    ended_on: Mapped[date] = mapped_column(Date)  # 离职/退休/死亡/注销日期
    from_month: Mapped[int] = mapped_column(Integer)  # 注销起始月份: this month on stops counting
    note: Mapped[str] = mapped_column(String(500), default="")  # 情况说明
    # "<case>:<placement or unit>" while the request is open, NULL once decided: a unique
    # column, so two open requests for the same person (or two submits racing) cannot be
    # filed, while a refused one may be filed again.
    open_key: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    # what the approval changed: {placement id: months that stopped counting}
    months_removed: Mapped[dict] = mapped_column(JSON, default=dict)
    tax_corrected: Mapped[bool] = mapped_column(default=False)  # a correction was sent to tax

    @property
    def scope_name(self) -> str:
        return SCOPES.get(self.scope, self.scope)

    @property
    def removed_month_count(self) -> int:
        return sum(len(months) for months in (self.months_removed or {}).values())
