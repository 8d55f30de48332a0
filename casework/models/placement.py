"""A placed disabled employee (安置人员) in a case, with contracts, certificates and the
12-month grid (人员信息校验) that auto-verify fills and the review decides."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, Timestamped

# Person statuses of 001/002.
INCOMPLETE = "资料待完善"
PENDING = "待审核"
CONFIRMED = "已审核确认"
PARTLY_REJECTED = "部分审核不通过"
REJECTED = "审核不通过"
STATUSES = (INCOMPLETE, PENDING, CONFIRMED, PARTLY_REJECTED, REJECTED)


class Placement(Base, Timestamped):
    __tablename__ = "placement"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("certification_case.id"), index=True)
    id_number: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(50))
    sex: Mapped[str] = mapped_column(String(2), default="")
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    household_type: Mapped[str] = mapped_column(String(20), default="")  # 户籍地类型
    household_region: Mapped[str] = mapped_column(String(6), default="")  # 户籍地
    household_address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    education: Mapped[str] = mapped_column(String(20), default="")
    guardian_name: Mapped[str] = mapped_column(String(50), default="")
    guardian_phone: Mapped[str] = mapped_column(String(30), default="")
    is_graduate: Mapped[bool] = mapped_column(default=False)  # 是否高校毕业生
    status: Mapped[str] = mapped_column(String(20), default=INCOMPLETE, index=True)
    confirmed_by: Mapped[str] = mapped_column(String(10), default="")  # 系统 / 人工
    weight: Mapped[int] = mapped_column(Integer, default=1)  # 2 for 1–2级 / 1–3级军人
    registered_months: Mapped[int] = mapped_column(Integer, default=0)  # 安置登记(月)
    confirmed_months: Mapped[int] = mapped_column(Integer, default=0)  # 安置确认(月)
    rejected_months: Mapped[int] = mapped_column(Integer, default=0)  # 安置不通过(月)
    approved_months: Mapped[int] = mapped_column(Integer, default=0)  # 安置核定(月), weighted
    severe_months: Mapped[int] = mapped_column(Integer, default=0)  # confirmed months counted ×2
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)
    declared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    removed: Mapped[bool] = mapped_column(default=False, index=True)  # 删除 keeps history
    # 单位注销安置登记 approved: this month on no longer counts (None: not ended)
    ended_from_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    end_reason: Mapped[str] = mapped_column(String(20), default="", server_default="")

    contracts: Mapped[list[Contract]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", order_by="Contract.id"
    )
    certificates: Mapped[list[Certificate]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", order_by="Certificate.id"
    )
    months: Mapped[list[MonthCheck]] = relationship(
        back_populates="placement", cascade="all, delete-orphan", order_by="MonthCheck.month"
    )


class Contract(Base, Timestamped):
    """合同管理 row (001): labour contract or 劳务派遣 agreement."""

    __tablename__ = "contract"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    dispatched: Mapped[bool] = mapped_column(default=False)  # 是否为劳务派遣
    relation: Mapped[str] = mapped_column(String(20), default="本单位")  # 关联单位关系
    contract_type: Mapped[str] = mapped_column(String(20), default="")  # 合同类型
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    position: Mapped[str] = mapped_column(String(50), default="")  # 岗位工种
    monthly_wage: Mapped[float] = mapped_column(Numeric(12, 2))  # 合同月薪
    agency_unit: Mapped[str] = mapped_column(String(18), default="")  # 劳务派遣单位
    pension_unit: Mapped[str] = mapped_column(String(18))  # 社保参保单位
    medical_unit: Mapped[str] = mapped_column(String(18))  # 医保参保单位
    wage_unit: Mapped[str] = mapped_column(String(18))  # 工资发放单位
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)

    placement: Mapped[Placement] = relationship(back_populates="contracts")


class Certificate(Base, Timestamped):
    """残疾证管理 row: from the registry, or a historical one added by hand (needs review)."""

    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(30))
    kind: Mapped[str] = mapped_column(String(10))  # 残疾人证 / 残疾军人证
    category: Mapped[str] = mapped_column(String(10))
    grade: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(10), default="registry")  # registry / manual
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)

    placement: Mapped[Placement] = relationship(back_populates="certificates")


class MonthCheck(Base):
    """One month of 人员信息校验: each check's result, the employer's choice, the review."""

    __tablename__ = "month_check"
    __table_args__ = (UniqueConstraint("placement_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("placement.id", ondelete="CASCADE"), index=True)
    month: Mapped[int] = mapped_column(Integer)
    wage: Mapped[bool] = mapped_column(default=False)
    pension: Mapped[bool] = mapped_column(default=False)
    medical: Mapped[bool] = mapped_column(default=False)
    certificate: Mapped[bool] = mapped_column(default=False)
    working_age: Mapped[bool] = mapped_column(default=False)
    contract: Mapped[bool] = mapped_column(default=False)
    certificate_type: Mapped[bool] = mapped_column(default=False)
    no_other_unit: Mapped[bool] = mapped_column(default=False)
    passed: Mapped[bool] = mapped_column(default=False)
    certificate_kind: Mapped[str] = mapped_column(String(10), default="")
    certificate_grade: Mapped[int | None] = mapped_column(Integer, nullable=True)
    weight: Mapped[int] = mapped_column(Integer, default=1)  # people this month counts as
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    selected: Mapped[bool] = mapped_column(default=False)  # 勾选为安置登记月份
    claimed: Mapped[bool] = mapped_column(default=False)  # a failed month declared with proof
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    decision: Mapped[str] = mapped_column(String(10), default="")  # 有效 / 无效 / "" (none yet)
    decision_reason: Mapped[str] = mapped_column(String(200), default="")
    decided_by: Mapped[str] = mapped_column(String(100), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    placement: Mapped[Placement] = relationship(back_populates="months")
