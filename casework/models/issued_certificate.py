"""审核认定书 as issued: one row per version of a case's certificate, with the facts printed
on it frozen at issue, so the document and its public verification page say what was
certified then, whatever the case's data says later.

(The name `Certificate` is the 残疾证 of a placement, casework.models.placement.)
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, Timestamped

KIND_ANNUAL = "annual"  # 按比例安排残疾人就业审核认定书; the reward issue adds "reward"

VALID = "valid"
WITHDRAWN = "withdrawn"  # 年审申报撤回 approved: the result is cancelled
SUPERSEDED = "superseded"  # a corrected version replaced it (年审认证反馈)
STATUSES = (VALID, WITHDRAWN, SUPERSEDED)
STATUS_NAMES = {VALID: "有效", WITHDRAWN: "已撤回", SUPERSEDED: "已被更正"}


class IssuedCertificate(Base, Timestamped):
    __tablename__ = "issued_certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("certification_case.id"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    year: Mapped[int] = mapped_column(Integer)
    region_code: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(20), default=KIND_ANNUAL)
    version: Mapped[int] = mapped_column(Integer)  # 1 first issue, 2… corrections
    number: Mapped[str] = mapped_column(String(60), unique=True)  # 认定书编号
    token: Mapped[str] = mapped_column(String(64), unique=True)  # in the public /verify/ URL
    status: Mapped[str] = mapped_column(String(20), default=VALID)
    status_reason: Mapped[str] = mapped_column(String(200), default="")
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("issued_certificate.id"), nullable=True
    )
    facts: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def status_name(self) -> str:
        return STATUS_NAMES.get(self.status, self.status)
