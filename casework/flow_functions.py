"""The functions our diagrams' script tasks call, and nothing else.

Each runs inside an engine step, in the step's transaction (`current_step().session`),
so a script task's writes commit together with the instance state or not at all. They
record facts and statuses; *which* of them runs *when* is decided by the diagrams.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from casework.models import CertificationCase, MonthCheck, Placement
from casework.models.case import STAGE_DECLARED, STAGE_DECLARING, STAGE_SENT
from casework.models.placement import CONFIRMED, INCOMPLETE, PARTLY_REJECTED, PENDING, REJECTED
from domain.counting import count_person
from domain.declaration_period import declaration_period
from domain.month_check import CHECKS
from domain.months import format_month
from domain.params import params_for
from engine.clock import china_time
from engine.context import current_step
from engine.script_engine import register_script_function


def _placement(placement_id: int) -> Placement:
    placement = current_step().session.get(Placement, int(placement_id))
    if placement is None:
        raise LookupError(f"placement {placement_id} not found")
    return placement


def _case(case_id: int) -> CertificationCase:
    case = current_step().session.get(CertificationCase, int(case_id))
    if case is None:
        raise LookupError(f"case {case_id} not found")
    return case


def _now():
    return current_step().now


def _confirmed(month: MonthCheck) -> bool:
    """A ticked month that passed auto-verify unclaimed, or that the reviewer found 有效."""
    return month.selected and ((month.passed and not month.claimed) or month.decision == "有效")


def counts(placement: Placement, month: MonthCheck) -> bool:
    """Whether a month may count at all: not from the month a 注销安置登记 ended it."""
    return placement.ended_from_month is None or month.month < placement.ended_from_month


def certified_months(placement: Placement) -> list[MonthCheck]:
    """The months that count for the person (the certificate's, the reward's): confirmed,
    and before any 注销安置登记."""
    return [m for m in placement.months if _confirmed(m) and counts(placement, m)]


def recount(placement: Placement) -> None:
    """Set the person's month counts from the grid (安置登记/确认/核定/不通过); the months
    from an approved 注销安置登记's start on neither register nor count."""
    months = [m for m in placement.months if counts(placement, m)]
    registered = [m.month for m in months if m.selected]
    confirmed = [m.month for m in months if _confirmed(m)]
    weights = {m.month: m.weight for m in placement.months}
    count = count_person(registered, confirmed, weights)
    placement.registered_months = count.registered_months
    placement.confirmed_months = count.confirmed_months
    placement.severe_months = count.severe_months
    placement.approved_months = count.approved_months
    placement.rejected_months = sum(1 for m in months if m.selected and m.decision == "无效")


# -- placement_review.bpmn ---------------------------------------------------------------
@register_script_function()
def record_month_checks(placement_id: int, verification: dict) -> None:
    """记录核验结果: the 12-month grid from auto-verify replaces the previous one."""
    placement = _placement(placement_id)
    by_month = {m.month: m for m in placement.months}
    for row in verification.get("months", []):
        month = by_month.get(row["month"])
        if month is None:
            month = MonthCheck(month=row["month"])
            placement.months.append(month)
        before = _facts(month)
        for name in (*CHECKS, "passed"):
            setattr(month, name, bool(row[name]))
        month.certificate_kind = row.get("certificate_kind") or ""
        month.certificate_grade = row.get("certificate_grade")
        month.weight = int(row.get("weight") or 1)
        month.reasons = list(row.get("reasons", []))
        month.selected = False  # the employer chooses in 人员信息校验 (passed months start ticked)
        month.claimed = False
        # After 重新登记 a month a reviewer found 有效 stays so while the facts behind it
        # are what the reviewer saw; anything else is decided again.
        if not (month.decision == "有效" and before == _facts(month)):
            month.decision = month.decision_reason = month.decided_by = ""
            month.decided_at = None
    placement.weight = max((m.weight for m in placement.months), default=1)
    recount(placement)


def _facts(month: MonthCheck) -> tuple:
    """What auto-verify found for a month (a reviewer's decision rests on it)."""
    return (
        *(getattr(month, name) for name in CHECKS), month.passed, month.certificate_kind,
        month.certificate_grade, month.weight, tuple(month.reasons or ()),
    )


def _apply_selection(placement: Placement, selected: list[int], claimed: list[int]) -> None:
    selected_set, claimed_set = {int(m) for m in selected}, {int(m) for m in claimed}
    for month in placement.months:
        month.selected = month.month in selected_set
        month.claimed = month.month in claimed_set and not month.passed
    placement.declared_at = _now()


@register_script_function()
def confirm_by_system(placement_id: int, selected_months: list[int]) -> None:
    """审核通过（系统）: only auto-passed months were ticked."""
    placement = _placement(placement_id)
    _apply_selection(placement, selected_months, [])
    placement.status = CONFIRMED
    kept = any(m.selected and not m.passed and m.decision == "有效" for m in placement.months)
    placement.confirmed_by = "人工" if kept else "系统"
    placement.confirmed_at = _now()
    recount(placement)


@register_script_function()
def submit_for_review(placement_id: int, selected_months: list[int], claimed_months: list[int]) -> None:
    """提交残联审核: ticked failed months wait for a reviewer."""
    placement = _placement(placement_id)
    _apply_selection(placement, selected_months, claimed_months)
    placement.status = PENDING
    placement.confirmed_by = ""
    placement.confirmed_at = None
    recount(placement)


@register_script_function()
def apply_review(placement_id: int, review: dict) -> None:
    """记录审核结论: each claimed month 有效/无效; the person's status follows."""
    placement = _placement(placement_id)
    decisions = {int(k): v for k, v in (review.get("decisions") or {}).items()}
    reviewer = review.get("reviewer", "")
    invalid = 0
    for month in placement.months:
        if not month.claimed:
            continue
        decision = decisions.get(month.month, {})
        valid = bool(decision.get("valid"))
        month.decision = "有效" if valid else "无效"
        month.decision_reason = str(decision.get("reason", ""))[:200]
        month.decided_by = reviewer
        month.decided_at = _now()
        invalid += 0 if valid else 1
    recount(placement)
    if invalid == 0:
        placement.status = CONFIRMED
        placement.confirmed_by = "人工"
        placement.confirmed_at = _now()
    elif placement.confirmed_months > 0:
        placement.status = PARTLY_REJECTED
    else:
        placement.status = REJECTED


@register_script_function()
def notify_review_done(placement_id: int) -> None:
    """发送审核完成通知 (001 通知公告, 002 shows its text)."""
    from casework.notices import notify_unit

    placement = _placement(placement_id)
    case = current_step().session.get(CertificationCase, placement.case_id)
    valid = [f"{case.year}{m.month:02d}" for m in certified_months(placement)]
    body = f"贵单位安置人员“{placement.name}”资料审核已完成，有效月份为{','.join(valid) or '无'}"
    rejected = [m for m in placement.months if m.decision == "无效"]
    if rejected:
        reasons = "；".join(
            f"{format_month(case.year, m.month)}：{m.decision_reason or '无效'}" for m in rejected
        )
        body += f"。不通过月份及原因：{reasons}"
    notify_unit(
        current_step().session, case.unit_id, f"安置人员“{placement.name}”资料审核完成通知", body
    )


@register_script_function()
def reset_registration(placement_id: int) -> None:
    """重新登记: back to 安置登记; the grid is verified again (decisions kept as above)."""
    placement = _placement(placement_id)
    for month in placement.months:
        month.selected = month.claimed = False
    placement.status = INCOMPLETE
    placement.confirmed_by = ""
    placement.confirmed_at = None
    placement.declared_at = None
    recount(placement)


@register_script_function()
def accept_review_result(placement_id: int) -> None:
    """接受审核结果: a 部分审核不通过 person counts with the months found valid."""
    placement = _placement(placement_id)
    if placement.status == PARTLY_REJECTED:
        placement.status = CONFIRMED
        placement.confirmed_by = "人工"
        placement.confirmed_at = _now()


@register_script_function()
def remove_placement(placement_id: int) -> None:
    """删除: the person leaves the list; the row stays for the audit trail."""
    _placement(placement_id).removed = True


@register_script_function()
def time_limit(name: str) -> int:
    """A working-day time limit of the instance's province (003), e.g. manual_review."""
    ctx = current_step()
    day = china_time(ctx.now).date() if ctx.now else date.today()
    return int(getattr(params_for(ctx.instance.region_code, day).time_limits, name))


# -- annual_certification.bpmn -----------------------------------------------------------
@register_script_function()
def find_declaration_problem(case_id: int, pledge_read: bool, declared_by_staff: bool = False) -> str:
    """Why the case cannot be declared yet (001 第六步), or "" when it can: the step's day
    (China date) lies in the province's 申报期 for the case's business year (000, 003;
    skipped when staff declare for the unit at a 残联 window), there is someone, everyone
    is 已审核确认, and the pledge was read. The diagram's gateway branches on it and the
    完成申报 command reports it: the one place the rule lives."""
    ctx = current_step()
    session = ctx.session
    if not declared_by_staff:
        case = _case(case_id)
        today = china_time(ctx.now).date()  # the engine clock, never the machine's date
        outside = declaration_period(case.region_code, case.year, today).refusal()
        if outside:
            return outside
    statuses = session.scalars(
        select(Placement.status).where(Placement.case_id == int(case_id), Placement.removed.is_(False))
    ).all()
    if not statuses:
        return "尚未登记任何安置人员，不能完成申报"
    waiting = sum(1 for s in statuses if s != CONFIRMED)
    if waiting:
        return f"还有{waiting}名人员未“已审核确认”，全部人员审核确认后才能完成申报"
    if not pledge_read:
        return "请先阅读《申报资料真实性承诺书》并勾选确认"
    return ""


@register_script_function()
def lock_case(case_id: int) -> str:
    """完成申报: the case is locked against adding, deleting or re-registering people.

    Returns the moment (ISO text) the later time limits count from: the diagram keeps it
    as `certified_at`, so a step entered again (say 发送税务部门 after a refused
    withdrawal) keeps its first deadline."""
    case = _case(case_id)
    case.locked = True
    case.stage = STAGE_DECLARED
    case.declared_at = _now()
    return case.declared_at.isoformat()


@register_script_function()
def certify_case(case_id: int) -> str:
    """认证结果生效 where a province reviews the declaration first (002 内蒙古: 年审认证审核
    通过): the moment of certification goes into the case's history, and is returned
    (ISO text) for the diagram to keep as `certified_at`: the certificate, the feedback
    period and the deadline for tax count from it, not from 完成申报."""
    from casework.audit import record

    case = _case(case_id)
    if not case.locked:
        raise LookupError(f"case {case_id} is not declared")
    at = _now().isoformat()
    record(current_step().session, None, "年审认证审核通过", case_id=case.id, target=case.ref,
           detail={"certified_at": at})
    return at


@register_script_function()
def return_declaration(case_id: int, decision_reason: str) -> None:
    """年审认证审核 退回修改: the case is unlocked for the unit to change and declare again
    (the diagram goes back to 按比例安置登记). The decision step's notice tells the unit
    the outcome and the reason; the history keeps them too."""
    from casework.audit import record

    case = _case(case_id)
    _unlock(case)
    record(current_step().session, None, "年审认证审核退回", case_id=case.id, target=case.ref,
           detail={"reason": str(decision_reason or "")[:500]})


@register_script_function()
def release_certificate(case_id: int) -> None:
    """审核认定书 may be downloaded (001: three working days after 完成申报): the
    certificate is issued now, its facts frozen (a correction issues the next version)."""
    from casework import certificates

    case = _case(case_id)
    case.certificate_ready_at = _now()
    certificates.issue(current_step().session, case, _now())


@register_script_function()
def mark_sent_to_tax(case_id: int, tax_receipt: dict) -> None:
    """记录已发送税务: the stage, and the version sent with its receipt."""
    from casework.tax_exchange import record_submission

    case = _case(case_id)
    case.stage = STAGE_SENT
    case.sent_to_tax_at = _now()
    case.tax_receipt = str((tax_receipt or {}).get("receipt_no", ""))[:100]
    record_submission(current_step().session, case, tax_receipt or {}, _now())


@register_script_function()
def record_tax_correction(case_id: int, tax_receipt: dict) -> None:
    """记录更正报送: a correction pushed by another diagram (a 缓减免 granted after the year
    went to tax) is recorded as the case's next version, with its receipt."""
    from casework.audit import record
    from casework.tax_exchange import record_submission

    case = _case(case_id)
    submission = record_submission(current_step().session, case, tax_receipt or {}, _now())
    record(current_step().session, None, "更正数据已报送税务部门", case_id=case.id, target=case.ref,
           detail={"version": submission.version, "receipt_no": submission.receipt_no})


@register_script_function()
def record_tax_confirmation(case_id: int, tax_check: dict) -> bool:
    """税务部门确认并反馈: 一致 (True) or 不一致 with its reason, on the version it names."""
    from casework.tax_exchange import record_check

    return record_check(current_step().session, int(case_id), tax_check or {}, _now())


@register_script_function()
def province_param(name: str):
    """A plain parameter of the instance's province on the step's day (say
    withdrawal_needs_supervisor), for a gateway to branch on."""
    ctx = current_step()
    day = china_time(ctx.now).date() if ctx.now else date.today()
    value = getattr(params_for(ctx.instance.region_code, day), str(name))
    if not isinstance(value, bool | int | str):
        raise LookupError(f"parameter {name} is not a plain value")
    return value


@register_script_function()
def close_window_acceptance(acceptance_id: int, outcome: str, reason: str, declaration_problem: str) -> None:
    """浙江 窗口受理 (workflows/330000): the end of a window receipt as the diagram reached
    it — 不予受理, 属地审核退回, or 属地审核通过 (declared for the unit unless
    `declaration_problem` says why not); the receipt records it and the unit is told."""
    from casework.window_acceptance import close

    close(current_step().session, acceptance_id, outcome, reason, declaration_problem, _now())


# -- 年审申报撤回 / 年审认证反馈 (annual_certification.bpmn) --------------------------------
def _close_request(request_id: int, status: str, reason: str):
    from casework.models import CaseRequest

    request = current_step().session.get(CaseRequest, int(request_id))
    if request is None:
        raise LookupError(f"request {request_id} not found")
    request.status = status
    request.decided_at = _now()
    request.decision_reason = str(reason or "")[:500]
    return request


def _unlock(case: CertificationCase) -> None:
    case.locked = False
    case.stage = STAGE_DECLARING
    case.declared_at = None
    case.certificate_ready_at = None


@register_script_function()
def refuse_request(case_id: int, request_id: int, decision_reason: str) -> None:
    """撤回/反馈 not agreed: everything stays as it was; the unit is told why."""
    from casework.models.case_request import REFUSED
    from casework.notices import notify_unit

    request = _close_request(request_id, REFUSED, decision_reason)
    case = _case(case_id)
    body = f"贵单位{case.year}年度{request.kind_name}申请未获同意，原认证结果保持不变。"
    notify_unit(current_step().session, case.unit_id, f"{request.kind_name}审核结果通知",
                body + (f"理由：{decision_reason}" if decision_reason else ""))


@register_script_function()
def withdraw_certification(case_id: int, request_id: int, decision_reason: str) -> None:
    """年审申报撤回 agreed: the result is cancelled, the certificate withdrawn and the case
    unlocked; the unit declares again (the diagram goes back to 按比例安置登记)."""
    from casework import certificates
    from casework.models.case_request import APPROVED
    from casework.notices import notify_unit

    request = _close_request(request_id, APPROVED, decision_reason)
    case = _case(case_id)
    certificates.withdraw(current_step().session, case, _now(), "年审申报撤回")
    _unlock(case)
    notify_unit(current_step().session, case.unit_id, "年审申报撤回审核结果通知",
                f"贵单位{case.year}年度年审申报撤回申请已同意，原认证结果已撤销，"
                f"请修改后重新完成申报。{request.decision_reason}")


@register_script_function()
def reopen_for_feedback(case_id: int, request_id: int, decision_reason: str) -> None:
    """年审认证反馈 agreed: the case is open for changes; the certificate stays valid
    until the corrected one replaces it, and the corrected result goes to tax as a
    correction of the first."""
    from casework.models.case_request import APPROVED
    from casework.notices import notify_unit

    request = _close_request(request_id, APPROVED, decision_reason)
    case = _case(case_id)
    _unlock(case)
    notify_unit(current_step().session, case.unit_id, "年审认证反馈审核结果通知",
                f"贵单位{case.year}年度年审认证反馈已同意，请修改后重新完成申报，"
                f"更正后的认证结果将报送税务部门。{request.decision_reason}")
