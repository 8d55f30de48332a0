"""参数设置: the province parameters a process owner changed, as an append-only log.

Every row is one act: a dated value (`set`), the confirmation that a shipped wage figure
was checked against the published one (`confirm`), or the withdrawal of a change that has
not yet taken effect (`cancel`, naming it in `ref_id`). Nothing is updated or deleted, so
the history of who changed what, when and from which day is the table itself, and the
largest id tells every web and worker process whether anything changed since it last
looked (``casework.province_params.DatabaseChanges``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base

KIND_SET = "set"
KIND_CONFIRM = "confirm"
KIND_CANCEL = "cancel"


class ProvinceParamEntry(Base):
    __tablename__ = "province_param_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    province: Mapped[str] = mapped_column(String(6), index=True)  # "210000"
    kind: Mapped[str] = mapped_column(String(10))
    field: Mapped[str] = mapped_column(String(40))  # a parameter key or a wage table
    region: Mapped[str] = mapped_column(String(6), default="")  # wage tables: the region
    year: Mapped[int | None] = mapped_column(Integer, nullable=True)  # social average wage: its year
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)  # inclusive; None: open
    value: Mapped[Any] = mapped_column(JSON, nullable=True)  # as in the parameter files
    note: Mapped[str] = mapped_column(String(500), default="")
    ref_id: Mapped[int | None] = mapped_column(ForeignKey("province_param_entry.id"), nullable=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), nullable=True)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the engine clock
