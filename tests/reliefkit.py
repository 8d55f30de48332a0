"""Helpers for the 缓减免申请 page, API and browser tests: a demo unit's case of the business
year opened (what 年审申报 does on first use), the unit's application read back, and the
staff's 初审/复审 decisions taken through the service."""

from __future__ import annotations

from sqlalchemy import select

from casework import cases
from casework.models import LevyRelief, Unit, User
from tests.applicationkit import decide_on

REASON = "2025年7月遭受特大洪涝灾害，厂房和生产设备受损，直接经济损失约300万元"


def open_year(app, credit_code: str) -> int:
    """The unit's certification case of the business year (opened); returns the year."""
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == credit_code))
        user = s.scalar(select(User).where(User.unit_id == unit.id))
        return cases.open_case(s, system, unit, system.settings.business_year, user.login).year


def relief_of(app, credit_code: str, year: int) -> LevyRelief | None:
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == credit_code))
        return s.scalar(select(LevyRelief).where(LevyRelief.unit_id == unit.id, LevyRelief.year == year))


def decide(app, login: str, relief_id: int, task_name: str, outcome: str, reason: str = "") -> None:
    """初审 (first_review, a reviewer) or 复审 (second_review, a supervisor) through the service."""
    decide_on(app, LevyRelief, relief_id, login, outcome, reason, task_name)


def approve(app, relief_id: int) -> None:
    decide(app, "reviewer_anshan", relief_id, "first_review", "approve")
    decide(app, "supervisor_anshan", relief_id, "second_review", "approve")
