"""A real `quotacert worker` (RQ on Redis, PostgreSQL) killed with SIGKILL in the middle of
an auto-verify job: after its lease runs out the sweeper re-dispatches the job, a second
worker runs it, and the result is delivered exactly once. Duplicated queue messages run
by two workers at once are delivered once as well."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from redis import Redis
from rq import Queue
from rq.job import Job
from sqlalchemy import func, select

from casework import cases, placements, registration
from casework.demo import load_demo
from casework.models import MonthCheck, Placement, Unit, User
from casework.settings import Settings
from casework.system import build_system
from engine.dispatch import QUEUE_NAME, RQDispatcher, Sweeper
from engine.models import InboxTask, OutboxJob, TaskEvent
from tests.flowkit import attachment, contract_data, person_data
from webapp.cli import db_upgrade

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.postgres]

ROOT = Path(__file__).resolve().parents[2]
LEASE_SECONDS = 4.0
LATENCY_MS = 3000


def wait_for(predicate, timeout: float, what: str, every: float = 0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


@pytest.fixture
def rq_env(tmp_path, pg_url, redis_url, simulator_url, sim_control):
    """The web side of an RQ deployment (its commits enqueue jobs) and a worker launcher."""
    settings = Settings(
        var_dir=tmp_path,
        database_url=pg_url,
        redis_url=redis_url,
        simulator_url=simulator_url,
        job_runner="rq",
        adapter_timeout=20.0,
        job_lease_seconds=LEASE_SECONDS,
    )
    db_upgrade(pg_url)  # as a deployment does: the worker refuses a database without it
    system = build_system(settings)
    with system.transaction() as session:
        load_demo(session)
    workers: list[subprocess.Popen] = []

    def start_worker(name: str, burst: bool = False) -> subprocess.Popen:
        env = {
            **os.environ,
            "DATABASE_URL": pg_url,
            "REDIS_URL": redis_url,
            "SIMULATOR_URL": simulator_url,
            "JOB_LEASE_SECONDS": str(LEASE_SECONDS),
            "LOG_LEVEL": "INFO",
        }
        log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115  (closed with the process)
        cmd = [sys.executable, "-m", "webapp.cli", "worker", *(["--burst"] if burst else [])]
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        proc.log_path = tmp_path / f"{name}.log"
        workers.append(proc)
        return proc

    system.start_worker = start_worker
    try:
        yield system
    finally:
        for proc in workers:  # only the workers this test started, by their pid
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait(10)
        system.close()


def _register(system, population) -> tuple[int, int]:
    """添加残疾人, 合同, 保存下一步: commits the auto-verify outbox row (and enqueues it)."""
    with system.transaction() as s:
        unit = s.scalars(select(Unit).order_by(Unit.id)).first()
        user = s.scalar(select(User).where(User.unit_id == unit.id))
        person = population.select(unit=unit.credit_code, scenario="clean")[0]
        case = cases.open_case(s, system, unit, 2025, user.login)
        placement = placements.add_placement(
            s,
            system,
            user,
            case,
            person_data(person),
        )
        data = contract_data(person)
        data["attachment_ids"] = [attachment(s, unit.id).id]
        registration.save_contract(s, user, case, placement, data)
        registration.submit_registration(s, system, user, case, placement)
        return placement.id, placement.instance_id


def _job(system, instance_id: int) -> OutboxJob:
    with system.transaction() as s:
        [job] = s.scalars(select(OutboxJob).where(OutboxJob.instance_id == instance_id)).all()
        return job


def _assert_delivered_once(system, placement_id: int, instance_id: int, task_id: str) -> None:
    with system.transaction() as s:
        job = s.get(OutboxJob, task_id)
        assert job.status == "done" and job.result and len(job.result["months"]) == 12
        months = s.scalars(select(MonthCheck).where(MonthCheck.placement_id == placement_id)).all()
        assert sorted(m.month for m in months) == list(range(1, 13))
        service_events = s.scalar(
            select(func.count())
            .select_from(TaskEvent)
            .where(TaskEvent.task_id == task_id, TaskEvent.kind == "service")
        )
        assert service_events == 1
        kinds = s.scalars(
            select(TaskEvent.kind)
            .where(TaskEvent.instance_id == instance_id)
            .order_by(TaskEvent.id)
        ).all()
        assert kinds == ["start", "human", "service"]  # the instance advanced once
        inbox = s.scalars(
            select(InboxTask.task_name).where(InboxTask.instance_id == instance_id)
        ).all()
        assert inbox == ["select_months"]
        placement = s.get(Placement, placement_id)
        # one grid of 12 months, all passed (a clean person), nothing chosen yet
        assert sorted(m.month for m in placement.months) == list(range(1, 13))
        assert all(m.passed for m in placement.months) and placement.registered_months == 0


def test_worker_killed_mid_job_is_recovered_and_delivers_once(
    rq_env, population, sim_control, redis_url
):
    system = rq_env
    pid, iid = _register(system, population)
    task_id = _job(system, iid).task_id
    queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))
    assert queue.count == 1  # enqueued after the commit

    sim_control(latency_ms=LATENCY_MS)  # every outside system now answers after 3 s
    first = system.start_worker("worker-1")
    leased = wait_for(lambda: _job(system, iid).attempts == 1, 60, "worker-1 to lease the job")
    assert leased and first.poll() is None
    time.sleep(0.5)  # well inside the outside calls
    os.kill(first.pid, signal.SIGKILL)
    assert first.wait(10) == -signal.SIGKILL

    # nothing was delivered and nothing is lost: the job is still pending, leased
    job = _job(system, iid)
    assert (job.status, job.attempts, job.result) == ("pending", 1, None)
    with system.transaction() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(MonthCheck).where(MonthCheck.placement_id == pid)
            )
            == 0
        )
    assert system.executor.due_jobs() == []  # still inside the lease: the sweeper waits

    assert queue.count == 0  # the message went with the dead worker: only the outbox has it

    sim_control(reset=True)
    wait_for(
        lambda: task_id in system.executor.due_jobs(), LEASE_SECONDS + 10, "the lease to expire"
    )
    Sweeper(system.executor, RQDispatcher(redis_url)).sweep_once()
    assert queue.count == 1  # the dead worker's copy was replaced, not added to

    second = system.start_worker("worker-2", burst=True)
    assert second.wait(120) == 0, second.log_path.read_text(errors="replace")[-3000:]

    _assert_delivered_once(system, pid, iid, task_id)
    assert _job(system, iid).attempts == 2
    assert queue.count == 0


def test_duplicate_queue_messages_run_by_two_workers_deliver_once(
    rq_env, population, sim_control, redis_url
):
    system = rq_env
    pid, iid = _register(system, population)
    task_id = _job(system, iid).task_id
    queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))
    queue.empty()  # replace the original message by two observable copies of it
    copies = [
        queue.enqueue_call(
            "engine.dispatch.run_outbox_job",
            args=(task_id,),
            job_id=f"copy{n}-{task_id}",
            result_ttl=600,
        )
        for n in (1, 2)
    ]
    assert queue.count == 2

    sim_control(latency_ms=1000)  # the first copy is still calling out when the second starts
    workers = [system.start_worker(f"burst-{n}", burst=True) for n in (1, 2)]
    for w in workers:
        assert w.wait(120) == 0, w.log_path.read_text(errors="replace")[-3000:]

    outcomes = sorted(Job.fetch(c.id, connection=queue.connection).return_value() for c in copies)
    assert outcomes in (["delivered", "leased"], ["delivered", "duplicate"]), outcomes
    _assert_delivered_once(system, pid, iid, task_id)
    assert _job(system, iid).attempts == 1  # the outside systems were asked once
