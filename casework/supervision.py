"""逾期督办: a supervisor's step when another task of the same case ran past its limit.

The diagram decides when there is one (a non-interrupting timer on the late task): the
late task stays with its reviewer, marked 逾期, and the supervisor gets this step, from
which they give the late task to another worker, take it over, or just urge it on. The
step acts on the instance's other open staff tasks, whatever they are called.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.schemas.review import SupervisionInput
from casework.system import System
from casework.task_forms import TaskForm, register_form
from domain.errors import DomainError, FieldErrors
from engine.models import InboxTask

FORM_KEY = "supervision"
ACTIONS = {"reassign": "改派", "take_over": "本人接办", "remind": "督促原办理人"}


def supervised_tasks(session: Session, task: InboxTask, staff_roles) -> list[InboxTask]:
    """The other open staff tasks of the instance: what is being supervised."""
    return list(
        session.scalars(
            select(InboxTask)
            .where(
                InboxTask.instance_id == task.instance_id,
                InboxTask.task_id != task.task_id,
                InboxTask.form != FORM_KEY,
                InboxTask.role.in_(sorted(staff_roles)),
            )
            .order_by(InboxTask.created_at)
        )
    )


def supervise(session: Session, system: System, user, task_id: str, data: SupervisionInput, ip: str = "") -> str:
    from casework.decisions import add_record
    from casework.review import reassign, start_work

    row = start_work(session, system, user, task_id)
    if row.task.form != FORM_KEY:
        raise DomainError("该任务不是逾期督办")
    targets = supervised_tasks(session, row.task, system.runtime.lanes.staff_roles)
    now = system.runtime.clock.now()
    to = ""
    if data.action in ("reassign", "take_over"):
        if not targets:
            raise DomainError("被督办的任务已经办结，无需改派；请选择“督促原办理人”结束督办")
        to = user.login if data.action == "take_over" else data.assignee
        if not to:
            raise FieldErrors({"assignee": "请选择改派给哪位工作人员"})
        for target in targets:
            reassign(session, user, target.task_id, to, now, ip)
    label = ACTIONS[data.action] + (f"：{to}" if data.action == "reassign" else "")
    add_record(session, system, user, row, outcome=data.action, label=label, reason=data.note)
    system.runtime.complete_task(
        session, task_id, {"supervision": data.action, "supervision_assignee": to}, actor=user.login
    )
    record(session, user, "逾期督办", case_id=row.case.id, target=f"task:{task_id}",
           detail={"action": data.action, "to": to, "note": data.note}, ip=ip)
    return f"已督办（{label}）"


def _context(session: Session, row) -> dict:
    from casework.decisions import history
    from casework.review import InboxRow, assignable
    from engine.lanes import load_lanes

    targets = supervised_tasks(session, row.task, load_lanes(session).staff_roles)
    people = assignable(session, targets[0]) if targets else []
    late = [InboxRow(t, row.case, row.unit, row.placement, row.now) for t in targets]
    return {"supervised": late, "candidates": people, "actions": ACTIONS, "history": history(session, row.case.id)}


def page_input(form) -> dict:
    return {"action": form.get("action", ""), "assignee": form.get("assignee", ""), "note": form.get("note", "")}


register_form(TaskForm(
    key=FORM_KEY, title="逾期督办", roles=frozenset({"supervisor"}), subject="any",
    writes=("supervision", "supervision_assignee"), page="review/supervision.html",
    api="POST /api/v1/tasks/{task_id}/supervision",
    help="该案件的审核已超过办理期限：可改派其他工作人员、本人接办，或督促原办理人尽快办理",
    input=SupervisionInput, command=supervise, page_input=page_input, context=_context,
))
