"""单位注销安置登记: a unit ends a placed person's placement from a month on (离职, 退休,
死亡), or its whole registration of a year (单位注销), and the 残联 reviews it.

While the request is open nothing changes: the months still count. Approval sets the
persons' `ended_from_month`, after which `flow_functions.recount` no longer registers or
counts those months (the person's 安置登记/确认/核定 months and the unit's result shrink);
a valid 审核认定书 of the year is reissued as a corrected version, and the script tells
the diagram whether the year had already gone to tax and how many months stopped
counting — the diagram's gateway decides whether a correction is pushed
(workflows/placement_end.bpmn: 初审 → 复审, 退回补正, 退回初审, → 推送税务部门（更正）).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.audit import record
from casework.cases import case_of
from casework.labels import case_label
from casework.models import CertificationCase, Placement, Unit
from casework.models.placement_end import (
    APPROVED,
    FIRST_REVIEW,
    PERSON,
    PERSON_REASONS,
    REJECTED,
    UNIT,
    UNIT_REASONS,
    PlacementEnd,
)
from casework.models.review_status import UNDER_REVIEW
from casework.placements import people_of
from casework.schemas.placement_end import PlacementEndInput
from casework.scope import Forbidden, NotFound
from casework.system import System
from casework.task_forms import EMPLOYER as EMPLOYER_ROLES
from casework.task_forms import TaskForm, register_form, require_form
from casework.uploads import attachments_of
from domain.errors import Conflict, DomainError, FieldErrors
from engine.clock import CHINA_TZ
from engine.context import current_step
from engine.script_engine import register_script_function

PROCESS = "placement_end"
START_DATA = ("end_id", "case_id", "filed_by")
OPEN = "已有一份待审核的注销申请（{who}），请等待审核结果"

FORM_CORRECT = register_form(TaskForm(
    key="placement_end_correct", title="补正", roles=EMPLOYER_ROLES, subject="case", writes=(),
    page="placement_end.index", api="POST /api/v1/placement-ends/{end_id}/correction",
    help="按初审的退回理由修改注销安置登记申请或补充材料，重新提交初审",
)).key


def ends_of(session: Session, unit_id: int, year: int) -> list[PlacementEnd]:
    return list(session.scalars(
        select(PlacementEnd).where(PlacementEnd.unit_id == unit_id, PlacementEnd.year == year)
        .order_by(PlacementEnd.id)
    ))  # fmt: skip


def _open_key(case: CertificationCase, scope: str, placement_id: int | None) -> str:
    return f"{case.id}:{placement_id if scope == PERSON else 'unit'}"


def first_month_allowed(year: int, ended_on: date) -> tuple[int, int] | None:
    """The 注销起始月份 a date allows in `year`: (first, last) — the month it ended in
    (that month no longer counted) or the next one (that month still counted); 1 when
    it ended before the year; None when it ended after the year (nothing to end)."""
    if ended_on.year < year:
        return (1, 1)
    if ended_on.year > year:
        return None
    return (ended_on.month, min(12, ended_on.month + 1))


def _checked(session: Session, system: System, data: PlacementEndInput, case: CertificationCase) -> list[int]:
    """The attachment ids once the reason, the date, the month and the documents are right."""
    errors: dict[str, str] = {}
    today = system.runtime.clock.now().astimezone(CHINA_TZ).date()
    reasons = PERSON_REASONS if data.scope == PERSON else UNIT_REASONS
    if data.reason not in reasons:
        errors["reason"] = f"注销原因请选择：{'、'.join(reasons)}"
    allowed = first_month_allowed(case.year, data.ended_on)
    if data.ended_on > today:
        errors["ended_on"] = "注销日期不能晚于今天"
    elif allowed is None:
        errors["ended_on"] = f"注销日期在{case.year}年度以后，无需注销该年度的安置登记"
    elif not allowed[0] <= data.from_month <= allowed[1]:
        first, last = allowed
        errors["from_month"] = (f"注销起始月份应为{first}月" if first == last
                                else f"注销起始月份应为{first}月或{last}月（注销日期所在月或其次月）")
    found = attachments_of(session, data.attachment_ids, case.unit_id)
    if len(found) != len(set(data.attachment_ids)):
        errors["attachment_ids"] = "附件不存在或不属于该单位"
    elif not found:
        errors["attachment_ids"] = "请上传盖章的注销业务申请书及离职、退休、死亡或注销证明"
    if errors:
        raise FieldErrors(errors)
    return [a.id for a in found]


def _person(session: Session, case: CertificationCase, data: PlacementEndInput) -> Placement | None:
    if data.scope == UNIT:
        if not people_of(session, case.id):
            raise DomainError(f"本单位{case.year}年度没有安置人员，无需注销安置登记")
        return None
    placement = session.get(Placement, data.placement_id) if data.placement_id else None
    if placement is None or placement.case_id != case.id or placement.removed:
        raise FieldErrors({"placement_id": f"请选择本单位{case.year}年度的安置人员"})
    if placement.ended_from_month is not None and placement.ended_from_month <= data.from_month:
        raise DomainError(f"{placement.name}已自{placement.ended_from_month}月起注销安置登记")
    return placement


def apply(session: Session, system: System, user, unit: Unit, year: int, data: PlacementEndInput,
          ip: str = "") -> PlacementEnd:
    """File the request and start its review; nothing counts differently until approved."""
    if user.unit_id != unit.id:
        raise Forbidden("只能为本单位申请")
    case = case_of(session, unit.id, year)
    if case is None:
        raise DomainError(f"本单位没有{year}年度的年审认证，无需注销安置登记")
    placement = _person(session, case, data)
    attachment_ids = _checked(session, system, data, case)
    who = placement.name if placement is not None else "单位整体"
    key = _open_key(case, data.scope, placement.id if placement else None)
    if session.scalar(select(PlacementEnd.id).where(PlacementEnd.open_key == key)) is not None:
        raise Conflict(OPEN.format(who=who))
    now = system.runtime.clock.now()
    end = PlacementEnd(
        unit_id=unit.id, case_id=case.id, year=year, region_code=case.region_code, scope=data.scope,
        placement_id=placement.id if placement else None, person_name=placement.name if placement else "",
        id_number=placement.id_number if placement else "", reason=data.reason, ended_on=data.ended_on,
        from_month=data.from_month, note=data.note, attachment_ids=attachment_ids, status=FIRST_REVIEW,
        status_changed_at=now, open_key=key, months_removed={}, tax_corrected=False, filed_by=user.login,
        filed_at=now,
    )
    try:
        with session.begin_nested():
            session.add(end)
            session.flush()
    except IntegrityError:
        raise Conflict(OPEN.format(who=who)) from None
    instance = system.runtime.start(
        session, PROCESS, case_ref=case.ref, region_code=case.region_code, subject_ref=end.ref,
        case_id=case.id, subject_id=end.id, case_label=case_label(unit),
        subject_label=f"{year}年度注销安置登记（{who}）",
        data=dict(zip(START_DATA, (end.id, case.id, user.login), strict=True)), actor=user.login,
    )
    end.instance_id = instance.id
    record(session, user, "提交注销安置登记申请", case_id=case.id, target=end.ref,
           detail={"year": year, "scope": data.scope, "placement_id": end.placement_id, "reason": data.reason,
                   "from_month": data.from_month}, ip=ip)
    return end


def correct(session: Session, system: System, user, end: PlacementEnd, data: PlacementEndInput,
            ip: str = "") -> PlacementEnd:
    """补正: the unit changes a returned request (who it is about stays); back to 初审."""
    if user.unit_id != end.unit_id:
        raise NotFound("未找到该申请")
    task = require_form(session, end.instance_id, FORM_CORRECT, "该申请当前不是“退回补正”状态，不能修改")
    if data.scope != end.scope or (end.scope == PERSON and data.placement_id != end.placement_id):
        raise FieldErrors({"placement_id": "补正时不能更换注销的人员或范围"})
    case = session.get(CertificationCase, end.case_id)
    attachment_ids = _checked(session, system, data, case)
    end.reason, end.ended_on, end.from_month = data.reason, data.ended_on, data.from_month
    end.note, end.attachment_ids = data.note, attachment_ids
    system.runtime.complete_task(session, task.task_id, {}, actor=user.login)
    record(session, user, "重新提交注销安置登记申请", case_id=end.case_id, target=end.ref,
           detail={"reason": data.reason, "from_month": data.from_month}, ip=ip)
    return end


# -- what the diagram's script tasks call ------------------------------------------------------
def _end(end_id: int) -> PlacementEnd:
    end = current_step().session.get(PlacementEnd, int(end_id))
    if end is None:
        raise LookupError(f"placement end {end_id} not found")
    return end


@register_script_function()
def placement_end_status(end_id: int, status: str) -> None:
    """Where the request stands (待初审, 退回补正, 待复审)."""
    if status not in UNDER_REVIEW:
        raise ValueError(f"unknown placement end status {status!r}")
    end = _end(end_id)
    end.status, end.status_changed_at = status, current_step().now


def _end_person(placement: Placement, end: PlacementEnd) -> list[int]:
    """End one person's placement from the request's month; the registered months that
    stop counting."""
    from casework.flow_functions import counts, recount

    before = {m.month for m in placement.months if m.selected and counts(placement, m)}
    if placement.ended_from_month is None or end.from_month < placement.ended_from_month:
        placement.ended_from_month = end.from_month
        placement.end_reason = end.reason
    recount(placement)
    return sorted(before - {m.month for m in placement.months if m.selected and counts(placement, m)})


@register_script_function()
def placement_end_approved(end_id: int) -> dict:
    """复审通过: the months from `from_month` on stop counting; a valid certificate of the
    year is reissued. Answers what the diagram's gateway needs: whether the year had
    already been sent to tax, and how many registered months stopped counting."""
    from casework import certificates
    from casework.notices import notify_unit
    from casework.tax_exchange import latest

    step = current_step()
    session, end = step.session, _end(end_id)
    case = session.get(CertificationCase, end.case_id)
    people = [session.get(Placement, end.placement_id)] if end.scope == PERSON else people_of(session, case.id)
    removed = {str(p.id): months for p in people if p is not None and (months := _end_person(p, end))}
    end.months_removed = removed
    end.status, end.status_changed_at, end.open_key = APPROVED, step.now, None
    count = end.removed_month_count
    valid = certificates.current(session, case)
    reissued = None
    if count and valid is not None and valid.status == certificates.VALID:
        reissued = certificates.issue(session, case, step.now)
    who = end.person_name or "单位整体"
    notify_unit(session, end.unit_id, "注销安置登记审核结果通知",
                f"贵单位{end.year}年度注销安置登记申请（{who}）已审核通过，自{end.from_month}月起不再计入安置，"
                f"共{count}个安置登记月份不再计入。" + (f"已重新出具审核认定书（编号{reissued.number}）。" if reissued else ""))
    record(session, None, "注销安置登记已审核通过", case_id=case.id, target=end.ref,
           detail={"months_removed": removed, "certificate": reissued.number if reissued else ""})
    return {"sent_to_tax": latest(session, case.id) is not None, "months_removed": count}


@register_script_function()
def placement_end_refused(end_id: int, decision_reason: str) -> None:
    end = _end(end_id)
    end.status, end.status_changed_at, end.open_key = REJECTED, current_step().now, None
    record(current_step().session, None, "注销安置登记不予注销", case_id=end.case_id, target=end.ref,
           detail={"reason": str(decision_reason or "")[:500]})


@register_script_function()
def placement_end_sent(end_id: int, tax_receipt: dict) -> None:
    """The corrected result was delivered to tax: the version is recorded with its receipt."""
    from casework.tax_exchange import record_submission

    step = current_step()
    end = _end(end_id)
    case = step.session.get(CertificationCase, end.case_id)
    submission = record_submission(step.session, case, tax_receipt or {}, step.now)
    end.tax_corrected = True
    record(step.session, None, "注销安置登记更正数据已报送税务部门", case_id=case.id, target=end.ref,
           detail={"version": submission.version, "receipt_no": submission.receipt_no})
