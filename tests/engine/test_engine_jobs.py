"""Job execution: the lease lets one executor run a job at a time; outages back off."""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime, timedelta

from enginekit import build_env

from engine.jobs import JobExecutor, RetryableError


def aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _waiting_job(env) -> tuple[int, str]:
    iid = env.start("engine_flow", data={"value": "x"})
    env.complete(iid, "fill", {"value": "x"})
    return iid, env.jobs(iid)[0].task_id


def test_two_executors_racing_for_one_job_run_the_operation_once(env):
    iid, task_id = _waiting_job(env)
    calls: list[str] = []
    lock = threading.Lock()

    def slow_echo(params):
        with lock:
            calls.append(threading.current_thread().name)
        time.sleep(0.3)  # both executors are inside run() while this is held
        return {"echo": params["value"]}

    # two executors as two worker processes would have them: each its own connection pool
    other = build_env(env.url, diagrams=())
    executors = [
        JobExecutor(env.factory, env.runtime, {"engine_test_lookup": slow_echo}, worker_name="w1"),
        JobExecutor(
            other.factory, other.runtime, {"engine_test_lookup": slow_echo}, worker_name="w2"
        ),
    ]
    barrier = threading.Barrier(len(executors))
    outcomes: dict[str, str] = {}

    def race(executor: JobExecutor) -> None:
        barrier.wait()
        outcomes[executor.worker_name] = executor.run(task_id).status

    threads = [threading.Thread(target=race, args=(e,), name=e.worker_name) for e in executors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    other.factory.kw["bind"].dispose()

    assert len(calls) == 1, f"the operation ran {len(calls)} times"
    assert sorted(outcomes.values()) in (["delivered", "leased"], ["delivered", "duplicate"])
    [job] = env.jobs(iid)
    assert job.status == "done" and job.attempts == 1
    assert len(env.events(iid, "service")) == 1
    assert env.setting(f"test_record:{iid}")["n"] == 1


def test_a_leased_job_is_not_due_until_its_lease_expires(env):
    iid, task_id = _waiting_job(env)
    started = threading.Event()
    release = threading.Event()

    def blocked(params):
        started.set()
        release.wait(10)
        return {"echo": "late"}

    env.executor.operations["engine_test_lookup"] = blocked
    runner = threading.Thread(target=lambda: env.executor.run(task_id))
    runner.start()
    try:
        assert started.wait(10)
        assert env.executor.due_jobs() == []  # leased: the sweeper leaves it alone
        with env.tx() as s:
            env.clock.advance(s, timedelta(seconds=env.executor.policy.lease_seconds + 1))
        assert env.executor.due_jobs() == [task_id]  # the lease ran out: it is due again
    finally:
        release.set()
        runner.join(10)
    assert env.jobs(iid)[0].status == "done"


def test_settle_waits_for_a_job_another_thread_is_running(env):
    """drain() alone returns while another runner holds the lease (the demo seeding then
    found no grid on a loaded machine); settle() waits for that delivery."""
    iid, task_id = _waiting_job(env)
    started = threading.Event()

    def slow(params):
        started.set()
        time.sleep(0.5)
        return {"echo": params["value"]}

    env.executor.operations["engine_test_lookup"] = slow
    runner = threading.Thread(target=lambda: env.executor.run(task_id))
    runner.start()
    try:
        assert started.wait(10)
        assert env.executor.in_flight() == 1
        env.executor.settle(timeout_seconds=10)
        assert env.jobs(iid)[0].status == "done"  # delivered before settle returned
        assert env.executor.in_flight() == 0
    finally:
        runner.join(10)


def test_settle_does_not_wait_for_a_job_backing_off(env):
    iid, task_id = _waiting_job(env)

    def unavailable(params):
        raise RetryableError("暂时无法访问")

    env.executor.operations["engine_test_lookup"] = unavailable
    assert env.executor.run(task_id).status == "retry"
    started = time.monotonic()
    env.executor.settle(timeout_seconds=10)
    assert time.monotonic() - started < 5
    assert env.jobs(iid)[0].status == "pending"


def test_retryable_error_backs_off_and_keeps_the_job_pending(env):
    iid, task_id = _waiting_job(env)
    calls = []

    def unavailable(params):
        calls.append(params)
        raise RetryableError("残疾人证信息系统暂时无法访问，请稍后再试")

    env.executor.operations["engine_test_lookup"] = unavailable
    t0 = env.clock.now()
    outcome = env.executor.run(task_id)
    assert outcome.status == "retry"
    [job] = env.jobs(iid)
    assert job.status == "pending" and job.attempts == 1
    assert job.last_error == "残疾人证信息系统暂时无法访问，请稍后再试"
    first_next = aware(job.next_attempt_at)
    assert timedelta(seconds=2) < first_next - t0 < timedelta(seconds=4)  # base 3 s
    assert env.executor.due_jobs() == []

    # not due yet: a repeated delivery of the queue message does not call out again
    assert env.executor.run(task_id).status == "leased"
    assert len(calls) == 1

    with env.tx() as s:
        env.clock.advance(s, timedelta(seconds=4))
    assert env.executor.due_jobs() == [task_id]
    assert env.executor.run(task_id).status == "retry"
    [job] = env.jobs(iid)
    assert job.attempts == 2 and job.status == "pending"
    second_next = aware(job.next_attempt_at)
    assert second_next > first_next
    assert timedelta(seconds=8) < second_next - env.clock.now() < timedelta(seconds=10)  # 3 × 3 s

    env.executor.operations["engine_test_lookup"] = lambda params: {"echo": "恢复"}
    with env.tx() as s:
        env.clock.advance(s, timedelta(seconds=10))
    assert [o.status for o in env.executor.drain()] == ["delivered"]
    [job] = env.jobs(iid)
    assert job.status == "done" and job.attempts == 3 and job.last_error == ""
    assert env.instance(iid).status == "running" and env.task(iid, "approve")


def test_unknown_operation_is_a_visible_chinese_error(env):
    iid, task_id = _waiting_job(env)
    del env.executor.operations["engine_test_lookup"]
    outcome = env.executor.run(task_id)
    assert outcome.status == "failed"
    [job] = env.jobs(iid)
    assert job.status == "pending" and "未知的服务操作" in job.last_error
    assert re.search(r"[\u4e00-\u9fff]", job.last_error)


def test_a_failing_operation_gives_up_and_waits_for_a_person(env):
    """Errors other than an outage stop after `max_failures` attempts; `retry` resumes."""
    iid, task_id = _waiting_job(env)
    original = env.executor.operations["engine_test_lookup"]

    def refuse(params):
        raise ValueError("对方系统拒绝：参数不合法")

    env.executor.operations["engine_test_lookup"] = refuse
    outcomes = []
    for _ in range(env.executor.policy.max_failures):
        outcomes.append(env.executor.run(task_id).status)
        with env.tx() as s:
            env.clock.advance(s, timedelta(hours=1))
    assert outcomes == ["failed"] * (env.executor.policy.max_failures - 1) + ["gave_up"]
    [job] = env.jobs(iid)
    assert job.status == "failed" and "参数不合法" in job.last_error
    assert task_id not in env.executor.due_jobs()  # the sweeper leaves it alone

    env.executor.operations["engine_test_lookup"] = original
    assert env.executor.retry(task_id)
    assert [o.status for o in env.executor.drain()] == ["delivered"]
    assert env.jobs(iid)[0].status == "done"


def test_backoff_is_capped(env):
    policy = env.executor.policy
    delays = [policy.delay(n).total_seconds() for n in range(1, 10)]
    assert delays[:4] == [3, 9, 27, 81]
    assert max(delays) == policy.cap_seconds and delays == sorted(delays)
