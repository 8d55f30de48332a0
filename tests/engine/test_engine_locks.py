"""The per-case lock and the optimistic revision: concurrent commands on one case queue up,
and no step's writes are lost."""

from __future__ import annotations

import threading

import pytest
from enginekit import SPANS, build_env
from sqlalchemy.orm.exc import StaleDataError

from engine.models import ProcessInstance

DELAY = 0.4


def _run_together(env, jobs) -> list[BaseException]:
    """Complete tasks from several threads released at the same moment."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def work(task_id: str) -> None:
        barrier.wait()
        try:
            with env.tx() as s:
                env.runtime.complete_task(s, task_id, {"from": task_id}, actor="tester")
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(task_id,)) for task_id in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return errors


def _overlap(spans) -> bool:
    (a0, a1), (b0, b1) = sorted(spans)
    return b0 < a1


def test_two_instances_of_one_case_serialize_and_lose_no_update(env):
    SPANS.reset(delay=DELAY)
    first = env.start("engine_counter", case_ref="case:7")
    second = env.start("engine_counter", case_ref="case:7")
    tasks = [env.task(first, "bump_a").task_id, env.task(second, "bump_a").task_id]

    assert _run_together(env, tasks) == []

    assert env.setting("test_counter:case:7") == {"n": 2}  # a lost update would leave 1
    spans = SPANS.by_case["case:7"]
    assert len(spans) == 2 and not _overlap(spans), "the two script tasks ran at the same time"
    for iid in (first, second):
        assert [t.task_name for t in env.inbox(iid)] == ["bump_b"]


def test_two_tasks_of_one_instance_at_once_both_count(env):
    SPANS.reset(delay=DELAY)
    iid = env.start("engine_counter", case_ref="case:8")
    tasks = [env.task(iid, "bump_a").task_id, env.task(iid, "bump_b").task_id]

    assert _run_together(env, tasks) == []

    instance = env.instance(iid)
    assert instance.status == "completed"  # the join saw both branches: no state was overwritten
    assert env.inbox(iid) == []
    assert env.setting("test_counter:case:8") == {"n": 2}
    assert sorted(e.task_name for e in env.events(iid, "human")) == ["bump_a", "bump_b"]
    assert not _overlap(SPANS.by_case["case:8"])


@pytest.mark.postgres
def test_different_cases_do_run_at_the_same_time(pg_url):
    """The control for the tests above: without a shared case the steps overlap on
    PostgreSQL, so a missing lock would be visible there (SQLite serializes all writers)."""
    env = build_env(pg_url)
    try:
        SPANS.reset(delay=DELAY)
        a = env.start("engine_counter", case_ref="case:a")
        b = env.start("engine_counter", case_ref="case:b")
        tasks = [env.task(a, "bump_a").task_id, env.task(b, "bump_a").task_id]
        assert _run_together(env, tasks) == []
        (a0, a1), (b0, b1) = SPANS.by_case["case:a"][0], SPANS.by_case["case:b"][0]
        assert a0 < b1 and b0 < a1, "independent cases should not wait for each other"
    finally:
        SPANS.reset()
        env.factory.kw["bind"].dispose()


def test_a_state_written_from_a_stale_load_is_refused(env):
    iid = env.start("engine_flow", data={"value": "x"})
    with env.tx() as s:
        stale = s.get(ProcessInstance, iid)  # loaded, then kept after the transaction
    env.complete(iid, "fill", {"value": "x"})  # another command moves the instance on
    assert env.instance(iid).revision > stale.revision

    with pytest.raises(StaleDataError), env.tx() as s:
        mine = s.merge(stale, load=False)
        mine.status = "cancelled"  # a write based on the old load
        s.flush()
    assert env.instance(iid).status == "running"
    assert len(env.jobs(iid)) == 1 and env.inbox(iid) == []


def test_revision_moves_with_every_step(env):
    iid = env.start("engine_flow", data={"value": "x"})
    r0 = env.instance(iid).revision
    env.complete(iid, "fill", {"value": "x"})
    r1 = env.instance(iid).revision
    env.executor.run(env.jobs(iid)[0].task_id)
    r2 = env.instance(iid).revision
    assert r0 < r1 < r2


def test_the_runtime_refuses_its_own_write_when_the_revision_moved(env, monkeypatch):
    """The runtime writes `WHERE revision = <the revision it loaded>`: if the row moved on
    in between (here: bumped inside the same transaction, after the load), the step writes
    nothing — no state, no inbox, no history — and raises StaleDataError."""
    from sqlalchemy import update

    iid = env.start("engine_flow", data={"value": "x"})
    before = env.instance(iid)
    events_before = len(env.events(iid))
    runtime = env.runtime
    original_load = runtime.load

    def load_then_someone_writes(session, instance):
        wf = original_load(session, instance)
        table = ProcessInstance.__table__  # Core: the loaded object keeps its revision
        session.execute(update(table).where(table.c.id == instance.id).values(revision=table.c.revision + 1))
        return wf

    monkeypatch.setattr(runtime, "load", load_then_someone_writes)
    with pytest.raises(StaleDataError), env.tx() as s:
        task = env.task(iid, "fill")
        runtime.complete_task(s, task.task_id, {"value": "x"}, actor="tester")
    after = env.instance(iid)
    assert after.state == before.state and after.revision == before.revision
    assert [t.task_name for t in env.inbox(iid)] == ["fill"] and env.jobs(iid) == []
    assert len(env.events(iid)) == events_before
