"""超比例奖励申请 (002): a unit that placed more disabled staff than its quota applies for
the reward of a certified year; or a reviewer applies for it at the window.

What the application rests on is the year's valid 审核认定书 (its frozen facts: the
certified persons, weighted as the certification weighs them) and the unit's 上年度职工数;
the amount is `domain.reward`'s, with the ratio, coefficient and base the province's
parameters give for that year. Not certified, not above the quota, or already applied
that year: a refusal, and nothing is created. Who reviews it and in which order is the
diagram's (workflows/over_ratio_reward.bpmn); the commands here file it, correct it when
it comes back, and the script functions below record where it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework import certificates
from casework.audit import record
from casework.cases import case_of
from casework.labels import case_label
from casework.models import CertificationCase, RewardApplication, Unit
from casework.models.issued_certificate import VALID
from casework.models.review_status import UNDER_REVIEW
from casework.models.reward import (
    APPROVED,
    EMPLOYER,
    FIRST_REVIEW,
    REJECTED,
    SECOND_REVIEW,
    WINDOW,
)
from casework.schemas.reward_application import RewardApplicationInput
from casework.scope import Forbidden, NotFound, is_within_jurisdiction
from casework.system import System
from casework.task_forms import EMPLOYER as EMPLOYER_ROLES
from casework.task_forms import TaskForm, register_form, require_form
from casework.uploads import attachments_of
from domain.errors import DomainError, FieldErrors
from domain.reward import RewardResult, reward_for
from engine.context import current_step
from engine.script_engine import register_script_function

PROCESS = "over_ratio_reward"
# what the diagram is given when an application is filed
START_DATA = ("reward_id", "case_id", "channel", "filed_by")

FORM_CORRECT = register_form(TaskForm(
    key="reward_correct", title="补正", roles=EMPLOYER_ROLES, subject="case", writes=(),
    page="reward.index", api="POST /api/v1/reward/application/correction",
    help="按初审的退回理由修改收款信息或补充材料，重新提交初审",
)).key


@dataclass(frozen=True)
class RewardFigures:
    """超比例奖励信息 as 002 shows it, for one unit and certified year."""

    year: int
    case: CertificationCase
    certificate_number: str
    staff_count: int  # 上年度在职职工总数
    placed_persons: Decimal  # 上年度安置残疾人数 (certified, weighted)
    result: RewardResult  # 安置比例残疾人数, 超比例安置残疾人数, 安置系数, 奖励金额

    @property
    def eligible(self) -> bool:
        return self.result.excess > 0


def figures(session: Session, unit: Unit, year: int) -> RewardFigures:
    """The figures of `year`, or a DomainError saying why there are none (not certified,
    no 上年度职工数, no parameters for the province)."""
    case = case_of(session, unit.id, year)
    certificate = certificates.current(session, case) if case is not None else None
    if case is None or certificate is None or certificate.status != VALID:
        raise DomainError(f"本单位{year}年度尚未取得有效的按比例安排残疾人就业审核认定书，不能申请超比例奖励")
    staff = unit.staff_last_year
    if not staff or staff <= 0:
        raise DomainError("请先在“单位信息维护管理”中维护上年度职工数（每年维护一次），再申请超比例奖励", "staff_count")
    placed = Decimal(str((certificate.facts.get("totals") or {}).get("actual_persons") or "0"))
    result = reward_for(case.region_code, year, staff, placed)
    return RewardFigures(year, case, certificate.number, staff, placed, result)


def require_eligible(found: RewardFigures) -> RewardFigures:
    if not found.eligible:
        raise DomainError(
            f"本单位{found.year}年度安置残疾人{_persons(found.placed_persons)}人，未超过按比例应安排的"
            f"{found.result.quota_persons}人，不符合超比例奖励条件"
        )
    return found


def _persons(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral_value() else format(value.quantize(Decimal("0.01")), "f")


def application_of(session: Session, unit_id: int, year: int) -> RewardApplication | None:
    return session.scalar(
        select(RewardApplication).where(RewardApplication.unit_id == unit_id, RewardApplication.year == year)
    )


def applications_of_unit(session: Session, unit_id: int) -> list[RewardApplication]:
    return list(
        session.scalars(
            select(RewardApplication).where(RewardApplication.unit_id == unit_id).order_by(RewardApplication.year.desc())
        )
    )


def _attachments(session: Session, data: RewardApplicationInput, unit_id: int) -> list[int]:
    found = attachments_of(session, data.attachment_ids, unit_id)
    if len(found) != len(set(data.attachment_ids)):
        raise FieldErrors({"attachment_ids": "附件不存在或不属于该单位"})
    return [a.id for a in found]


def _set_figures(application: RewardApplication, found: RewardFigures) -> None:
    result = found.result
    application.staff_count = found.staff_count
    application.placed_persons = found.placed_persons
    application.quota_persons = result.quota_persons
    application.over_persons = result.excess
    application.coefficient = result.coefficient
    application.base_amount = result.base
    application.amount = result.reward


def apply(
    session: Session, system: System, user, unit: Unit, year: int, data: RewardApplicationInput, *,
    channel: str = EMPLOYER, ip: str = "",
) -> RewardApplication:
    """File the application of `unit` for `year` and start its review. The unit applies
    for itself (channel employer); a reviewer or supervisor files at the window for a unit
    of their jurisdiction (channel window). One per unit and year, also when two submits
    race: the second meets the unique (unit, year) and is refused, and nothing of it stays."""
    if channel == WINDOW:
        if user.role not in ("reviewer", "supervisor") or not is_within_jurisdiction(unit.cdpf_region, user.region_code):
            raise Forbidden("只能为本辖区的单位代为申请超比例奖励")
    elif user.unit_id != unit.id:
        raise Forbidden("只能为本单位申请超比例奖励")
    if application_of(session, unit.id, year) is not None:
        raise DomainError(f"本单位{year}年度已提交超比例奖励申请，每个业务年度只能申请一次")
    found = require_eligible(figures(session, unit, year))
    attachment_ids = _attachments(session, data, unit.id)
    now = system.runtime.clock.now()
    application = RewardApplication(
        unit_id=unit.id, case_id=found.case.id, year=year, region_code=found.case.region_code, channel=channel,
        filed_by=user.login, filed_at=now, payee_name=data.payee_name, payee_account=data.payee_account,
        payee_bank=data.payee_bank, attachment_ids=attachment_ids,
        status=SECOND_REVIEW if channel == WINDOW else FIRST_REVIEW, status_changed_at=now,
    )
    _set_figures(application, found)
    try:
        with session.begin_nested():
            session.add(application)
            session.flush()
    except IntegrityError:
        raise DomainError(f"本单位{year}年度已提交超比例奖励申请，每个业务年度只能申请一次") from None
    instance = system.runtime.start(
        session, PROCESS, case_ref=found.case.ref, region_code=found.case.region_code,
        subject_ref=application.ref, case_id=found.case.id, subject_id=application.id,
        case_label=case_label(unit), subject_label=f"{year}年度超比例奖励申请",
        data=dict(zip(START_DATA, (application.id, found.case.id, channel, user.login), strict=True)),
        actor=user.login,
    )
    application.instance_id = instance.id
    record(session, user, "提交超比例奖励申请", case_id=found.case.id, target=application.ref,
           detail={"year": year, "channel": channel, "amount": str(application.amount)}, ip=ip)
    return application


def correct(
    session: Session, system: System, user, application: RewardApplication, data: RewardApplicationInput, ip: str = "",
) -> RewardApplication:
    """补正: the unit changes the payee or the documents of a returned application; the
    figures are taken again (the unit may have corrected its 上年度职工数), and it goes back
    to 初审 — the diagram's way for any change after a review."""
    if user.unit_id != application.unit_id:
        raise NotFound("未找到该申请")
    task = require_form(session, application.instance_id, FORM_CORRECT, "该申请当前不是“退回补正”状态，不能修改")
    unit = session.get(Unit, application.unit_id)
    found = require_eligible(figures(session, unit, application.year))
    before = {"payee_account": application.payee_account, "amount": str(application.amount)}
    application.payee_name, application.payee_account = data.payee_name, data.payee_account
    application.payee_bank = data.payee_bank
    application.attachment_ids = _attachments(session, data, unit.id)
    _set_figures(application, found)
    system.runtime.complete_task(session, task.task_id, {}, actor=user.login)
    record(session, user, "重新提交超比例奖励申请", case_id=application.case_id, target=application.ref,
           detail={"before": before, "amount": str(application.amount)}, ip=ip)
    return application


def for_staff(session: Session, user, application_id: int) -> RewardApplication:
    """An application of the user's jurisdiction (else 404, revealing nothing)."""
    application = session.get(RewardApplication, application_id)
    if application is None or not is_within_jurisdiction(application.region_code, user.region_code):
        raise NotFound("未找到该申请")
    return application


def of_subject(session: Session, subject_ref: str) -> RewardApplication | None:
    """The application an inbox row's subject names (`reward:<id>`), if it is one."""
    if not (subject_ref or "").startswith("reward:"):
        return None
    try:
        return session.get(RewardApplication, int(subject_ref.split(":", 1)[1]))
    except ValueError:
        return None


# -- what the diagram's script tasks call ------------------------------------------------------
def _application(reward_id: int) -> RewardApplication:
    application = current_step().session.get(RewardApplication, int(reward_id))
    if application is None:
        raise LookupError(f"reward application {reward_id} not found")
    return application


@register_script_function()
def reward_status(reward_id: int, status: str) -> None:
    """Where the application stands (待初审, 退回补正, 待复审), for the unit and the staff."""
    if status not in UNDER_REVIEW:
        raise ValueError(f"unknown reward status {status!r}")
    application = _application(reward_id)
    application.status, application.status_changed_at = status, current_step().now


@register_script_function()
def reward_approved(reward_id: int) -> None:
    """复审通过 (or 复核通过): the 奖励审核认定书 is issued, its facts frozen."""
    from casework.reward_certificates import issue

    application = _application(reward_id)
    application.status, application.status_changed_at = APPROVED, current_step().now
    application.certificate_id = issue(current_step().session, application, current_step().now).id
    record(current_step().session, None, "超比例奖励审核通过", case_id=application.case_id, target=application.ref,
           detail={"amount": str(application.amount)})


@register_script_function()
def reward_rejected(reward_id: int, decision_reason: str) -> None:
    """不通过: the application ends; the reason is in its decision history."""
    application = _application(reward_id)
    application.status, application.status_changed_at = REJECTED, current_step().now
    record(current_step().session, None, "超比例奖励审核不通过", case_id=application.case_id, target=application.ref,
           detail={"reason": str(decision_reason or "")[:500]})

