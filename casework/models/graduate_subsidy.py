"""安置残疾大学生申请 (002's menu): a unit asks for the subsidy for a disabled college
graduate it placed in a year. The person is one of its placed persons (a Placement of the
year's certification case), at most once a year; the amount is the province's dated
`graduate_subsidy` (元 per graduate per year) × the months employed ÷ 12, to the fen,
frozen when filed. The diagram (workflows/graduate_subsidy.bpmn) decides who reviews it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import (
    Date,
    ForeignKey,
    Integer,
    Numeric,
    String,
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

EDUCATIONS = ("专科", "本科", "硕士研究生", "博士研究生")  # 学历
DEGREES = ("无", "学士", "硕士", "博士")  # 学位
MAX_YEARS_SINCE_GRADUATION = 5  # 毕业5年内（含）的高校毕业生

STATUS_NAMES = status_names(approved="已批准", rejected="未批准")
STATUS_HELP = {
    FIRST_REVIEW: "申请已提交，等待残联业务人员初审。",
    RETURNED: "初审退回，请按退回理由修改申请或补充材料后重新提交。",
    SECOND_REVIEW: "已通过初审，等待业务主管复审。",
    APPROVED: "已批准，补贴金额按申请时核定的金额发放。",
    REJECTED: "未批准，理由见审核记录；该人员本年度不能再次申请。",
}


class GraduateSubsidy(ReviewedApplication, Base, Timestamped):
    __tablename__ = "graduate_subsidy"
    __table_args__ = (UniqueConstraint("placement_id", "year"),)
    REF = "graduate"
    STATUS_NAMES = STATUS_NAMES
    STATUS_HELP = STATUS_HELP

    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id"))
    person_name: Mapped[str] = mapped_column(String(50))  # as placed, when filed
    id_number: Mapped[str] = mapped_column(String(18))
    school: Mapped[str] = mapped_column(String(100))  # 毕业院校
    major: Mapped[str] = mapped_column(String(100))  # 专业
    education: Mapped[str] = mapped_column(String(20))  # 学历
    degree: Mapped[str] = mapped_column(String(10))  # 学位
    graduated_on: Mapped[date] = mapped_column(Date)  # 毕业时间
    diploma_no: Mapped[str] = mapped_column(String(40))  # 学历证书编号
    months: Mapped[int] = mapped_column(Integer)  # months employed that year (1–12)
    standard: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # graduate_subsidy in force when filed
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))  # standard × months / 12, to the fen
