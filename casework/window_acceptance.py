"""窗口受理 at a 残联 service window (003 现场申请办理, 收受分离, 省内通办/跨省通办).

A unit brings its paper materials to any county's window. The window clerk finds the unit
(any unit: only what identifies it is shown), ticks the papers received, and either
accepts them on the spot (当场受理, every paper there) or defers (暂缓受理, with the reason
the unit is told; the window then has 3 working days). The receipt is a row
(`WindowAcceptance`) and a message, `window_request`, to the unit's annual case: whether
the case takes it now, and what follows — the window's own 窗口受理 step in its clerks'
inbox, then 属地审核 by the unit's jurisdiction, then the declaration done for the unit
or a return to it — is the unit's province's diagram (workflows/330000). A province whose
diagram does not catch the message does not take window receipts, and the clerk is told
so; nothing is kept.

The clerk's 窗口受理 step is the `window_acceptance` form: 受理 once every paper is there,
or 不予受理 with a reason. The diagram's script task `close_window_acceptance` records the
end (declared, not declared and why, returned, refused) and tells the unit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.cases import case_of
from casework.models import CertificationCase, DecisionRecord, Unit, WindowAcceptance
from casework.models import window_acceptance as status
from casework.models.case import STAGE_NAMES
from casework.notices import notify_unit
from casework.paging import PER_PAGE, Page, contains
from casework.schemas.window import MATERIALS, MODES, WindowIntakeInput
from casework.scope import WINDOW_CLERK, Forbidden, NotFound, within_jurisdiction
from casework.system import System
from domain import regions
from domain.credit_code import parse_credit_code
from domain.errors import Conflict, DomainError, FieldErrors
from domain.workdays import CHINA_TZ
from engine.models import InboxTask, ProcessInstance

MESSAGE = "window_request"  # what the unit's diagram catches (workflows/330000)
PROCESS = "annual_certification"
MAX_FOUND = 200  # a unit search finds at most this many units (in pages)
MIN_QUERY = 2


def region_text(code: str | None) -> str:
    """浙江省杭州市西湖区 for 330106 (the code itself when unknown)."""
    text = regions.label(code) if code else ""
    return text.replace("/", "") if text else (code or "")


def window_name(code: str) -> str:
    return f"{region_text(code)}残联服务窗口"


@dataclass(frozen=True)
class UnitCard:
    """What a window clerk sees of a unit: what identifies it and where it is handled —
    no legal person, no contact, no people (003 保守秘密)."""

    id: int
    name: str
    credit_code: str
    region: str  # 残联主管部门: the jurisdiction that handles its case (属地)
    region_name: str
    scope: str  # 本地受理 / 省内通办 / 跨省通办, seen from the window

    @classmethod
    def of(cls, unit: Unit, window_region: str) -> UnitCard:
        region = unit.cdpf_region or ""
        if region == window_region:
            scope = "本地受理"
        elif region[:2] == (window_region or "")[:2]:
            scope = "省内通办"
        else:
            scope = "跨省通办"
        return cls(unit.id, unit.name, unit.credit_code, region, region_text(region), scope)


def require_clerk(user) -> str:
    """The clerk's window (their region code); anyone else may not receive papers."""
    if getattr(user, "role", "") != WINDOW_CLERK:
        raise Forbidden("只有窗口受理人员可以办理窗口受理")
    region = (user.region_code or "").strip()
    if len(region) != 6 or not region.isdigit():
        raise Forbidden("您的账号未设置所在服务窗口的行政区划，请联系管理员")
    return region


def find_units(session: Session, user, q: str, page: int = 1, per_page: int = PER_PAGE) -> Page:
    """Units by 统一社会信用代码 (the full 18 characters, exact) or a part of the name (at
    least MIN_QUERY characters), nationwide: a window receives any unit's papers (省内通办,
    跨省通办). A page of UnitCards (name, code, 属地 only) in name order; at most MAX_FOUND
    units in all (a page past them is empty)."""
    window = require_clerk(user)
    text = (q or "").strip()
    if not text:
        return Page([], 0, 1, per_page)
    if len(text) < MIN_QUERY:
        raise FieldErrors({"q": f"请至少输入{MIN_QUERY}个字的单位名称，或完整的统一社会信用代码"})
    try:
        code = parse_credit_code(text.upper(), "q")
    except DomainError:
        code = ""
    where = Unit.credit_code == code if code else contains(Unit.name, text)
    total = min(session.scalar(select(func.count()).select_from(Unit).where(where)) or 0, MAX_FOUND)
    offset = (page - 1) * per_page
    found = [] if offset >= total else session.scalars(
        select(Unit).where(where).order_by(Unit.name, Unit.id).offset(offset).limit(min(per_page, total - offset))
    )
    return Page([UnitCard.of(unit, window) for unit in found], total, page, per_page)


def search_units(session: Session, user, q: str) -> list[UnitCard]:
    """The first page of `find_units`."""
    return find_units(session, user, q).items


def unit_card(session: Session, user, unit_id: int) -> UnitCard:
    window = require_clerk(user)
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("未找到该单位")
    return UnitCard.of(unit, window)


def open_receipt(session: Session, case_id: int) -> WindowAcceptance | None:
    """The case's receipt still being handled (at most one: the diagram takes a new one
    only while the unit is declaring)."""
    return session.scalar(
        select(WindowAcceptance)
        .where(WindowAcceptance.case_id == case_id, WindowAcceptance.status.in_(status.OPEN))
        .order_by(WindowAcceptance.received_at.desc(), WindowAcceptance.id.desc())
        .limit(1)
    )


def receipts_of(session: Session, case_id: int) -> list[WindowAcceptance]:
    """Every receipt of a case, newest first (the unit's and the reviewers' view)."""
    return list(session.scalars(
        select(WindowAcceptance).where(WindowAcceptance.case_id == case_id)
        .order_by(WindowAcceptance.received_at.desc(), WindowAcceptance.id.desc())
    ))


def _diagram_takes_it(session: Session, system: System, unit: Unit, case: CertificationCase | None) -> bool:
    """Whether the case's diagram version (or the one a new case of the unit would start
    on) has the message at all, wherever it may catch it."""
    from engine.runtime import message_definition

    instance = session.get(ProcessInstance, case.instance_id) if case is not None and case.instance_id else None
    version_id = instance.spec_version_id if instance is not None else (
        system.registry.current(session, PROCESS, unit.cdpf_region).id)
    return message_definition(system.registry.parsed(session, version_id), MESSAGE) is not None


def why_not(session: Session, system: System, unit: Unit, year: int) -> str:
    """Why the unit's papers cannot be received for `year` now ("" when they can): the
    diagram decides (it waits for the message or not); this says why in the clerk's words."""
    case = case_of(session, unit.id, year)
    province = regions.find(unit.cdpf_region[:2] + "0000") if unit.cdpf_region else None
    where = province.name if province is not None else "该单位所在地"
    if not _diagram_takes_it(session, system, unit, case):
        if case is not None and _diagram_takes_it(session, system, unit, None):
            return (f"该单位{year}年度的申报按开始时的流程版本办理，该版本不含窗口受理；"
                    "请指导单位通过网上申报，或由流程管理员将其迁移到新版本后再受理")
        return f"{where}的年审流程不办理窗口受理（收受分离），请指导单位通过网上申报，或到单位所在地残联办理"
    if case is None:
        return ""
    if case.locked:
        return f"该单位{year}年度已完成申报，无需再受理申报材料"
    pending = open_receipt(session, case.id)
    if pending is not None:
        return (f"该单位的申报材料已于{pending.received_at:%Y-%m-%d}由{window_name(pending.window_region)}"
                f"收件（{pending.status_name}），请勿重复受理")
    instance = session.get(ProcessInstance, case.instance_id) if case.instance_id else None
    if MESSAGE in system.runtime.awaited_messages(session, instance):
        return ""
    return "该单位的申报当前所处环节不能窗口受理，请刷新后重试"


def receive(
    session: Session, system: System, user, unit_id: int, data: WindowIntakeInput, ip: str = ""
) -> WindowAcceptance:
    """收件登记: record the receipt and hand it to the unit's case; refused, with nothing
    kept, when the unit's diagram does not take it now."""
    from casework.cases import open_case

    window = require_clerk(user)
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound("未找到该单位")
    materials = [key for key in MATERIALS if key in set(data.materials)]
    if data.mode == "deferred" and not data.reason:
        raise FieldErrors({"reason": "暂缓受理须填写原因（将告知用人单位）"})
    if data.mode == "immediate" and len(materials) < len(MATERIALS):
        raise FieldErrors({"materials": "材料不齐全，不能当场受理：请勾选全部材料，或选择暂缓受理并说明原因"})
    year = system.settings.business_year
    problem = why_not(session, system, unit, year)
    if problem:
        raise Conflict(problem)
    case = open_case(session, system, unit, year, user.login)
    now = system.runtime.clock.now()
    immediate = data.mode == "immediate"
    receipt = WindowAcceptance(
        case_id=case.id, unit_id=unit.id, window_region=window, unit_region=case.region_code,
        received_by=user.login, received_by_name=user.display_name or user.login, received_at=now,
        materials=materials, immediate=immediate, deferral_reason="" if immediate else data.reason,
        status=status.ACCEPTED if immediate else status.DEFERRED,
        accepted_by=user.login if immediate else "", accepted_at=now if immediate else None, outcome_reason="",
    )
    session.add(receipt)
    session.flush()
    label = f"{MODES[data.mode]}（{window_name(window)}）"
    add_history(session, user, case, "窗口收件", data.mode, label, receipt.deferral_reason, now)
    payload = {"acceptance_id": receipt.id, "window_region": window, "immediate": immediate}
    if not system.runtime.send_message(session, case.instance_id, MESSAGE, payload, actor=user.login):
        raise Conflict(why_not(session, system, unit, year) or "该单位的申报当前所处环节不能窗口受理")
    record(session, user, "窗口收件", case_id=case.id, target=case.ref, ip=ip,
           detail={"acceptance": receipt.id, "window": window, "mode": data.mode, "materials": materials,
                   "reason": receipt.deferral_reason})
    return receipt


def add_history(session: Session, user, case: CertificationCase, step: str, outcome: str, label: str,
             reason: str, at: datetime, task_id: str = "") -> None:
    """A line of the case's 审批记录 (casework.decisions), which every later step shows."""
    session.add(DecisionRecord(
        case_id=case.id, subject_ref=f"unit:{case.unit_id}", subject="", task_id=task_id, step=step,
        form="window_acceptance", outcome=outcome[:20], outcome_label=label[:100], reason=reason, detail=None,
        attachment_ids=[], actor=user.login, actor_name=user.display_name or user.login, role=user.role, at=at,
    ))


@dataclass(frozen=True)
class ReceiptView:
    """A receipt as the window's list and the unit's 首页 show it: where the case is now."""

    receipt: WindowAcceptance
    unit: UnitCard
    year: int
    where: str  # the case's open steps and who has them, or its stage


def where_now(session: Session, case: CertificationCase) -> str:
    """The case's open staff or unit steps and whose they are (“属地审核 · 浙江省杭州市西湖区”),
    read from the inbox rows; else the case's stage."""
    rows = session.scalars(
        select(InboxTask).where(InboxTask.instance_id == case.instance_id).order_by(InboxTask.created_at)
    ).all() if case.instance_id else []
    if rows:
        return "；".join(
            f"{r.title} · {'用人单位' if r.role == 'employer' else region_text(r.region_code)}" for r in rows
        )
    return STAGE_NAMES.get(case.stage, case.stage)


def _receipts_query(window: str):
    return (
        select(WindowAcceptance, CertificationCase, Unit)
        .join(CertificationCase, CertificationCase.id == WindowAcceptance.case_id)
        .join(Unit, Unit.id == WindowAcceptance.unit_id)
        .where(within_jurisdiction(WindowAcceptance.window_region, window))
    )


def _newest_first(query):
    return query.order_by(WindowAcceptance.received_at.desc(), WindowAcceptance.id.desc())


def _views(session: Session, window: str, rows) -> list[ReceiptView]:
    return [ReceiptView(r, UnitCard.of(u, window), c.year, where_now(session, c)) for r, c, u in rows]


def _start_of(day: date) -> datetime:
    """00:00 北京时间 of `day`, in UTC (how received_at is kept)."""
    return datetime.combine(day, time(), CHINA_TZ).astimezone(UTC)


def receipts_of_window(session: Session, user, limit: int = 50) -> list[ReceiptView]:
    """本窗口受理记录: the newest receipts of the clerk's window, newest first."""
    window = require_clerk(user)
    return _views(session, window, session.execute(_newest_first(_receipts_query(window)).limit(limit)).all())


def window_receipts(
    session: Session, user, *, q: str = "", received_from: date | None = None, received_to: date | None = None,
    page: int = 1, per_page: int = PER_PAGE,
) -> Page:
    """本窗口受理记录, a page of them, newest first: by a part of the unit's name or credit
    code, and by the day received (北京时间, both ends included)."""
    window = require_clerk(user)
    query = _receipts_query(window)
    text = (q or "").strip()
    if text:
        query = query.where(contains(Unit.name, text) | contains(Unit.credit_code, text.upper()))
    if received_from is not None:
        query = query.where(WindowAcceptance.received_at >= _start_of(received_from))
    if received_to is not None:
        query = query.where(WindowAcceptance.received_at < _start_of(received_to + timedelta(days=1)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(_newest_first(query).offset((page - 1) * per_page).limit(per_page)).all() if total else []
    return Page(_views(session, window, rows), total, page, per_page)


def close(session: Session, acceptance_id: int, outcome: str, reason: str, problem: str, now: datetime) -> None:
    """The end of a receipt, as the diagram reached it: 不予受理 (refuse), 属地审核退回
    (return), or 属地审核通过 (approve) — declared for the unit unless `problem` says
    why the declaration's conditions were not met. The unit is told."""
    receipt = session.get(WindowAcceptance, int(acceptance_id))
    if receipt is None:
        raise LookupError(f"window acceptance {acceptance_id} not found")
    case = session.get(CertificationCase, receipt.case_id)
    reason, problem = str(reason or "")[:500], str(problem or "")[:500]
    window = window_name(receipt.window_region)
    head = f"贵单位{case.year}年度按比例就业情况申报材料（{receipt.received_at:%Y-%m-%d}由{window}收件）"
    if outcome == "refuse":
        receipt.status, text = status.REFUSED, f"{head}不予受理。理由：{reason}"
    elif outcome == "return":
        receipt.status, text = status.RETURNED, f"{head}经属地审核退回，请修改后重新申报。理由：{reason}"
    elif problem:
        receipt.status, reason = status.NOT_DECLARED, problem
        text = f"{head}经属地审核通过，但未能代为完成申报：{problem}。请处理后重新申报。"
    else:
        receipt.status = status.DECLARED
        text = f"{head}经属地审核通过，已代为完成申报。" + (f"审核意见：{reason}" if reason else "")
    receipt.closed_at, receipt.outcome_reason = now, reason
    notify_unit(session, case.unit_id, "窗口受理结果通知", text, now=now)
    record(session, None, f"窗口受理：{receipt.status_name}"[:60], case_id=case.id, target=case.ref,
           detail={"acceptance": receipt.id, "window": receipt.window_region, "outcome": outcome, "reason": reason})
