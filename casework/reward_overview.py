"""超比例奖励申请 as the unit sees it (002's 网报系统 page and its API twin): for one
业务年度, the figures it could apply with or why it cannot, and — once it applied — where
its application stands, the 初审/复审 decisions on it and what it may do now (补正 while
the diagram's `reward_correct` task is open, download the 奖励审核认定书 once approved).

Read only: the commands are casework.reward_applications'."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import reward_applications as rewards
from casework.models import (
    DecisionRecord,
    IssuedCertificate,
    RewardApplication,
    Unit,
)
from casework.models.reward import APPROVED, STATUS_HELP
from casework.task_forms import task_with_form
from domain.errors import DomainError


@dataclass
class RewardOverview:
    year: int
    figures: rewards.RewardFigures | None = None  # what applying now would freeze
    refusal: str | None = None  # why the unit cannot apply (no application yet)
    refusal_field: str | None = None  # "staff_count": 上年度职工数 missing
    application: RewardApplication | None = None
    decisions: list[DecisionRecord] = field(default_factory=list)
    can_correct: bool = False
    certificate: IssuedCertificate | None = None

    @property
    def can_apply(self) -> bool:
        return self.application is None and self.refusal is None and self.figures is not None

    @property
    def status_help(self) -> str:
        return STATUS_HELP.get(self.application.status, "") if self.application else ""


def default_year(session: Session, unit: Unit, years: list[int]) -> int | None:
    """The latest year with an application, else the latest the unit could apply for
    (a valid 审核认定书), else simply the latest year it has a case for."""
    applied = {a.year for a in rewards.applications_of_unit(session, unit.id)}
    for year in years:
        if year in applied:
            return year
    for year in years:
        try:
            rewards.figures(session, unit, year)
            return year
        except DomainError:
            continue
    return years[0] if years else None


def overview(session: Session, unit: Unit, year: int) -> RewardOverview:
    found = RewardOverview(year=year)
    found.application = rewards.application_of(session, unit.id, year)
    if found.application is not None:
        application = found.application
        found.decisions = list(session.scalars(
            select(DecisionRecord).where(DecisionRecord.case_id == application.case_id,
                                         DecisionRecord.subject_ref == application.ref)
            .order_by(DecisionRecord.at, DecisionRecord.id)
        ))  # fmt: skip
        found.can_correct = task_with_form(session, application.instance_id, rewards.FORM_CORRECT) is not None
        if application.status == APPROVED and application.certificate_id:
            found.certificate = session.get(IssuedCertificate, application.certificate_id)
    try:
        found.figures = rewards.figures(session, unit, year)
        if found.application is None:
            rewards.require_eligible(found.figures)
    except DomainError as exc:
        if found.application is None:
            found.refusal, found.refusal_field = exc.message, exc.field
    return found


def money(value: Decimal | None) -> str:
    """An amount in 元 to the fen, with thousands separators: 9,900.00."""
    return "" if value is None else f"{Decimal(value).quantize(Decimal('0.01')):,}"


def persons(value: Decimal | int | None) -> str:
    """A number of persons as 002 shows it: 2, or 1.5 when weighted months leave a fraction."""
    if value is None:
        return ""
    number = Decimal(value)
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.quantize(Decimal("0.01")).normalize(), "f")


def coefficient(value: Decimal | None) -> str:
    return "" if value is None else format(Decimal(value).normalize(), "f")
