"""The employer's case for a business year: open it, summarize it, complete it (完成申报)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.labels import case_label
from casework.models import CertificationCase, Placement, Unit
from casework.models.case import STAGE_NAMES
from casework.models.placement import STATUSES
from casework.scope import Forbidden, NotFound, is_within_jurisdiction
from casework.system import System
from casework.task_forms import EMPLOYER, TaskForm, register_form, require_form, task_with_form
from domain.counting import persons_from_months
from domain.declaration_period import DeclarationPeriod, declaration_period
from domain.errors import DomainError
from domain.params import params_for
from engine.locks import lock_case
from engine.models import InboxTask, ProcessInstance

FORM_DECLARE = register_form(TaskForm(
    key="case_declare", title="完成申报", roles=EMPLOYER, subject="case", writes=("pledge_read", "declared_by_staff"),
    page="placements.declare", api="POST /api/v1/case/declaration",
    help="全部人员“已审核确认”后，阅读承诺书并点击“完成申报”",
)).key


class CaseLocked(DomainError):
    """The case was declared: no adding, deleting or re-registering (001 第七步)."""

    def __init__(self) -> None:
        super().__init__("已完成申报，不能再添加、删除或重新登记残疾人员")


def ensure_open(case: CertificationCase) -> None:
    """Every command that changes the people of a case first checks it is not declared."""
    if case.locked:
        raise CaseLocked()


# what the annual diagram is given when a case starts (its conditions may read these)
START_DATA = ("case_id", "pledge_read", "declared_by_staff")


def case_of(session: Session, unit_id: int, year: int) -> CertificationCase | None:
    """The unit's case of `year`, if it has one (what the applications of a year rest on)."""
    return session.scalar(
        select(CertificationCase).where(CertificationCase.unit_id == unit_id, CertificationCase.year == year)
    )


def years_of(session: Session, unit_id: int) -> list[int]:
    """The 业务年度 the unit has cases for, latest first (an application's year selector)."""
    return list(session.scalars(
        select(CertificationCase.year).where(CertificationCase.unit_id == unit_id)
        .distinct().order_by(CertificationCase.year.desc())
    ))  # fmt: skip


def open_case(session: Session, system: System, unit: Unit, year: int, actor: str = "") -> CertificationCase:
    """The unit's case for `year`, starting its annual_certification instance on first use.

    Two first requests at once must not both create it: the unit's lock serializes them
    (the second then finds the first one's case)."""
    case = case_of(session, unit.id, year)
    if case is not None:
        return case
    lock_case(session, f"unit:{unit.id}:{year}")
    case = case_of(session, unit.id, year)
    if case is not None:
        return case
    case = CertificationCase(unit_id=unit.id, year=year, region_code=unit.cdpf_region)
    session.add(case)
    session.flush()
    instance = system.runtime.start(
        session,
        "annual_certification",
        case_ref=case.ref,
        region_code=case.region_code,
        subject_ref=f"unit:{unit.id}",
        case_id=case.id,
        subject_id=unit.id,
        case_label=case_label(unit),
        data=dict(zip(START_DATA, (case.id, False, False), strict=True)),
        actor=actor,
    )
    case.instance_id = instance.id
    return case


def case_years(session: Session, unit: Unit, current: int) -> list[int]:
    """业务年度 choices of a unit (001/002 have the selector): the current business year and
    every earlier year it has a case for, newest first."""
    years = set(session.scalars(select(CertificationCase.year).where(CertificationCase.unit_id == unit.id)))
    return sorted({y for y in years if y <= current} | {current}, reverse=True)


@dataclass(frozen=True)
class CaseSummary:
    """首页 and 残疾人安置管理 headline numbers (001)."""

    registered_people: int  # 已登记 N 人
    status_counts: dict[str, int]
    confirmed_months: int  # 本次累计安置确认 N 个月
    approved_months: int  # 累计安置核定 N 个月
    quota_ratio: Decimal  # 安排比例 (the province's quota ratio)
    actual_persons: Decimal  # 实际安排人数 = 核定月数 / 12
    stage: str
    stage_name: str
    locked: bool
    can_declare: bool  # the diagram waits for 完成申报 now (whether it accepts is its call)
    declaration_period: DeclarationPeriod | None = None  # 申报期 seen on `today` (when given)


def summarize(session: Session, case: CertificationCase, today: date | None = None) -> CaseSummary:
    """The case's figures; `can_declare` says only that the 完成申报 step is open. With
    `today` (the engine clock's China date: `system.today()`), also where the case stands
    against its province's 申报期 (the 首页 and the API show it)."""
    rows = session.execute(
        select(
            Placement.status,
            func.count(),
            func.coalesce(func.sum(Placement.confirmed_months), 0),
            func.coalesce(func.sum(Placement.approved_months), 0),
        )
        .where(Placement.case_id == case.id, Placement.removed.is_(False))
        .group_by(Placement.status)
    ).all()
    counts = dict.fromkeys(STATUSES, 0)
    confirmed = approved = 0
    for status, n, conf, appr in rows:
        counts[status] = n
        confirmed += int(conf)
        approved += int(appr)
    people = sum(counts.values())
    # the quota ratio in force in the business year, whatever day the summary is read
    params = params_for(case.region_code, date(case.year, 12, 31))
    return CaseSummary(
        registered_people=people,
        status_counts=counts,
        confirmed_months=confirmed,
        approved_months=approved,
        quota_ratio=params.quota_ratio,
        actual_persons=persons_from_months(approved),
        stage=case.stage,
        stage_name=STAGE_NAMES.get(case.stage, case.stage),
        locked=case.locked,
        can_declare=declaration_task(session, case) is not None,
        declaration_period=None if today is None else declaration_period(case.region_code, case.year, today),
    )


def stages(session: Session, system: System, case: CertificationCase):
    """The 首页 progress: the stages the case's diagram version names, and where it is."""
    instance = session.get(ProcessInstance, case.instance_id) if case.instance_id else None
    return system.runtime.stages(session, instance) if instance is not None else []


def declaration_task(session: Session, case: CertificationCase) -> InboxTask | None:
    """The case's open 完成申报 step, whatever the diagram calls it."""
    return task_with_form(session, case.instance_id, FORM_DECLARE)


WINDOW_ROLES = ("reviewer", "supervisor")  # 残联 staff who may declare for a unit at a window


def complete_declaration(
    session: Session, system: System, user, case: CertificationCase, pledge_read: bool, ip: str = ""
) -> None:
    """完成申报: the pledge is confirmed, the task completes and the diagram decides.

    The diagram locks the case, or loops back to 按比例安置登记 with the reason its
    condition found (`declaration_problem`); that reason is raised here so the caller
    rolls the attempt back and shows it. Only the input is checked first: the pledge box
    is a required field of the form.

    `user` is the unit's employer account, or a 残联 reviewer or supervisor whose
    jurisdiction holds the case, declaring for the unit at a service window (003 窗口代办):
    the task data says so (`declared_by_staff`) and the diagram's check then does not
    apply the 申报期 (a window may accept a late declaration)."""
    by_staff = user.role != "employer"
    if by_staff:
        if user.role not in WINDOW_ROLES:
            raise Forbidden("只有残联业务人员可以代单位完成申报")
        if not is_within_jurisdiction(case.region_code, user.region_code):
            raise NotFound("未找到该单位的申报")
    elif user.unit_id != case.unit_id:
        raise NotFound("未找到该单位的申报")
    if case.locked:
        raise DomainError("本年度已完成申报")
    if not pledge_read:
        raise DomainError("请先阅读《申报资料真实性承诺书》并勾选确认", "pledge_read")
    task = require_form(session, case.instance_id, FORM_DECLARE, "当前不能完成申报，请刷新页面")
    instance = system.runtime.complete_task(
        session, task.task_id, {"pledge_read": True, "declared_by_staff": by_staff}, actor=user.login
    )
    if not case.locked:
        reason = system.runtime.data_of(session, instance).get("declaration_problem")
        raise DomainError(str(reason or "流程未接受本次申报，请刷新页面后重试"))
    record(session, user, "完成申报（窗口代办）" if by_staff else "完成申报", case_id=case.id, target=case.ref, ip=ip)
