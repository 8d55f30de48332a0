"""What the application tests share (缓减免, 超比例奖励, 安置残疾大学生, 注销安置登记): a staff
member's decision on an application's open 审批 step, taken through the service."""

from __future__ import annotations

from sqlalchemy import select

from casework import decisions
from casework.models import User
from casework.schemas.review import ApprovalInput
from engine.models import InboxTask


def decide_on(app, model, row_id: int, login: str, outcome: str, reason: str = "", task_name: str = "") -> None:
    """`login` decides the application `model`/`row_id` at its open step (or at the step
    `task_name`, e.g. first_review / second_review): approve, return or reject."""
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        found = s.get(model, row_id)
        query = select(InboxTask).where(InboxTask.instance_id == found.instance_id)
        task = s.scalar(query.where(InboxTask.task_name == task_name) if task_name else query.where(InboxTask.form == "decision"))
        assert task is not None, [(t.task_name, t.form) for t in s.scalars(query)]
        user = s.scalar(select(User).where(User.login == login))
        decisions.decide(s, system, user, task.task_id, ApprovalInput(outcome=outcome, reason=reason))
