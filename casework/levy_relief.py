"""缓减免申请: a unit asks to defer, reduce or be exempted from a year's 残保金.

财税〔2015〕72号 第二十一条 sets the limits checked here: a reduction (or an exemption) is at
most one year's levy, a deferral at most six months. The application rests on the unit's
certification case of that year (its inbox rows and decision history hang on the case, as
the other applications' do). One per unit and year. Who reviews it and in which order is
the diagram's (workflows/levy_relief.bpmn); the commands file it and correct it when it
comes back, the script functions record where it stands and what was granted. A granted
relief is shown on the 残保金计算器 and 首页 and goes with the year's tax push.
"""

from __future__ import annotations

import calendar
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.audit import record
from casework.cases import case_of
from casework.labels import case_label
from casework.models import Unit
from casework.models.levy_relief import (
    APPROVED,
    DEFER,
    EXEMPT,
    FIRST_REVIEW,
    KIND_NAMES,
    REDUCE,
    REJECTED,
    LevyRelief,
)
from casework.models.review_status import UNDER_REVIEW
from casework.schemas.levy_relief import LevyReliefInput
from casework.scope import Forbidden, NotFound
from casework.system import System
from casework.task_forms import EMPLOYER as EMPLOYER_ROLES
from casework.task_forms import TaskForm, register_form, require_form
from casework.uploads import attachments_of
from domain.errors import DomainError, FieldErrors
from engine.clock import CHINA_TZ
from engine.context import current_step
from engine.script_engine import register_script_function

PROCESS = "levy_relief"
START_DATA = ("relief_id", "case_id", "filed_by")

FORM_CORRECT = register_form(TaskForm(
    key="levy_relief_correct", title="补正", roles=EMPLOYER_ROLES, subject="case", writes=(),
    page="relief.index", api="POST /api/v1/levy/relief/correction",
    help="按初审的退回理由修改缓减免申请或补充材料，重新提交初审",
)).key


def application_of(session: Session, unit_id: int, year: int) -> LevyRelief | None:
    return session.scalar(select(LevyRelief).where(LevyRelief.unit_id == unit_id, LevyRelief.year == year))


def granted_for(session: Session, unit_id: int, year: int) -> LevyRelief | None:
    """The year's relief if one was granted (what the calculator and the tax push show)."""
    relief = application_of(session, unit_id, year)
    return relief if relief is not None and relief.status == APPROVED else None


def _checked(session: Session, data: LevyReliefInput, unit_id: int) -> tuple[object, int | None, list[int]]:
    """(amount, months, attachment ids) the kind needs, within 第二十一条's limits."""
    errors: dict[str, str] = {}
    amount, months = None, None
    if data.kind == DEFER:
        if data.defer_months is None:
            errors["defer_months"] = "请填写缓缴期限（1至6个月）"
        months = data.defer_months
    elif data.kind == REDUCE:
        if data.amount is None:
            errors["amount"] = "请填写申请减缴金额"
        elif data.amount > data.levy_due:
            errors["amount"] = "减缴金额不能超过一年的应缴残保金金额"
        amount = data.amount
    elif data.kind == EXEMPT:
        amount = data.levy_due  # 免缴: the whole year's levy
    found = attachments_of(session, data.attachment_ids, unit_id)
    if len(found) != len(set(data.attachment_ids)):
        errors["attachment_ids"] = "附件不存在或不属于该单位"
    elif not found:
        errors["attachment_ids"] = "请上传遭受重大直接经济损失的证明材料"
    if errors:
        raise FieldErrors(errors)
    return amount, months, [a.id for a in found]


def apply(session: Session, system: System, user, unit: Unit, year: int, data: LevyReliefInput, ip: str = "") -> LevyRelief:
    """File the unit's 缓减免 application for `year` and start its review; one per unit and
    year, also when two submits race (the unique (unit, year) refuses the second)."""
    if user.unit_id != unit.id:
        raise Forbidden("只能为本单位申请缓减免")
    case = case_of(session, unit.id, year)
    if case is None:
        raise DomainError(f"本单位尚未开始{year}年度的年审认证，请先进入年审申报后再申请缓减免")
    if application_of(session, unit.id, year) is not None:
        raise DomainError(f"本单位{year}年度已提交缓减免申请，每个年度只能申请一次")
    amount, months, attachment_ids = _checked(session, data, unit.id)
    now = system.runtime.clock.now()
    relief = LevyRelief(
        unit_id=unit.id, case_id=case.id, year=year, region_code=case.region_code, kind=data.kind,
        reason=data.reason, levy_due=data.levy_due, amount=amount, defer_months=months,
        attachment_ids=attachment_ids, status=FIRST_REVIEW, status_changed_at=now, filed_by=user.login, filed_at=now,
    )
    try:
        with session.begin_nested():
            session.add(relief)
            session.flush()
    except IntegrityError:
        raise DomainError(f"本单位{year}年度已提交缓减免申请，每个年度只能申请一次") from None
    instance = system.runtime.start(
        session, PROCESS, case_ref=case.ref, region_code=case.region_code, subject_ref=relief.ref,
        case_id=case.id, subject_id=relief.id, case_label=case_label(unit),
        subject_label=f"{year}年度残保金{KIND_NAMES[data.kind]}申请",
        data=dict(zip(START_DATA, (relief.id, case.id, user.login), strict=True)), actor=user.login,
    )
    relief.instance_id = instance.id
    record(session, user, "提交缓减免申请", case_id=case.id, target=relief.ref,
           detail={"year": year, "kind": data.kind, "amount": str(amount) if amount is not None else None,
                   "months": months}, ip=ip)
    return relief


def correct(session: Session, system: System, user, relief: LevyRelief, data: LevyReliefInput, ip: str = "") -> LevyRelief:
    """补正: the unit changes a returned application; it goes back to 初审."""
    if user.unit_id != relief.unit_id:
        raise NotFound("未找到该申请")
    task = require_form(session, relief.instance_id, FORM_CORRECT, "该申请当前不是“退回补正”状态，不能修改")
    amount, months, attachment_ids = _checked(session, data, relief.unit_id)
    relief.kind, relief.reason, relief.levy_due = data.kind, data.reason, data.levy_due
    relief.amount, relief.defer_months, relief.attachment_ids = amount, months, attachment_ids
    system.runtime.complete_task(session, task.task_id, {}, actor=user.login)
    record(session, user, "重新提交缓减免申请", case_id=relief.case_id, target=relief.ref,
           detail={"kind": data.kind}, ip=ip)
    return relief


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# -- what the diagram's script tasks call ------------------------------------------------------
def _relief(relief_id: int) -> LevyRelief:
    relief = current_step().session.get(LevyRelief, int(relief_id))
    if relief is None:
        raise LookupError(f"levy relief {relief_id} not found")
    return relief


@register_script_function()
def relief_status(relief_id: int, status: str) -> None:
    """Where the application stands (待初审, 退回补正, 待复审)."""
    if status not in UNDER_REVIEW:
        raise ValueError(f"unknown relief status {status!r}")
    relief = _relief(relief_id)
    relief.status, relief.status_changed_at = status, current_step().now


@register_script_function()
def relief_granted(relief_id: int) -> bool:
    """批准: a deferral runs from the day it is granted (China date on the engine clock).
    Answers whether the year's result had already gone to tax: the diagram's gateway
    decides whether the relief follows as a correction."""
    from casework.tax_exchange import latest

    relief = _relief(relief_id)
    now = current_step().now
    relief.status, relief.status_changed_at = APPROVED, now
    if relief.kind == DEFER and relief.defer_months:
        relief.defer_until = _add_months(now.astimezone(CHINA_TZ).date(), relief.defer_months)
    record(current_step().session, None, "缓减免申请已批准", case_id=relief.case_id, target=relief.ref,
           detail={"granted": relief.granted})
    return latest(current_step().session, relief.case_id) is not None


@register_script_function()
def relief_refused(relief_id: int, decision_reason: str) -> None:
    relief = _relief(relief_id)
    relief.status, relief.status_changed_at = REJECTED, current_step().now
    record(current_step().session, None, "缓减免申请未批准", case_id=relief.case_id, target=relief.ref,
           detail={"reason": str(decision_reason or "")[:500]})


def tax_payload(session: Session, unit_id: int, year: int) -> dict | None:
    """The granted relief as the tax push sends it (None when none was granted)."""
    relief = granted_for(session, unit_id, year)
    if relief is None:
        return None
    return {
        "kind": relief.kind,
        "amount": float(relief.amount) if relief.amount is not None else None,
        "defer_until": relief.defer_until.isoformat() if relief.defer_until else None,
        "granted_at": relief.status_changed_at.isoformat() if relief.status_changed_at else None,
    }
