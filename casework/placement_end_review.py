"""单位注销安置登记 as people read it: the requests of a unit's year and the persons it may
still end, what the 初审 / 复审 page shows (who, why, from which month, which registered
months stop counting, the documents and the request's own decisions), and the
jurisdiction's list for the reviewers and supervisors (002's tab 单位注销安置登记).
Read only: the commands are casework.placement_end's."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import placement_end
from casework.decisions import subject_history
from casework.flow_functions import counts
from casework.models import CertificationCase, DecisionRecord, Placement, Unit, User
from casework.models.placement_end import PERSON, STATUS_HELP, PlacementEnd
from casework.paging import Page, contains
from casework.placements import people_of
from casework.scope import Forbidden, NotFound, is_within_jurisdiction, within_jurisdiction
from casework.task_forms import task_with_form
from casework.uploads import attachments_of
from engine.models import InboxTask

STAFF_ROLES = ("reviewer", "supervisor")  # 残联业务人员 and 业务主管 (002's reviewer tab)


def decisions_of(session: Session, end: PlacementEnd) -> list[DecisionRecord]:
    """The 初审 / 复审 decisions on this request (subject `placement_end:<id>`), oldest first."""
    return subject_history(session, end)


def can_correct(session: Session, end: PlacementEnd) -> bool:
    """退回补正: the diagram's `placement_end_correct` task is open for the unit."""
    return task_with_form(session, end.instance_id, placement_end.FORM_CORRECT) is not None


def of_subject(session: Session, ref: str | None) -> PlacementEnd | None:
    prefix = "placement_end:"
    ref = ref or ""
    if not ref.startswith(prefix) or not ref[len(prefix):].isdigit():
        return None
    return session.get(PlacementEnd, int(ref[len(prefix):]))


def endable(session: Session, case: CertificationCase, ends: list[PlacementEnd]) -> tuple[list[Placement], bool]:
    """Whom the unit may still file for in the case's year: the placed persons not ended
    and without an open request; and whether the whole unit may be (someone is not ended,
    and no request for the whole unit is open)."""
    open_people = {e.placement_id for e in ends if e.open_key and e.scope == PERSON}
    placed = [p for p in people_of(session, case.id) if p.ended_from_month is None]
    whole = bool(placed) and not any(e.open_key and e.scope != PERSON for e in ends)
    return [p for p in placed if p.id not in open_people], whole


def affected_months(session: Session, end: PlacementEnd) -> list[tuple[Placement, list[int]]]:
    """Per person, the registered months the request stops counting: once approved, what it
    did stop; before, those that count now and would stop (from its 注销起始月份 on)."""
    if end.scope == PERSON:
        people = [p for p in [session.get(Placement, end.placement_id)] if p is not None]
    else:
        people = people_of(session, end.case_id)
    if end.months_removed:
        return [(p, sorted(end.months_removed[str(p.id)])) for p in people if str(p.id) in end.months_removed]
    found = []
    for p in people:
        months = [m.month for m in p.months if m.selected and counts(p, m) and m.month >= end.from_month]
        if months:
            found.append((p, sorted(months)))
    return found


def review_material(session: Session, end: PlacementEnd) -> dict:
    """What the 初审 / 复审 page (and the staff's detail page) shows about a request."""
    filer = session.scalar(select(User).where(User.login == end.filed_by))
    open_task = None
    if end.instance_id is not None:
        open_task = session.scalars(
            select(InboxTask).where(InboxTask.instance_id == end.instance_id).order_by(InboxTask.created_at)
        ).first()
    return {
        "row": end,
        "unit": session.get(Unit, end.unit_id),
        "status_help": STATUS_HELP.get(end.status, ""),
        "filed_by": (filer.display_name or filer.login) if filer else end.filed_by,
        "affected": affected_months(session, end),
        "attachments": attachments_of(session, end.attachment_ids or [], end.unit_id),
        "history": decisions_of(session, end),
        "open_task": open_task,
    }


# -- the jurisdiction's list (reviewers and supervisors) ---------------------------------------
def _require_staff(user) -> None:
    if getattr(user, "role", "") not in STAFF_ROLES:
        raise Forbidden("只有残联业务人员和业务主管可以查看单位注销安置登记")


def _in_jurisdiction(user):
    return within_jurisdiction(PlacementEnd.region_code, user.region_code)


def requests(session: Session, user, *, q: str = "", status: str = "", year: int | None = None,
             page: int = 1, per_page: int = 20) -> Page:
    """The requests of the user's jurisdiction, newest first: rows of (request, unit);
    `q` is a part of the unit's name or of its 统一社会信用代码."""
    _require_staff(user)
    query = select(PlacementEnd, Unit).join(Unit, Unit.id == PlacementEnd.unit_id).where(_in_jurisdiction(user))
    if q:
        query = query.where(contains(Unit.name, q) | contains(Unit.credit_code, q.upper()))
    if status:
        query = query.where(PlacementEnd.status == status)
    if year:
        query = query.where(PlacementEnd.year == year)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(PlacementEnd.filed_at.desc(), PlacementEnd.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(items=[tuple(r) for r in rows], total=total, page=page, per_page=per_page)


def counts_by_status(session: Session, user) -> dict[str, int]:
    _require_staff(user)
    rows = session.execute(
        select(PlacementEnd.status, func.count()).where(_in_jurisdiction(user)).group_by(PlacementEnd.status)
    )
    return {status: n for status, n in rows}


def for_staff(session: Session, user, end_id: int) -> PlacementEnd:
    """A request of the user's jurisdiction; another's (or none) is the same 404."""
    _require_staff(user)
    end = session.get(PlacementEnd, end_id)
    if end is None or not is_within_jurisdiction(end.region_code, user.region_code):
        raise NotFound("未找到该申请")
    return end
