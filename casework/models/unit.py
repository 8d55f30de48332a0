"""用人单位 and its 关联单位 (001 单位信息维护管理)."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, Timestamped


class Unit(Base, Timestamped):
    """An employer. 残联主管部门 decides whose jurisdiction its cases fall in."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码
    name: Mapped[str] = mapped_column(String(200))
    tax_number: Mapped[str] = mapped_column(String(40), default="")  # 税务登记证号
    org_code: Mapped[str] = mapped_column(String(20), default="")  # 组织机构代码
    nature: Mapped[str] = mapped_column(String(20), default="")  # 单位性质
    economic_type: Mapped[str] = mapped_column(String(40), default="")  # 经济性质
    industry: Mapped[str] = mapped_column(String(40), default="")  # 行业类别
    cdpf_region: Mapped[str] = mapped_column(String(6), index=True)  # 残联主管部门
    tax_region: Mapped[str] = mapped_column(String(6), default="")  # 税务主管部门
    admin_region: Mapped[str] = mapped_column(String(6), default="")  # 单位所属行政区
    legal_name: Mapped[str] = mapped_column(String(50), default="")
    legal_id_number: Mapped[str] = mapped_column(String(30), default="")  # may be a passport
    legal_phone: Mapped[str] = mapped_column(String(30), default="")
    phone: Mapped[str] = mapped_column(String(30), default="")
    contact_name: Mapped[str] = mapped_column(String(50), default="")  # 经办人
    contact_phone: Mapped[str] = mapped_column(String(30), default="")
    business_address: Mapped[str] = mapped_column(String(200), default="")
    registered_address: Mapped[str] = mapped_column(String(200), default="")
    staff_last_year: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 上年度职工数

    related_units: Mapped[list[RelatedUnit]] = relationship(
        back_populates="unit", cascade="all, delete-orphan", order_by="RelatedUnit.id"
    )


class RelatedUnit(Base, Timestamped):
    """A 关联单位: a subsidiary paying wages/insurance, or a 劳务派遣 agency."""

    __tablename__ = "related_unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    region_code: Mapped[str] = mapped_column(String(6))  # 行政划分区域
    credit_code: Mapped[str] = mapped_column(String(18))
    tax_number: Mapped[str] = mapped_column(String(40), default="")
    org_code: Mapped[str] = mapped_column(String(20), default="")
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(30), default="")
    address: Mapped[str] = mapped_column(String(200), default="")
    relation: Mapped[str] = mapped_column(String(20), default="其他关联单位")  # 上下级/其他关联单位/劳务派遣
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)

    unit: Mapped[Unit] = relationship(back_populates="related_units")
