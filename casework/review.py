"""The reviewer's and supervisor's workbench: the inbox of ready tasks in the user's
jurisdiction, claiming and assigning them, 安置登记审核 of claimed months (有效/无效 with a
reason) and 发送税务部门.

The inbox reads only the flat inbox table (role, region, due date, assignee) joined to the
case, unit and person rows by integer keys; it never opens serialized engine state. Which
screen a task has is its form's business (`casework.task_forms`), never its id or name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, not_, or_, select, update
from sqlalchemy.orm import Session

from casework.audit import record
from casework.models import Attachment, CertificationCase, Placement, Unit, User
from casework.paging import Page, contains
from casework.schemas import parse
from casework.schemas.review import DecisionInput, NoInput
from casework.scope import Forbidden, is_within_jurisdiction, within_jurisdiction
from casework.system import System
from casework.task_forms import STAFF, TaskForm, register_form
from casework.verification import claim_materials, grid
from domain.errors import Conflict, DomainError, FieldErrors, NotFound
from engine.db import as_utc
from engine.locks import lock_case
from engine.models import InboxTask, ProcessInstance, TaskEvent

NOT_STAFF = ("employer", "system")
SUPERVISOR = "supervisor"
DUE_FILTERS = {"overdue": "已逾期", "soon": "2个工作日内到期", "later": "未到期"}


@dataclass(frozen=True)
class InboxRow:
    task: InboxTask
    case: CertificationCase
    unit: Unit
    placement: Placement | None
    now: datetime | None = None  # the engine clock when the row was read
    soon_until: datetime | None = None  # "due soon" ends here (2 working days from now)

    @property
    def overdue(self) -> bool:
        due = as_utc(self.task.due_at)
        return due is not None and self.now is not None and due < as_utc(self.now)

    @property
    def due_state(self) -> str:
        """ok / soon / overdue / none: the colour of the due date."""
        due = as_utc(self.task.due_at)
        if due is None or self.now is None:
            return "none"
        if due < as_utc(self.now):
            return "overdue"
        if self.soon_until is not None and due <= as_utc(self.soon_until):
            return "soon"
        return "ok"


@dataclass(frozen=True)
class InboxFilter:
    """What a reviewer narrows the inbox by (every field optional)."""

    form: str = ""  # a tab: the form key
    year: int | None = None
    region: str = ""  # a region inside the user's jurisdiction
    q: str = ""  # unit name or 统一社会信用代码
    person: str = ""  # person's name or 身份证号
    due: str = ""  # overdue / soon / later
    mine: bool = False  # only tasks assigned to me

    @classmethod
    def of(cls, query: Any) -> InboxFilter:
        """The filter a validated `TaskQuery` asks for (the page's and the API's alike)."""
        return cls(**{name: getattr(query, name) for name in cls.__dataclass_fields__})


def _may_see(user, task: InboxTask) -> bool:
    if user.role in NOT_STAFF or not is_within_jurisdiction(task.region_code, user.region_code):
        return False
    return task.role == user.role or task.assignee == user.login


def excluded(user, task: InboxTask) -> bool:
    """The diagram keeps this user off the task (exclude_actor: 审核分离)."""
    return f",{user.login}," in (task.excluded_actors or "")


def _visible(user):
    """SQL: the tasks of the user's role in the jurisdiction, and those assigned to them
    (two index-served conditions: role + region range, and the assignee), less those the
    diagram keeps the user off (审核分离)."""
    in_region = within_jurisdiction(InboxTask.region_code, user.region_code)
    return and_(
        or_(
            and_(InboxTask.role == user.role, in_region),
            and_(InboxTask.assignee == user.login, in_region),
        ),
        not_(InboxTask.excluded_actors.contains(f",{user.login},", autoescape=True)),
    )


def _base(user, filters: InboxFilter, *, now: datetime, soon_until: datetime | None, with_form: bool = True):
    """The filtered inbox over the inbox table alone: the searches read the labels the
    rows carry, the year a correlated EXISTS by primary key, so a province's ten thousand
    tasks are narrowed without joining a million cases; the page's few rows are joined to
    their case and unit afterwards."""
    if user.role in NOT_STAFF:
        raise NotFound()
    query = select(InboxTask).where(_visible(user))
    if with_form and filters.form:
        query = query.where(InboxTask.form == filters.form)
    if filters.year:
        query = query.where(
            select(CertificationCase.id)
            .where(CertificationCase.id == InboxTask.case_id, CertificationCase.year == filters.year)
            .exists()
        )
    if filters.region:
        if not is_within_jurisdiction(filters.region, user.region_code):
            raise DomainError("所选区域不在您的管辖范围内", "region")
        query = query.where(within_jurisdiction(InboxTask.region_code, filters.region))
    # unit name or code, person name or ID number: the labels each inbox row carries
    # (casework.labels), searched within the rows the user may see
    q = (filters.q or "").strip()
    if q:
        query = query.where(or_(contains(InboxTask.case_label, q), contains(InboxTask.case_label, q.upper())))
    person = (filters.person or "").strip()
    if person:
        query = query.where(or_(contains(InboxTask.subject_label, person), contains(InboxTask.subject_label, person.upper())))
    if filters.due == "overdue":
        query = query.where(InboxTask.due_at < now)
    elif filters.due == "soon" and soon_until is not None:
        query = query.where(InboxTask.due_at >= now, InboxTask.due_at <= soon_until)
    elif filters.due == "later" and soon_until is not None:
        query = query.where(or_(InboxTask.due_at.is_(None), InboxTask.due_at > soon_until))
    if filters.mine:
        query = query.where(InboxTask.assignee == user.login)
    return query


def inbox(
    session: Session,
    user,
    *,
    now: datetime,
    filters: InboxFilter | None = None,
    soon_until: datetime | None = None,
    page: int = 1,
    per_page: int = 20,
) -> Page:
    """待办任务: the user's tasks (role and jurisdiction, or assigned), soonest due first.

    `now` is the engine clock (overdue marks follow a demo's clock, not the machine's)."""
    filters = filters or InboxFilter()
    query = _base(user, filters, now=now, soon_until=soon_until)
    page = max(1, int(page or 1))
    # One pass does the filtering for both the page and the total (a window count), and it
    # sorts only the narrow keys; the page's rows are read by id afterwards.
    keys = session.execute(
        query.with_only_columns(InboxTask.task_id, func.count().over().label("total"))
        .order_by(InboxTask.due_at.is_(None), InboxTask.due_at, InboxTask.created_at, InboxTask.task_id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    if keys:
        total = keys[0].total
    else:  # past the last page: the window had no row to carry the total
        total = session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0 if page > 1 else 0
    ids = [k.task_id for k in keys]
    loaded = {t.task_id: t for t in session.scalars(select(InboxTask).where(InboxTask.task_id.in_(ids)))} if ids else {}
    tasks = [loaded[i] for i in ids if i in loaded]
    case_ids = {t.case_id for t in tasks}
    found = session.execute(
        select(CertificationCase, Unit).join(Unit, Unit.id == CertificationCase.unit_id).where(CertificationCase.id.in_(case_ids))
    ).all() if case_ids else []
    by_case = {c.id: (c, u) for c, u in found}
    ids = [t.subject_id for t in tasks if _is_person(t)]
    people = {p.id: p for p in session.scalars(select(Placement).where(Placement.id.in_(ids)))} if ids else {}
    items = [
        InboxRow(t, *by_case[t.case_id], people.get(t.subject_id) if _is_person(t) else None, now, soon_until)
        for t in tasks
        if t.case_id in by_case
    ]
    return Page(items, total, page, per_page)


def tab_counts(
    session: Session, user, *, now: datetime, filters: InboxFilter | None = None, soon_until: datetime | None = None
) -> dict[str, int]:
    """How many tasks each tab (form) holds under the other filters."""
    query = _base(user, filters or InboxFilter(), now=now, soon_until=soon_until, with_form=False)
    counted = query.with_only_columns(InboxTask.form, func.count()).group_by(InboxTask.form).order_by(None)
    return {form: n for form, n in session.execute(counted).all()}


def _is_person(task: InboxTask) -> bool:
    return task.subject_ref.startswith("placement:") and task.subject_id is not None


def task_for(session: Session, user, task_id: str, now: datetime | None = None) -> InboxRow:
    """One task the user may work (their role and jurisdiction, or assigned to them);
    anything else (another region, another role) is 404. `now` (the engine clock) marks
    it overdue."""
    task = session.get(InboxTask, task_id)
    if task is None:
        _already_done(session, user, task_id)
    if task is None or not _may_see(user, task):
        raise NotFound("未找到该任务，可能已被处理")
    if excluded(user, task):
        raise Forbidden(f"按审核分离的要求，您已办理过本业务的前一环节，不能再办理“{task.title}”，请由其他工作人员办理")
    case = session.get(CertificationCase, task.case_id)
    if case is None:
        raise NotFound("未找到该任务，可能已被处理")
    unit = session.get(Unit, case.unit_id)
    placement = session.get(Placement, task.subject_id) if _is_person(task) else None
    return InboxRow(task, case, unit, placement, now)


def _already_done(session: Session, user, task_id: str) -> None:
    """A task of the user's jurisdiction that someone has just completed is a 409 that
    says who did it (two reviewers on one task); anything else stays a plain 404."""
    done = session.execute(
        select(TaskEvent.actor, ProcessInstance.region_code)
        .join(ProcessInstance, ProcessInstance.id == TaskEvent.instance_id)
        .where(TaskEvent.task_id == task_id, TaskEvent.kind == "human")
        .limit(1)
    ).first()
    if done is not None and user.role not in NOT_STAFF and is_within_jurisdiction(done.region_code, user.region_code):
        raise Conflict(f"该任务已由{_holder_name(session, done.actor)}办理完毕，请刷新待办任务")


# -- claiming ----------------------------------------------------------------------------
def _holder_name(session: Session, login: str) -> str:
    user = session.scalar(select(User).where(User.login == login))
    return (user.display_name or user.login) if user else login


def take(session: Session, user, task_id: str, now: datetime) -> InboxRow:
    """Hold the task for `user` before working it: a conditional UPDATE, so of two people
    at once exactly one holds it and the other is told who does (409)."""
    row = task_for(session, user, task_id)
    # the case lock first, as every engine step takes it: then the inbox row (a timer
    # firing on the same case takes them in the same order, so neither waits on the other)
    lock_case(session, row.task.case_ref)
    taken = session.execute(
        update(InboxTask)
        .where(InboxTask.task_id == task_id, or_(InboxTask.assignee.is_(None), InboxTask.assignee == user.login))
        .values(assignee=user.login, claimed_at=func.coalesce(InboxTask.claimed_at, now))
        .execution_options(synchronize_session=False)
    ).rowcount
    if not taken:
        holder = session.scalar(select(InboxTask.assignee).where(InboxTask.task_id == task_id))
        if holder is None:
            raise Conflict("该任务已被处理，请刷新页面")
        raise Conflict(f"该任务正由{_holder_name(session, holder)}办理")
    session.expire(row.task)
    return row


def claim(session: Session, user, task_id: str, now: datetime, ip: str = "") -> None:
    """认领: the task is mine until I finish or release it."""
    row = take(session, user, task_id, now)
    record(session, user, "认领任务", case_id=row.case.id, target=f"task:{task_id}", ip=ip)


def release(session: Session, user, task_id: str, ip: str = "") -> None:
    """释放: back to everyone of the role (the holder, or a supervisor)."""
    row = task_for(session, user, task_id)
    if row.task.assignee is None:
        return
    if row.task.assignee != user.login and user.role != SUPERVISOR:
        raise Conflict(f"该任务正由{_holder_name(session, row.task.assignee)}办理，只有本人或业务主管可以释放")
    session.execute(
        update(InboxTask).where(InboxTask.task_id == task_id).values(assignee=None, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    record(session, user, "释放任务", case_id=row.case.id, target=f"task:{task_id}", ip=ip)


def reassign(session: Session, user, task_id: str, to_login: str, now: datetime, ip: str = "") -> None:
    """改派 (supervisor): give the task to another worker of its role in its region, or
    take it over (to_login = the supervisor)."""
    if user.role != SUPERVISOR:
        raise NotFound()
    task = session.get(InboxTask, task_id)
    if task is None or not is_within_jurisdiction(task.region_code, user.region_code):
        raise NotFound("未找到该任务，可能已被处理")
    target = session.scalar(select(User).where(User.login == (to_login or "").strip()))
    if (
        target is None or not target.active or target.role in NOT_STAFF
        or (target.role != task.role and target.login != user.login)
        or not is_within_jurisdiction(task.region_code, target.region_code)
    ):
        raise FieldErrors({"assignee": "请选择该任务所在辖区、对应角色的工作人员"})
    session.execute(
        update(InboxTask).where(InboxTask.task_id == task_id).values(assignee=target.login, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    record(session, user, "改派任务", case_id=task.case_id, target=f"task:{task_id}", detail={"to": target.login}, ip=ip)


def assignable(session: Session, task: InboxTask) -> list[User]:
    """Who a supervisor may give the task to: active workers of its role in its region."""
    people = session.scalars(
        select(User).where(User.role == task.role, User.active.is_(True)).order_by(User.login)
    ).all()
    return [p for p in people if is_within_jurisdiction(task.region_code, p.region_code)]


# -- 安置登记审核 ----------------------------------------------------------------------------
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


def start_work(session: Session, system: System, user, task_id: str) -> InboxRow:
    """The task to complete, held by `user` (taken now if nobody holds it)."""
    return take(session, user, task_id, system.runtime.clock.now())


def decide(
    session: Session,
    system: System,
    user,
    task_id: str,
    decisions: DecisionInput | Mapping[str | int, Any],
    ip: str = "",
) -> str:
    """Record 有效/无效 for every claimed month and finish the task.

    The rules of one decision (month 1–12, 无效 needs a reason, reason length) are the
    declaration's (`DecisionInput`): the API hands the model it validated, a page or a
    script its raw {month: {"valid", "reason"}} mapping, read leniently as form text.
    Only what needs the case is checked here: every claimed month is decided, and no
    other month is."""
    from casework.decisions import add_record

    row = start_work(session, system, user, task_id)
    if row.task.form != FORM_REVIEW or row.placement is None:
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
    valid = sum(1 for d in given.values() if d.valid)
    label = f"认定有效{valid}个月" + (f"，无效{len(given) - valid}个月" if len(given) > valid else "")
    reasons = "；".join(f"{year}年{m}月：{d.reason}" for m, d in sorted(given.items()) if d.reason)
    add_record(session, system, user, row, outcome="months", label=label, reason=reasons, detail=clean)
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
    return "审核结论已保存"


def review_page_input(form: Mapping[str, str]) -> dict:
    """The page's valid_<m>/reason_<m> pairs as the API's `decisions` (the declaration's
    messages come back under month_<m>, shown beside that month's inputs)."""
    return {
        "decisions": {
            key.removeprefix("valid_"): {
                "valid": value,
                "reason": form.get(f"reason_{key.removeprefix('valid_')}", ""),
            }
            for key, value in form.items()
            if key.startswith("valid_")
        }
    }


def send_to_tax(session: Session, system: System, user, task_id: str, data: Any = None, ip: str = "") -> str:
    """发送税务部门: the push itself runs as a service task in a worker."""
    row = start_work(session, system, user, task_id)
    if row.task.form != FORM_SEND_TAX:
        raise DomainError("该任务不是发送税务")
    system.runtime.complete_task(session, task_id, {}, actor=user.login)
    record(session, user, "发送税务部门", case_id=row.case.id, target=row.case.ref, ip=ip)
    return "已提交发送税务部门，系统正在推送"


def _review_decide(session, system, user, task_id, data: DecisionInput, ip: str = "") -> str:
    return decide(session, system, user, task_id, data, ip)


def _send_tax_context(session: Session, row: InboxRow) -> dict:
    from casework.cases import summarize

    return {"summary": summarize(session, row.case)}


def _review_page_context(session: Session, row: InboxRow) -> dict:
    from casework.decisions import history

    return {"ctx": review_context(session, row), "history": history(session, row.case.id)}


FORM_REVIEW = register_form(TaskForm(
    key="placement_review", title="安置登记审核", roles=frozenset({"reviewer", SUPERVISOR}), subject="placement",
    writes=("review",), page="review/placement.html", api="POST /api/v1/tasks/{task_id}/decision",
    help="逐月认定申报的“×”月份有效或无效；认定无效须填写理由（003：10个工作日内办结）",
    input=DecisionInput, command=_review_decide, page_input=review_page_input, context=_review_page_context,
)).key
FORM_SEND_TAX = register_form(TaskForm(
    key="case_send_tax", title="发送税务部门", roles=STAFF, subject="case",
    writes=(), page="review/send_tax.html", api="POST /api/v1/tasks/{task_id}/send-to-tax",
    help="核对下列年审认证结果，确认后发送税务部门（003：初次年审认证后20个工作日内）",
    input=NoInput, command=send_to_tax, page_input=lambda form: {}, api_status=202, context=_send_tax_context,
)).key
