"""Helpers for the 超比例奖励 page, API and browser tests: a demo unit certified for the
business year (people 已审核确认 written directly, 完成申报, its 审核认定书 issued), and
the staff's 初审/复审 decisions taken through the service."""

from __future__ import annotations

from sqlalchemy import select

from casework import cases, certificates
from casework.models import RewardApplication, Unit, User
from tests.applicationkit import decide_on
from tests.certkit import add_certified_person, declared, id_number

PAYEE = {"payee_name": "鞍山市铁东区示范机械有限公司", "payee_account": "6222 0000 1234 5678", "payee_bank": "中国银行鞍山分行"}


def certify(app, credit_code: str, *, staff: int | None = 30, people: int = 2, first: int = 40) -> int:
    """The unit's case of the business year with `people` persons certified for the whole
    year, declared, its certificate issued; 上年度职工数 `staff`. Returns the year."""
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == credit_code))
        user = s.scalar(select(User).where(User.unit_id == unit.id))
        case = cases.open_case(s, system, unit, system.settings.business_year, user.login)
        for n in range(people):
            add_certified_person(s, case, f"奖励{n + 1}", id_number(first + n), list(range(1, 13)))
        declared(case, system.runtime.clock.now())
        certificates.issue(s, case, system.runtime.clock.now())
        unit.staff_last_year = staff
        return case.year


def application(app, credit_code: str, year: int) -> RewardApplication | None:
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == credit_code))
        return s.scalar(select(RewardApplication).where(RewardApplication.unit_id == unit.id, RewardApplication.year == year))


def decide(app, login: str, application_id: int, task_name: str, outcome: str, reason: str = "") -> None:
    """初审 (first_review, a reviewer) or 复审 (second_review, a supervisor) through the service."""
    decide_on(app, RewardApplication, application_id, login, outcome, reason, task_name)


def approve(app, application_id: int) -> None:
    decide(app, "reviewer_anshan", application_id, "first_review", "approve")
    decide(app, "supervisor_anshan", application_id, "second_review", "approve")
