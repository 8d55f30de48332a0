"""Where an application reviewed twice stands (超比例奖励, 缓减免, …): the statuses its
diagram's script tasks set, and the columns all such applications share. Each application
names the approved and rejected ends in its own words (复审通过 / 已批准), and says what
each status means for its unit."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

FIRST_REVIEW = "first_review"  # 待初审
RETURNED = "returned"  # 退回补正
SECOND_REVIEW = "second_review"  # 待复审 / 待复核
APPROVED = "approved"
REJECTED = "rejected"
# the statuses a diagram's script task may set while the application is under review
UNDER_REVIEW = (FIRST_REVIEW, RETURNED, SECOND_REVIEW)


def status_names(approved: str, rejected: str) -> dict[str, str]:
    return {FIRST_REVIEW: "待初审", RETURNED: "退回补正", SECOND_REVIEW: "待复审", APPROVED: approved, REJECTED: rejected}


class ReviewedApplication:
    """The columns of every application a diagram reviews (超比例奖励, 缓减免, 安置残疾大学生,
    注销安置登记): whose and which year, its documents, where it stands, who filed it and
    when, and its diagram instance. Each application names its reference prefix (the
    inbox's subject_ref) and what its statuses are called and mean for the unit."""

    REF: ClassVar[str]
    STATUS_NAMES: ClassVar[dict[str, str]]
    STATUS_HELP: ClassVar[dict[str, str]]

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("certification_case.id"))
    year: Mapped[int] = mapped_column(Integer)  # the certification's 业务年度
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=FIRST_REVIEW)
    status_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    filed_by: Mapped[str] = mapped_column(String(60))
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instance.id"), nullable=True)

    @property
    def ref(self) -> str:
        return f"{self.REF}:{self.id}"

    @property
    def status_name(self) -> str:
        return self.STATUS_NAMES.get(self.status, self.status)

    @property
    def status_help(self) -> str:
        return self.STATUS_HELP.get(self.status, "")
