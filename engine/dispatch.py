"""How outbox jobs reach a worker: RQ on Redis, or threads in this process.

The outbox table is the source of truth; the queue is only transport. A job lost on the
way (Redis flushed, worker killed, enqueue failed after commit) is found again by the
sweeper, which re-dispatches pending jobs whose retry time or lease has passed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from engine.jobs import JobExecutor

log = logging.getLogger(__name__)

QUEUE_NAME = "quotacert"
# The RQ worker process sets this before it starts taking jobs.
_worker_executor: JobExecutor | None = None


class RQDispatcher:
    """Enqueue one RQ job per outbox row; the job id makes a re-enqueue of the same id a no-op."""

    def __init__(self, redis_url: str, queue_name: str = QUEUE_NAME) -> None:
        from redis import Redis
        from rq import Queue

        self.redis = Redis.from_url(redis_url)
        self.queue = Queue(queue_name, connection=self.redis)

    def _enqueue(self, task_id: str, unique: bool) -> None:
        """One RQ job per outbox row, named after the engine task id."""
        self.queue.enqueue_call(
            "engine.dispatch.run_outbox_job",
            args=(task_id,),
            job_id=f"outbox-{task_id}",
            unique=unique,
            result_ttl=0,
            failure_ttl=3600,
        )

    def __call__(self, task_id: str) -> None:
        from rq.exceptions import DuplicateJobError

        try:
            self._enqueue(task_id, unique=True)
        except DuplicateJobError:
            # Still queued or in flight: the worker (or the sweeper, after the lease)
            # takes care of it. An old finished copy does not block: result_ttl=0.
            self._requeue_if_stale(task_id)

    def _requeue_if_stale(self, task_id: str) -> None:
        """Called only for jobs the database says are due: queued ones will run; a started
        one's lease has expired (its worker died), so it is replaced."""
        from rq.job import Job, JobStatus

        try:
            job = Job.fetch(f"outbox-{task_id}", connection=self.redis)
        except Exception:
            return
        if job.get_status(refresh=True) in (JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED):
            return
        job.delete()
        self._enqueue(task_id, unique=False)


def run_outbox_job(task_id: str) -> str:
    """The RQ job function (runs in `quotacert worker`)."""
    if _worker_executor is None:
        raise RuntimeError("worker not configured: start it with `quotacert worker`")
    return _worker_executor.run(task_id).status


def set_worker_executor(executor: JobExecutor) -> None:
    global _worker_executor
    _worker_executor = executor


class InProcessRunner:
    """Threads in the web process: the zero-setup default (no Redis needed)."""

    def __init__(self, executor: JobExecutor, workers: int = 4, sweep_seconds: float = 1.0) -> None:
        self.executor = executor
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="outbox")
        self.sweep_seconds = sweep_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __call__(self, task_id: str) -> None:
        self.pool.submit(self._run, task_id)

    def _run(self, task_id: str) -> None:
        try:
            self.executor.run(task_id)
        except Exception:
            log.exception("outbox job %s crashed; the sweeper will retry", task_id)

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._sweep_loop, name="sweeper", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self.pool.shutdown(wait=True)

    def _sweep_loop(self) -> None:
        sweeper = Sweeper(self.executor, self)
        while not self._stop.wait(self.sweep_seconds):
            sweeper.sweep_once()


class Sweeper:
    """Re-dispatch due jobs and fire due timers (run by `quotacert scheduler` with RQ)."""

    def __init__(self, executor: JobExecutor, dispatch: Callable[[str], None]) -> None:
        self.executor = executor
        self.dispatch = dispatch

    def sweep_once(self) -> None:
        try:
            with _session(self.executor) as session:
                self.executor.runtime.refresh_settings(session)
            self.executor.fire_timers()
            for task_id in self.executor.due_jobs():
                self.dispatch(task_id)
        except Exception:
            log.exception("sweep failed; trying again at the next tick")

    def run_forever(self, every_seconds: float = 2.0) -> None:
        while True:
            self.sweep_once()
            time.sleep(every_seconds)


def _session(executor: JobExecutor):
    from engine.db import transaction

    return transaction(executor.session_factory)
