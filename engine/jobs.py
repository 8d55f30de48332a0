"""Running outbox jobs: lease, call the adapter operation, deliver the result.

Delivery is at-least-once (a killed worker's job runs again after its lease expires),
so every step is idempotent by the engine task id:
- a job is leased with a conditional UPDATE (only one worker runs it at a time);
- the operation is a read-only look-up or an idempotent push keyed by the task id;
- the result is delivered only if the job is still pending and the task still STARTED,
  in the same transaction that advances the instance (no loss, no double).
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.db import transaction
from engine.models import OutboxJob, ProcessInstance
from engine.runtime import Runtime

log = logging.getLogger(__name__)

Operation = Callable[[dict], dict]


class RetryableError(Exception):
    """An outside system is unavailable now; try again later."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class RetryPolicy:
    """Exponential backoff (3, 9, 27 s ... capped), as spiff-arena declares for service tasks."""

    base_seconds: float = 3.0
    factor: float = 3.0
    cap_seconds: float = 600.0
    lease_seconds: float = 120.0
    # An outage ends, so RetryableError is retried for as long as it takes; any other
    # error (a refusal, a bad answer, a bug) stops after this many attempts, and the job
    # waits as "failed" with its error for a person to look at and retry.
    max_failures: int = 5

    def delay(self, attempts: int) -> timedelta:
        seconds = self.base_seconds * (self.factor ** max(0, attempts - 1))
        return timedelta(seconds=min(self.cap_seconds, seconds))


@dataclass
class JobOutcome:
    task_id: str
    status: str  # delivered / duplicate / leased / retry / failed / gave_up / missing
    error: str = ""


@dataclass
class JobExecutor:
    session_factory: sessionmaker[Session]
    runtime: Runtime
    operations: dict[str, Operation] = field(default_factory=dict)
    policy: RetryPolicy = field(default_factory=RetryPolicy)
    worker_name: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def run(self, task_id: str) -> JobOutcome:
        leased = self._lease(task_id)
        if leased is None:
            return JobOutcome(task_id, "leased")
        if isinstance(leased, JobOutcome):
            return leased
        operation, params = leased
        handler = self.operations.get(operation)
        try:
            if handler is None:
                raise LookupError(f"未知的服务操作：{operation}")
            result = handler(params)
        except RetryableError as exc:
            return self._reschedule(task_id, exc.message, "retry")
        except Exception as exc:  # a bug or bad answer: keep the job, back off, show the error
            log.exception("operation %s of job %s failed", operation, task_id)
            return self._reschedule(task_id, f"{type(exc).__name__}: {exc}", "failed")
        try:
            with transaction(self.session_factory) as session:
                job = session.get(OutboxJob, task_id)
                if job is None:
                    return JobOutcome(task_id, "missing")
                delivered = self.runtime.deliver_result(session, job, result)
        except Exception as exc:  # the step after the task failed and was rolled back
            log.exception("delivering the result of job %s failed", task_id)
            return self._reschedule(task_id, f"流程推进失败：{type(exc).__name__}: {exc}", "failed")
        return JobOutcome(task_id, "delivered" if delivered else "duplicate")

    def _lease(self, task_id: str):
        now = self.runtime.clock.now()
        with transaction(self.session_factory) as session:
            job = session.get(OutboxJob, task_id)
            if job is None:
                return JobOutcome(task_id, "missing")
            if job.status != "pending":
                return JobOutcome(task_id, "duplicate")
            taken = session.execute(
                update(OutboxJob)
                .where(
                    OutboxJob.task_id == task_id,
                    OutboxJob.status == "pending",
                    OutboxJob.next_attempt_at <= now,
                )
                .values(
                    attempts=OutboxJob.attempts + 1,
                    next_attempt_at=now + timedelta(seconds=self.policy.lease_seconds),
                    last_error="",
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if not taken:
                return None
            return job.operation, dict(job.params)

    def _reschedule(self, task_id: str, message: str, status: str) -> JobOutcome:
        with transaction(self.session_factory) as session:
            job = session.get(OutboxJob, task_id)
            if job is None or job.status != "pending":
                return JobOutcome(task_id, "duplicate")
            job.last_error = message
            job.next_attempt_at = self.runtime.clock.now() + self.policy.delay(job.attempts)
            if status == "failed" and job.attempts >= self.policy.max_failures:
                job.status = "failed"
                return JobOutcome(task_id, "gave_up", message)
        return JobOutcome(task_id, status, message)

    def retry(self, task_id: str) -> bool:
        """Put a failed (or waiting) job back in line now; the sweeper dispatches it."""
        with transaction(self.session_factory) as session:
            job = session.get(OutboxJob, task_id)
            if job is None or job.status not in ("failed", "pending"):
                return False
            job.status = "pending"
            job.attempts = 0
            job.next_attempt_at = self.runtime.clock.now()
            return True

    # -- sweeping -------------------------------------------------------------------------
    def due_jobs(self, limit: int = 100) -> list[str]:
        """Pending jobs whose retry time or lease has passed (lost or failed deliveries)."""
        now = self.runtime.clock.now()
        with transaction(self.session_factory) as session:
            return list(
                session.scalars(
                    select(OutboxJob.task_id)
                    .where(OutboxJob.status == "pending", OutboxJob.next_attempt_at <= now)
                    .order_by(OutboxJob.next_attempt_at)
                    .limit(limit)
                )
            )

    def in_flight(self) -> int:
        """Pending jobs leased by some executor right now (running, not waiting to retry):
        a lease clears `last_error`, a reschedule sets it."""
        with transaction(self.session_factory) as session:
            return session.scalar(
                select(func.count()).select_from(OutboxJob).where(
                    OutboxJob.status == "pending",
                    OutboxJob.attempts > 0,
                    OutboxJob.last_error == "",
                    OutboxJob.next_attempt_at > self.runtime.clock.now(),
                )
            ) or 0

    def settle(self, timeout_seconds: float = 60.0, poll_seconds: float = 0.1) -> list[JobOutcome]:
        """Drain, and also wait for the jobs another thread or worker is running now.

        `drain` alone returns as soon as nothing is due, so a job that the in-process runner
        leased a moment earlier is still running when it returns: the demo seeding then saw
        no grid on a loaded machine. The timeout is real elapsed time (a wait, not a
        business date), so it reads the monotonic clock."""
        outcomes = self.drain()
        deadline = time.monotonic() + timeout_seconds
        while self.in_flight() and time.monotonic() < deadline:
            time.sleep(poll_seconds)
            outcomes += self.drain()
        return outcomes

    def due_timer_instances(self, limit: int = 100) -> list[int]:
        now = self.runtime.clock.now()
        with transaction(self.session_factory) as session:
            return list(
                session.scalars(
                    select(ProcessInstance.id)
                    .where(
                        ProcessInstance.status == "running",
                        ProcessInstance.next_timer_at <= now,
                    )
                    .order_by(ProcessInstance.next_timer_at)
                    .limit(limit)
                )
            )

    def fire_timers(self) -> int:
        fired = 0
        for instance_id in self.due_timer_instances():
            with transaction(self.session_factory) as session:
                if self.runtime.fire_due_timers(session, instance_id):
                    fired += 1
        return fired

    def drain(self, max_rounds: int = 50) -> list[JobOutcome]:
        """Run every due job and timer until nothing is due (the synchronous runner)."""
        outcomes: list[JobOutcome] = []
        for _ in range(max_rounds):
            fired = self.fire_timers()
            due = self.due_jobs()
            if not due and not fired:
                break
            progressed = fired > 0
            for task_id in due:
                outcome = self.run(task_id)
                outcomes.append(outcome)
                progressed = progressed or outcome.status == "delivered"
            if not progressed:
                break
        return outcomes
