"""Outbox rows are written with the step that started the service task (or not at all),
results are delivered once, and stale or cancelled jobs do nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.models import InboxTask, OutboxJob, ProcessInstance, TaskEvent
from engine.runtime import TaskNotAvailable


class Boom(Exception):
    pass


def test_one_outbox_row_per_started_service_task(env):
    iid = env.start("engine_parallel")
    jobs = env.jobs(iid)
    assert len(jobs) == 2
    assert sorted(j.params["value"] for j in jobs) == ["a", "b"]
    assert {j.operation for j in jobs} == {"engine_test_lookup"}
    assert {j.status for j in jobs} == {"pending"} and {j.attempts for j in jobs} == {0}
    assert len({j.task_id for j in jobs}) == 2
    assert sorted(env.dispatched) == sorted(j.task_id for j in jobs)  # handed over after commit

    first, second = jobs
    assert env.executor.run(first.task_id).status == "delivered"
    assert env.instance(iid).status == "running"  # the join waits for the other branch
    assert len(env.jobs(iid)) == 2  # no new row until the join passes
    assert env.executor.run(second.task_id).status == "delivered"
    jobs = env.jobs(iid)
    assert len(jobs) == 3 and jobs[2].params == {"value": "slow"}  # the next service task


def test_state_and_outbox_row_are_one_transaction(env):
    iid = env.start("engine_flow", data={"value": "x"})
    before = env.instance(iid)
    fill = env.task(iid, "fill")
    env.dispatched.clear()

    with pytest.raises(Boom), env.tx() as s:
        env.runtime.complete_task(s, fill.task_id, {"value": "x"}, actor="tester")
        s.flush()
        # inside the transaction both are there ...
        assert s.scalar(select(OutboxJob).where(OutboxJob.instance_id == iid)) is not None
        assert s.get(InboxTask, fill.task_id) is None
        raise Boom()

    # ... after the rollback neither is
    after = env.instance(iid)
    assert env.jobs(iid) == []
    assert (after.state, after.revision) == (before.state, before.revision)
    assert [t.task_id for t in env.inbox(iid)] == [fill.task_id]
    assert [e.kind for e in env.events(iid)] == ["start"]
    assert env.dispatched == []  # nothing was handed to the queue either

    # and the same command then succeeds normally
    env.complete(iid, "fill", {"value": "x"})
    assert len(env.jobs(iid)) == 1 and env.dispatched == [env.jobs(iid)[0].task_id]


def test_a_failing_script_task_rolls_back_the_whole_step(env):
    iid = env.start("engine_flow", data={"value": "x"})
    env.complete(iid, "fill", {"value": "x"})
    job = env.jobs(iid)[0]
    before = env.instance(iid)
    # the script task after the service task cannot record this answer and raises
    env.executor.operations["engine_test_lookup"] = lambda params: {"echo": "x", "fail": True}
    outcome = env.executor.run(job.task_id)
    assert outcome.status == "failed" and "核验结果无法记录" in outcome.error

    after = env.instance(iid)
    assert (after.state, after.revision) == (before.state, before.revision)
    [row] = env.jobs(iid)
    assert row.status == "pending" and row.result is None
    assert "核验结果无法记录" in row.last_error  # visible to an operator, not only in a log
    assert env.setting(f"test_record:{iid}") is None
    assert env.events(iid, "service") == []
    assert env.inbox(iid) == []

    # the job backs off, then is deliverable with a good result
    assert env.executor.due_jobs() == []
    env.executor.operations["engine_test_lookup"] = lambda params: {"echo": "好"}
    with env.tx() as s:
        env.clock.advance(s, timedelta(seconds=5))
    assert [o.status for o in env.executor.drain()] == ["delivered"]
    assert env.setting(f"test_record:{iid}")["n"] == 1
    assert [t.task_name for t in env.inbox(iid)] == ["approve"]


def test_deliver_result_is_idempotent(env):
    iid = env.start("engine_flow", data={"value": "x"})
    env.complete(iid, "fill", {"value": "x"})
    job = env.jobs(iid)[0]
    assert env.executor.run(job.task_id).status == "delivered"
    revision = env.instance(iid).revision

    with env.tx() as s:
        assert (
            env.runtime.deliver_result(s, s.get(OutboxJob, job.task_id), {"echo": "again"}) is False
        )
    assert env.executor.run(job.task_id).status == "duplicate"

    assert env.instance(iid).revision == revision
    assert len(env.events(iid, "service")) == 1
    assert env.setting(f"test_record:{iid}") == {"n": 1, "answer": {"echo": "x"}}
    assert [t.task_name for t in env.inbox(iid)] == ["approve"]
    [done] = env.jobs(iid)
    assert done.status == "done" and done.result == {"echo": "x"} and done.finished_at is not None


def test_job_of_a_cancelled_instance_is_marked_cancelled_and_never_runs(env):
    iid = env.start("engine_flow", data={"value": "x"})
    env.complete(iid, "fill", {"value": "x"})
    job = env.jobs(iid)[0]
    with env.tx() as s:
        env.runtime.cancel(s, iid, "tester", "删除安置人员")
    calls = []
    env.executor.operations["engine_test_lookup"] = lambda params: calls.append(params) or {}
    assert env.jobs(iid)[0].status == "cancelled"
    assert env.executor.run(job.task_id).status == "duplicate"
    assert env.executor.due_jobs() == []
    assert calls == []
    instance = env.instance(iid)
    assert instance.status == "cancelled" and env.inbox(iid) == []
    assert [e.kind for e in env.events(iid)] == ["start", "human", "cancel"]
    with pytest.raises(TaskNotAvailable, match="已被处理"), env.tx() as s:
        env.runtime.complete_task(s, "00000000-0000-0000-0000-000000000000", {})


def test_instance_cancelled_while_its_job_runs_gets_no_result(env):
    """The worker leased the job; a user cancels meanwhile; the late result is dropped."""
    iid = env.start("engine_flow", data={"value": "x"})
    env.complete(iid, "fill", {"value": "x"})
    job = env.jobs(iid)[0]

    def cancel_meanwhile(params):
        with env.tx() as s:
            env.runtime.cancel(s, iid, "reviewer", "撤销")
        return {"echo": "late"}

    env.executor.operations["engine_test_lookup"] = cancel_meanwhile
    assert env.executor.run(job.task_id).status == "duplicate"
    [row] = env.jobs(iid)
    assert row.status == "cancelled" and row.result is None
    assert env.events(iid, "service") == []
    assert env.setting(f"test_record:{iid}") is None
    assert env.instance(iid).status == "cancelled"


def test_job_whose_task_was_cancelled_by_a_timer_is_marked_cancelled(env):
    """A boundary timer interrupts the waiting service task; its pending job is stale."""
    iid = env.start("engine_parallel")
    for job in env.jobs(iid):
        env.executor.run(job.task_id)
    slow = env.jobs(iid)[2]
    assert slow.status == "pending"
    with env.tx() as s:
        env.clock.advance(s, timedelta(hours=1, minutes=1))
    assert env.executor.fire_timers() == 1
    assert [t.task_name for t in env.inbox(iid)] == ["handle_timeout"]
    # cancelled at once, in the timer's own step: no worker calls the outside system again
    assert env.jobs(iid)[2].status == "cancelled"

    assert env.executor.run(slow.task_id).status == "duplicate"
    assert env.jobs(iid)[2].status == "cancelled"
    with env.tx() as s:
        names = s.scalars(
            select(TaskEvent.task_name).where(
                TaskEvent.instance_id == iid, TaskEvent.kind == "service"
            )
        )
        assert sorted(names) == ["svc_a", "svc_b"]
        assert s.get(ProcessInstance, iid).status == "running"
