"""The unit's other applications of a business year as rows for its 首页 (本年度其他申请):
超比例奖励申请, 缓减免申请, 安置残疾大学生申请 (one row per person) and 注销安置登记 (one
row per request), each with where it
stands, what that means for the unit, when it last changed and the page that shows it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from casework import graduate_subsidy, levy_relief, placement_end, reward_applications
from casework.models.review_status import ReviewedApplication


@dataclass(frozen=True)
class ApplicationRow:
    kind: str  # 超比例奖励申请, 缓减免申请, 安置残疾大学生申请, 注销安置登记
    subject: str  # within the kind: 缓缴/减缴/免缴, the person's name, 单位整体 ("" for a reward)
    status: str  # first_review, returned, second_review, approved, rejected
    status_name: str
    status_help: str
    changed_at: datetime  # the status's last change (else when it was filed)
    page: str  # the endpoint of the unit's page for it
    year: int


def _row(kind: str, subject: str, application: ReviewedApplication, page: str, year: int) -> ApplicationRow:
    return ApplicationRow(
        kind, subject, application.status, application.status_name, application.status_help,
        application.status_changed_at or application.filed_at, page, year,
    )


def rows_of(session: Session, unit_id: int, year: int) -> list[ApplicationRow]:
    """The unit's applications of `year`: the reward, the levy relief, then the graduates
    and the 注销 requests in the order they were filed. Only this unit's; an empty list
    when it has none."""
    rows: list[ApplicationRow] = []
    reward = reward_applications.application_of(session, unit_id, year)
    if reward is not None:
        rows.append(_row("超比例奖励申请", "", reward, "reward.index", year))
    relief = levy_relief.application_of(session, unit_id, year)
    if relief is not None:
        rows.append(_row("缓减免申请", relief.kind_name, relief, "relief.index", year))
    rows += [
        _row("安置残疾大学生申请", grad.person_name, grad, "graduates.index", year)
        for grad in graduate_subsidy.applications_of(session, unit_id, year)
    ]
    rows += [
        _row("注销安置登记", end.person_name or "单位整体", end, "placement_end.index", year)
        for end in placement_end.ends_of(session, unit_id, year)
    ]
    return rows
