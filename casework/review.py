"""The reviewer's side: an inbox of ready tasks in the reviewer's jurisdiction, the
安置登记审核 of claimed months (有效/无效 with a reason), and 发送税务部门.

The inbox reads only the flat inbox table (role, region, due date) joined to the case and
person rows for display; it never opens serialized engine state.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.models import Attachment, CertificationCase, Placement, Unit
from casework.paging import Page, contains
from casework.schemas import parse
from casework.schemas.review import DecisionInput
from casework.scope import is_within_jurisdiction, within_jurisdiction
from casework.system import System
from casework.verification import claim_materials, grid
from domain.errors import DomainError, FieldErrors, NotFound
from engine.db import as_utc
from engine.models import InboxTask

STAFF_ROLES = ("reviewer", "supervisor")


@dataclass(frozen=True)
class InboxRow:
    task: InboxTask
    case: CertificationCase
    unit: Unit
    placement: Placement | None
    now: datetime | None = None  # the engine clock when the row was read

    @property
    def overdue(self) -> bool:
        due = as_utc(self.task.due_at)
        return due is not None and self.now is not None and due < as_utc(self.now)


def _subject_id(subject_ref: str) -> int | None:
    if subject_ref.startswith("placement:"):
        return int(subject_ref.split(":", 1)[1])
    return None


def inbox(
    session: Session,
    user,
    *,
    now: datetime,
    q: str = "",
    task_name: str = "",
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """待办任务: tasks of the user's role in the user's jurisdiction, oldest due first.

    `now` is the engine clock (overdue marks follow a demo's clock, not the machine's).
    """
    if user.role not in STAFF_ROLES:
        raise NotFound()
    query = (
        select(InboxTask, CertificationCase, Unit)
        .join(CertificationCase, InboxTask.case_ref == literal("case:") + cast(CertificationCase.id, String))
        .join(Unit, Unit.id == CertificationCase.unit_id)
        .where(InboxTask.role == user.role, within_jurisdiction(InboxTask.region_code, user.region_code))
    )
    if task_name:
        query = query.where(InboxTask.task_name == task_name)
    q = (q or "").strip()
    if q:
        query = query.where(or_(contains(Unit.name, q), contains(Unit.credit_code, q.upper())))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, int(page or 1))
    rows = session.execute(
        query.order_by(InboxTask.due_at.is_(None), InboxTask.due_at, InboxTask.created_at)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    ids = [pid for t, _c, _u in rows if (pid := _subject_id(t.subject_ref))]
    people = {p.id: p for p in session.scalars(select(Placement).where(Placement.id.in_(ids)))} if ids else {}
    items = [
        InboxRow(t, c, u, people.get(_subject_id(t.subject_ref) or 0), now) for t, c, u in rows
    ]
    return Page(items, total, page, per_page)


def task_for(session: Session, user, task_id: str) -> InboxRow:
    """One task of the user's inbox; anything else (other region, other role) is 404."""
    task = session.get(InboxTask, task_id)
    if (
        task is None
        or user.role not in STAFF_ROLES
        or task.role != user.role
        or not is_within_jurisdiction(task.region_code, user.region_code)
    ):
        raise NotFound("未找到该任务，可能已被处理")
    case = session.get(CertificationCase, int(task.case_ref.split(":", 1)[1]))
    unit = session.get(Unit, case.unit_id)
    pid = _subject_id(task.subject_ref)
    placement = session.get(Placement, pid) if pid else None
    return InboxRow(task, case, unit, placement)


@dataclass(frozen=True)
class ReviewContext:
    row: InboxRow
    grid: object
    claimed: list[int]
    materials: dict[str, list[Attachment]]
    contract_attachments: list[Attachment]
    certificate_attachments: list[Attachment]


def review_context(session: Session, row: InboxRow) -> ReviewContext:
    placement = row.placement
    if placement is None:
        raise NotFound("该任务没有关联的安置人员")
    ids = [i for c in placement.contracts for i in (c.attachment_ids or [])]
    cert_ids = [i for c in placement.certificates for i in (c.attachment_ids or [])]

    def fetch(xs: list[int]) -> list[Attachment]:
        return list(session.scalars(select(Attachment).where(Attachment.id.in_(xs)))) if xs else []

    return ReviewContext(
        row=row,
        grid=grid(row.case, placement),
        claimed=[m.month for m in placement.months if m.claimed],
        materials=claim_materials(session, placement),
        contract_attachments=fetch(ids),
        certificate_attachments=fetch(cert_ids),
    )


def decide(
    session: Session,
    system: System,
    user,
    task_id: str,
    decisions: DecisionInput | Mapping[str | int, Any],
    ip: str = "",
) -> None:
    """Record 有效/无效 for every claimed month and finish the task.

    The rules of one decision (month 1–12, 无效 needs a reason, reason length) are the
    declaration's (`DecisionInput`): the API hands the model it validated, a page or a
    script its raw {month: {"valid", "reason"}} mapping, read leniently as form text.
    Only what needs the case is checked here: every claimed month is decided, and no
    other month is."""
    row = task_for(session, user, task_id)
    if row.task.form != "placement_review" or row.placement is None:
        raise DomainError("该任务不是安置登记审核")
    data = (
        decisions
        if isinstance(decisions, DecisionInput)
        else parse(DecisionInput, {"decisions": dict(decisions)}, strict=False)
    )
    given = data.by_month()
    year = row.case.year
    claimed = {m.month for m in row.placement.months if m.claimed}
    errors = {
        f"month_{month}": f"{year}年{month}月不是本次审核的月份"
        for month in sorted(given)
        if month not in claimed
    }
    errors.update(
        {f"month_{month}": f"请认定{year}年{month}月有效或无效" for month in sorted(claimed - set(given))}
    )
    if errors:
        raise FieldErrors(errors)
    clean = {
        str(month): {"valid": d.valid, "reason": d.reason} for month, d in sorted(given.items())
    }
    system.runtime.complete_task(
        session,
        task_id,
        {"review": {"decisions": clean, "reviewer": user.display_name or user.login}},
        actor=user.login,
    )
    record(
        session, user, "安置登记审核", case_id=row.case.id,
        target=f"placement:{row.placement.id}", detail={"decisions": clean}, ip=ip,
    )


def send_to_tax(session: Session, system: System, user, task_id: str, ip: str = "") -> None:
    """发送税务部门: the push itself runs as a service task in a worker."""
    row = task_for(session, user, task_id)
    if row.task.form != "case_send_tax":
        raise DomainError("该任务不是发送税务")
    system.runtime.complete_task(session, task_id, {}, actor=user.login)
    record(session, user, "发送税务部门", case_id=row.case.id, target=row.case.ref, ip=ip)
