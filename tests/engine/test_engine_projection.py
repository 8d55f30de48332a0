"""The inbox projection: one flat row per READY human task, with the role taken from the
lane, the jurisdiction from the instance, and the due date from a boundary timer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from engine.clock import CHINA_TZ
from engine.models import InboxTask, OutboxJob


def aware(dt: datetime | None) -> datetime | None:
    """SQLite hands back naive UTC; PostgreSQL an aware value."""
    if dt is None:
        return None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def close(a: datetime | None, b: datetime, seconds: float = 5) -> bool:
    return a is not None and abs(aware(a) - b) < timedelta(seconds=seconds)


def test_inbox_row_takes_role_from_lane_region_from_instance_due_from_timer(env):
    with env.tx() as s:
        env.clock.set_now(s, datetime(2025, 9, 26, 10, 0, tzinfo=CHINA_TZ))  # a Friday
    iid = env.start("engine_flow", case_ref="case:9", region="210302", data={"value": "x"})

    [fill] = env.inbox(iid)
    assert (fill.task_name, fill.title, fill.form, fill.role) == (
        "fill",
        "填写申请",
        "engine_fill",
        "employer",
    )
    assert (fill.region_code, fill.case_ref, fill.process_id) == ("210302", "case:9", "engine_flow")
    assert fill.due_at is None  # no timer on the employer's form

    env.complete(iid, "fill", {"value": "x"})
    assert env.inbox(iid) == []  # the service task is running: nobody's task
    env.executor.run(env.jobs(iid)[0].task_id)

    [approve] = env.inbox(iid)
    assert (approve.task_name, approve.title, approve.form) == ("approve", "审核", "engine_approve")
    assert approve.role == "reviewer" and approve.region_code == "210302"
    due = datetime(2025, 10, 16, 10, 0, tzinfo=CHINA_TZ)  # 10 working days, National Day skipped
    assert close(approve.due_at, due)
    assert close(env.instance(iid).next_timer_at, due)


def test_escalated_task_lands_in_the_supervisor_inbox_and_completed_rows_go(env):
    iid = env.start("engine_flow", data={"value": "x"})
    env.complete(iid, "fill", {"value": "x"})
    env.executor.run(env.jobs(iid)[0].task_id)
    approve = env.task(iid, "approve")
    with env.tx() as s:
        env.clock.advance(s, timedelta(days=40))
    assert env.executor.fire_timers() == 1
    [escalated] = env.inbox(iid)
    assert escalated.task_name == "escalated" and escalated.role == "supervisor"
    assert escalated.task_id != approve.task_id
    env.complete(iid, "escalated", {"ok": True}, actor="supervisor_anshan")
    assert env.inbox(iid) == []
    assert env.instance(iid).status == "completed"
    assert env.instance(iid).next_timer_at is None


def test_only_the_instance_own_rows_are_touched(env):
    a = env.start("engine_flow", case_ref="case:a", data={"value": "a"})
    b = env.start("engine_flow", case_ref="case:b", region="330106", data={"value": "b"})
    env.complete(a, "fill", {"value": "a"})
    assert [t.task_name for t in env.inbox(b)] == ["fill"]
    assert env.task(b, "fill").region_code == "330106"
    assert env.count(InboxTask) == 1


def test_several_steps_of_one_instance_in_one_transaction_keep_the_inbox_exact(env):
    with env.tx() as s:
        iid = env.runtime.start(
            s, "engine_flow", case_ref="case:1", region_code="210302", data={"value": "x"}
        ).id
        fill = s.scalar(select(InboxTask).where(InboxTask.instance_id == iid))
        env.runtime.complete_task(s, fill.task_id, {"value": "x"})
        job = s.scalar(select(OutboxJob).where(OutboxJob.instance_id == iid))
        assert env.runtime.deliver_result(s, job, {"echo": "x"})
        approve = s.scalar(select(InboxTask).where(InboxTask.instance_id == iid))
        assert approve.task_name == "approve"
        env.runtime.complete_task(s, approve.task_id, {"ok": True})
    assert env.inbox(iid) == []
    assert env.instance(iid).status == "completed"


def test_a_timer_removes_the_row_of_the_task_it_interrupts(env):
    iid = env.start("engine_flow", data={"value": "x"})
    env.complete(iid, "fill", {"value": "x"})
    env.executor.run(env.jobs(iid)[0].task_id)
    approve = env.task(iid, "approve")
    with env.tx() as s:
        env.clock.advance(s, timedelta(days=40))
        assert env.runtime.fire_due_timers(s, iid)
    assert [t.task_name for t in env.inbox(iid)] == ["escalated"]
    with env.tx() as s:
        assert s.get(InboxTask, approve.task_id) is None
