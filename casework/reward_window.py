"""超比例奖励申请 at the window (002 申办系统, 第二种申请方式): a reviewer or supervisor
finds a unit of their jurisdiction, sees its certified disabled staff of a 业务年度 month by
month (符合超比例条件的残疾职工及安置信息) and the figures, and files the application for
it (casework.reward_applications.apply, channel window → 业务主管复核); and the list of
the jurisdiction's applications, whichever way they were filed.

Read-only look-ups; the command is reward_applications.apply.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.flow_functions import certified_months
from casework.models import (
    Attachment,
    CertificationCase,
    DecisionRecord,
    RewardApplication,
    Unit,
    User,
)
from casework.paging import Page, contains
from casework.placements import people_of
from casework.scope import Forbidden, NotFound, within_jurisdiction
from casework.units import unit_for_staff
from casework.uploads import attachments_of
from domain.certificate import category_name, grade_name, mask_certificate_number
from domain.credit_code import parse_credit_code
from domain.errors import DomainError, FieldErrors
from domain.id_number import InvalidIdNumber, mask_id_number, parse_id_number
from engine.models import InboxTask

FILERS = ("reviewer", "supervisor")  # 残联业务人员 and 业务主管 file at the window (002)
MIN_QUERY = 2
MONTHS = tuple(range(1, 13))
MONTH_NAMES = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二")


def require_filer(user) -> None:
    if getattr(user, "role", "") not in FILERS:
        raise Forbidden("只有残联业务人员和业务主管可以办理超比例奖励窗口申请")


def search_units(session: Session, user, q: str, *, page: int = 1, per_page: int = 20) -> Page:
    """Units of the user's jurisdiction by a part (≥ 2 characters) of the name, or by
    the full 统一社会信用代码; an empty query finds nothing (not the whole jurisdiction)."""
    require_filer(user)
    text = (q or "").strip()
    if not text:
        return Page(items=[], total=0, page=1, per_page=per_page)
    if len(text) < MIN_QUERY:
        raise FieldErrors({"q": f"请至少输入{MIN_QUERY}个字的单位名称，或完整的统一社会信用代码"})
    try:
        code = parse_credit_code(text.upper(), "q")
    except DomainError:
        code = ""
    query = select(Unit).where(
        within_jurisdiction(Unit.cdpf_region, user.region_code),
        Unit.credit_code == code if code else contains(Unit.name, text),
    )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    units = session.scalars(query.order_by(Unit.name, Unit.id).offset((page - 1) * per_page).limit(per_page))
    return Page(items=list(units), total=total, page=page, per_page=per_page)


def unit_of(session: Session, user, unit_id: int) -> Unit:
    """A unit of the user's jurisdiction; any other (or none) is the same 404."""
    require_filer(user)
    return unit_for_staff(session, unit_id, user.region_code)


def _sex(placement) -> str:
    """性别 as registered, or read from the 身份证号 (digit 17: odd is male) when the
    registration left it blank."""
    if placement.sex:
        return placement.sex
    try:
        return parse_id_number(placement.id_number).sex
    except InvalidIdNumber:
        return ""


def _mask_phone(phone: str) -> str:
    digits = (phone or "").strip()
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 11 else digits


@dataclass(frozen=True)
class GridRow:
    """One line of 002's 符合超比例条件的残疾职工及安置信息."""

    name: str
    number: str  # 残疾人证件号码, masked
    sex: str
    phone: str  # masked
    category: str  # 残疾类别
    grade: str  # 残疾等级
    months: frozenset[int]  # the certified months (✓)
    weight: int  # 2: counted as two people (1–2级 / 1–3级军人)


def certified_people(session: Session, case: CertificationCase) -> list[GridRow]:
    """The people of the case certified for at least one month, with the months the
    annual certificate counts (casework.certificates._person_facts: a ticked month that
    passed, or that a reviewer found 有效)."""
    rows = []
    for placement in people_of(session, case.id):
        months = frozenset(m.month for m in certified_months(placement))
        if not months:
            continue
        certificate = max(placement.certificates, key=lambda c: (c.valid_to, c.id), default=None)
        rows.append(GridRow(
            name=placement.name,
            number=mask_certificate_number(certificate.number) if certificate else mask_id_number(placement.id_number),
            sex=_sex(placement),
            phone=_mask_phone(placement.phone),
            category=category_name(certificate.category) if certificate and certificate.kind != "残疾军人证" else (
                "残疾军人" if certificate else ""),
            grade=grade_name(certificate.grade) if certificate else "",
            months=months,
            weight=2 if placement.weight >= 2 else 1,
        ))  # fmt: skip
    return rows


# -- the jurisdiction's applications -------------------------------------------------------
def applications(
    session: Session, user, *, q: str = "", status: str = "", channel: str = "", year: int | None = None,
    page: int = 1, per_page: int = 20,
) -> Page:
    """超比例奖励申请 of the user's jurisdiction (both ways of filing), newest first: rows
    of (application, unit)."""
    require_filer(user)
    query = (
        select(RewardApplication, Unit)
        .join(Unit, Unit.id == RewardApplication.unit_id)
        .where(within_jurisdiction(RewardApplication.region_code, user.region_code))
    )
    if q:
        query = query.where(contains(Unit.name, q) | contains(Unit.credit_code, q.upper()))
    if status:
        query = query.where(RewardApplication.status == status)
    if channel:
        query = query.where(RewardApplication.channel == channel)
    if year:
        query = query.where(RewardApplication.year == year)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(RewardApplication.filed_at.desc(), RewardApplication.id.desc())
        .offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(items=[tuple(r) for r in rows], total=total, page=page, per_page=per_page)


def counts_by_status(session: Session, user) -> dict[str, int]:
    require_filer(user)
    rows = session.execute(
        select(RewardApplication.status, func.count())
        .where(within_jurisdiction(RewardApplication.region_code, user.region_code))
        .group_by(RewardApplication.status)
    )
    return {status: n for status, n in rows}


def for_staff(session: Session, user, application_id: int) -> RewardApplication:
    """An application of the user's jurisdiction, for the staff who file and review them."""
    from casework import reward_applications as rewards

    require_filer(user)
    return rewards.for_staff(session, user, application_id)


@dataclass(frozen=True)
class Material:
    """What a reviewer deciding on an application (and its detail page) shows."""

    application: RewardApplication
    unit: Unit
    attachments: list[Attachment]
    history: list[DecisionRecord]
    filer_name: str
    open_task: InboxTask | None  # the step it waits in (复核, 初审…); None once it ended


def material(session: Session, application: RewardApplication) -> Material:
    unit = session.get(Unit, application.unit_id)
    history = list(session.scalars(
        select(DecisionRecord).where(DecisionRecord.case_id == application.case_id,
                                     DecisionRecord.subject_ref == application.ref)
        .order_by(DecisionRecord.at, DecisionRecord.id)
    ))  # fmt: skip
    filer = session.scalar(select(User).where(User.login == application.filed_by))
    open_task = None
    if application.instance_id is not None:
        open_task = session.scalars(
            select(InboxTask).where(InboxTask.instance_id == application.instance_id).order_by(InboxTask.created_at)
        ).first()
    return Material(
        application=application, unit=unit, attachments=attachments_of(session, application.attachment_ids, unit.id),
        history=history, filer_name=(filer.display_name or filer.login) if filer else application.filed_by,
        open_task=open_task,
    )


def not_found() -> NotFound:
    return NotFound("未找到该申请")
