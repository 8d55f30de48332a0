"""安置残疾大学生申请: a unit asks for the subsidy for a disabled college graduate it placed.

The graduate is one of the unit's placed persons of the year (a Placement of its
certification case, not removed), at most once a year (unique (placement, year), also
when two submits race). The amount is the province's dated parameter `graduate_subsidy`
(元 per graduate per year, on the day it is filed) × the months employed that year ÷ 12,
to the fen, frozen on the application. Who reviews it is the diagram's
(workflows/graduate_subsidy.bpmn: 初审 → 复审, 退回补正, 退回初审); the commands file it and
correct it, the script functions record where it stands.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.audit import record
from casework.cases import case_of
from casework.labels import case_label
from casework.models import CertificationCase, Placement, Unit
from casework.models.graduate_subsidy import (
    APPROVED,
    FIRST_REVIEW,
    MAX_YEARS_SINCE_GRADUATION,
    REJECTED,
    GraduateSubsidy,
)
from casework.models.review_status import UNDER_REVIEW
from casework.schemas.graduate_subsidy import GraduateSubsidyInput
from casework.scope import Forbidden, NotFound
from casework.system import System
from casework.task_forms import EMPLOYER as EMPLOYER_ROLES
from casework.task_forms import TaskForm, register_form, require_form
from casework.uploads import attachments_of
from domain.errors import Conflict, DomainError, FieldErrors
from domain.params import params_for
from engine.clock import CHINA_TZ
from engine.context import current_step
from engine.script_engine import register_script_function

PROCESS = "graduate_subsidy"
START_DATA = ("graduate_id", "case_id", "filed_by")
ONCE = "该人员{year}年度已提交安置残疾大学生申请，每人每个年度只能申请一次"

FORM_CORRECT = register_form(TaskForm(
    key="graduate_subsidy_correct", title="补正", roles=EMPLOYER_ROLES, subject="case", writes=(),
    page="graduates.index", api="POST /api/v1/graduates/{graduate_id}/correction",
    help="按初审的退回理由修改安置残疾大学生申请或补充材料，重新提交初审",
)).key


def applications_of(session: Session, unit_id: int, year: int) -> list[GraduateSubsidy]:
    return list(session.scalars(
        select(GraduateSubsidy).where(GraduateSubsidy.unit_id == unit_id, GraduateSubsidy.year == year)
        .order_by(GraduateSubsidy.id)
    ))  # fmt: skip


def application_for(session: Session, placement_id: int, year: int) -> GraduateSubsidy | None:
    return session.scalar(
        select(GraduateSubsidy).where(GraduateSubsidy.placement_id == placement_id, GraduateSubsidy.year == year)
    )


def amount_of(standard: Decimal, months: int) -> Decimal:
    """standard × months / 12, to the fen (half up)."""
    return (Decimal(standard) * months / 12).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def standard_on(region_code: str, day: date) -> Decimal:
    return params_for(region_code, day).graduate_subsidy


def earliest_graduation(today: date) -> date:
    """The earliest graduation date still accepted: the same day 5 years ago."""
    year = today.year - MAX_YEARS_SINCE_GRADUATION
    return date(year, today.month, 28 if (today.month, today.day) == (2, 29) else today.day)


def _checked(session: Session, system: System, data: GraduateSubsidyInput, case: CertificationCase,
             placement: Placement | None) -> tuple[int, list[int]]:
    """(months, attachment ids) once the person, the date and the documents are right."""
    errors: dict[str, str] = {}
    today = system.runtime.clock.now().astimezone(CHINA_TZ).date()
    if data.graduated_on > today:
        errors["graduated_on"] = "毕业时间不能晚于今天"
    elif data.graduated_on < earliest_graduation(today):
        errors["graduated_on"] = f"毕业时间须在{MAX_YEARS_SINCE_GRADUATION}年以内（{earliest_graduation(today).isoformat()}及以后）"
    months = data.months
    if months is None:
        months = placement.confirmed_months if placement is not None else 0
        if not 1 <= months <= 12:
            errors["months"] = "请填写当年就业月数（1至12）"
    found = attachments_of(session, data.attachment_ids, case.unit_id)
    if len(found) != len(set(data.attachment_ids)):
        errors["attachment_ids"] = "附件不存在或不属于该单位"
    elif not found:
        errors["attachment_ids"] = "请上传毕业证书或学位证书（至少一项）"
    if errors:
        raise FieldErrors(errors)
    return months, [a.id for a in found]


def _placement(session: Session, case: CertificationCase, placement_id: int) -> Placement:
    placement = session.get(Placement, placement_id)
    if placement is None or placement.case_id != case.id or placement.removed:
        raise FieldErrors({"placement_id": f"请选择本单位{case.year}年度的安置人员"})
    return placement


def apply(session: Session, system: System, user, unit: Unit, year: int, data: GraduateSubsidyInput,
          ip: str = "") -> GraduateSubsidy:
    """File the application for one placed person of `year` and start its review."""
    if user.unit_id != unit.id:
        raise Forbidden("只能为本单位申请")
    case = case_of(session, unit.id, year)
    if case is None:
        raise DomainError(f"本单位尚未开始{year}年度的年审认证，请先进入年审申报后再申请")
    placement = _placement(session, case, data.placement_id)
    if application_for(session, placement.id, year) is not None:
        raise Conflict(ONCE.format(year=year))
    months, attachment_ids = _checked(session, system, data, case, placement)
    now = system.runtime.clock.now()
    standard = standard_on(case.region_code, now.astimezone(CHINA_TZ).date())
    grad = GraduateSubsidy(
        unit_id=unit.id, case_id=case.id, placement_id=placement.id, year=year, region_code=case.region_code,
        person_name=placement.name, id_number=placement.id_number, school=data.school, major=data.major,
        education=data.education, degree=data.degree, graduated_on=data.graduated_on, diploma_no=data.diploma_no,
        months=months, standard=standard, amount=amount_of(standard, months), attachment_ids=attachment_ids,
        status=FIRST_REVIEW, status_changed_at=now, filed_by=user.login, filed_at=now,
    )
    try:
        with session.begin_nested():
            session.add(grad)
            session.flush()
    except IntegrityError:
        raise Conflict(ONCE.format(year=year)) from None
    instance = system.runtime.start(
        session, PROCESS, case_ref=case.ref, region_code=case.region_code, subject_ref=grad.ref,
        case_id=case.id, subject_id=grad.id, case_label=case_label(unit),
        subject_label=f"{year}年度安置残疾大学生申请（{placement.name}）",
        data=dict(zip(START_DATA, (grad.id, case.id, user.login), strict=True)), actor=user.login,
    )
    grad.instance_id = instance.id
    record(session, user, "提交安置残疾大学生申请", case_id=case.id, target=grad.ref,
           detail={"year": year, "placement_id": placement.id, "months": months, "amount": str(grad.amount)}, ip=ip)
    return grad


def correct(session: Session, system: System, user, grad: GraduateSubsidy, data: GraduateSubsidyInput,
            ip: str = "") -> GraduateSubsidy:
    """补正: the unit changes a returned application (the person stays); back to 初审. The
    months may change, the amount is recomputed with the standard frozen when filed."""
    if user.unit_id != grad.unit_id:
        raise NotFound("未找到该申请")
    task = require_form(session, grad.instance_id, FORM_CORRECT, "该申请当前不是“退回补正”状态，不能修改")
    if data.placement_id != grad.placement_id:
        raise FieldErrors({"placement_id": "补正时不能更换安置人员"})
    case = session.get(CertificationCase, grad.case_id)
    months, attachment_ids = _checked(session, system, data, case, session.get(Placement, grad.placement_id))
    grad.school, grad.major, grad.education, grad.degree = data.school, data.major, data.education, data.degree
    grad.graduated_on, grad.diploma_no, grad.attachment_ids = data.graduated_on, data.diploma_no, attachment_ids
    grad.months, grad.amount = months, amount_of(grad.standard, months)
    system.runtime.complete_task(session, task.task_id, {}, actor=user.login)
    record(session, user, "重新提交安置残疾大学生申请", case_id=grad.case_id, target=grad.ref,
           detail={"months": months, "amount": str(grad.amount)}, ip=ip)
    return grad


# -- what the diagram's script tasks call ------------------------------------------------------
def _grad(graduate_id: int) -> GraduateSubsidy:
    grad = current_step().session.get(GraduateSubsidy, int(graduate_id))
    if grad is None:
        raise LookupError(f"graduate subsidy {graduate_id} not found")
    return grad


@register_script_function()
def graduate_status(graduate_id: int, status: str) -> None:
    """Where the application stands (待初审, 退回补正, 待复审)."""
    if status not in UNDER_REVIEW:
        raise ValueError(f"unknown graduate subsidy status {status!r}")
    grad = _grad(graduate_id)
    grad.status, grad.status_changed_at = status, current_step().now


@register_script_function()
def graduate_approved(graduate_id: int) -> None:
    grad = _grad(graduate_id)
    grad.status, grad.status_changed_at = APPROVED, current_step().now
    record(current_step().session, None, "安置残疾大学生申请已批准", case_id=grad.case_id, target=grad.ref,
           detail={"amount": str(grad.amount)})


@register_script_function()
def graduate_refused(graduate_id: int, decision_reason: str) -> None:
    grad = _grad(graduate_id)
    grad.status, grad.status_changed_at = REJECTED, current_step().now
    record(current_step().session, None, "安置残疾大学生申请未批准", case_id=grad.case_id, target=grad.ref,
           detail={"reason": str(decision_reason or "")[:500]})
