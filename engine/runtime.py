"""The runtime: every command on an instance is load → run → save in one transaction.

A command (start, complete a human task, deliver a service result, fire timers, cancel)
locks the case, loads the instance onto its cached spec, lets SpiffWorkflow advance it,
then writes back in the caller's transaction: the state (optimistic revision check),
the inbox rows, new outbox rows, the next timer and a history event. The caller commits;
after the commit, new outbox jobs are handed to the job dispatcher.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from domain.errors import DomainError
from engine.clock import Clock
from engine.context import StepContext, step_context
from engine.locks import lock_case
from engine.models import InboxTask, OutboxJob, ProcessInstance, TaskEvent
from engine.projection import ReadyTask, new_service_requests, next_timer_due, ready_human_tasks
from engine.script_engine import QuotaScriptEngine
from engine.serializer import StateSerializer
from engine.service_task import DeferredServiceTask
from engine.specs import SpecRegistry

log = logging.getLogger(__name__)

NEW_JOBS_KEY = "quotacert_new_jobs"


class TaskNotAvailable(DomainError):
    """The task was already handled by someone else, or never existed."""


@dataclass
class StepTimings:
    """Where the time of one persisted step goes (for benchmarks)."""

    load: float = 0.0
    run: float = 0.0
    save: float = 0.0


class Runtime:
    def __init__(
        self,
        registry: SpecRegistry,
        clock: Clock | None = None,
        script_engine: QuotaScriptEngine | None = None,
    ) -> None:
        self.registry = registry
        self.clock = clock or Clock()
        self.script_engine = script_engine or QuotaScriptEngine(self.clock)
        self.serializer = StateSerializer()

    # -- commands -------------------------------------------------------------------------
    def start(
        self,
        session: Session,
        process_id: str,
        *,
        case_ref: str,
        region_code: str,
        subject_ref: str = "",
        data: dict | None = None,
        actor: str = "",
    ) -> ProcessInstance:
        lock_case(session, case_ref)
        version = self.registry.current(session, process_id, region_code)
        parsed = self.registry.parsed(session, version.id)
        wf = BpmnWorkflow(parsed.spec, parsed.subprocess_specs, script_engine=self.script_engine)
        for task in wf.get_tasks(state=TaskState.READY):
            task.data.update(data or {})
        instance = ProcessInstance(
            spec_version_id=version.id,
            process_id=process_id,
            case_ref=case_ref,
            subject_ref=subject_ref,
            region_code=region_code,
            state="",
            status="running",
        )
        session.add(instance)
        session.flush()
        self._history(session, instance, "", "start", parsed.spec.description or process_id, "start", actor, data)
        self._advance(session, instance, wf, actor, {})
        return instance

    def complete_task(
        self, session: Session, task_id: str, data: dict | None = None, actor: str = ""
    ) -> ProcessInstance:
        """Complete a READY human task with the form's data."""
        row = session.get(InboxTask, task_id)
        if row is None:
            raise TaskNotAvailable("该任务已被处理或不存在，请刷新页面")
        instance = self._lock(session, row.case_ref, row.instance_id)
        wf = self.load(session, instance)
        inbox = self._projected(wf)
        task = self._task(wf, task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotAvailable("该任务已被处理或不存在，请刷新页面")
        task.data.update(data or {})
        task.run()
        self._history(session, instance, task_id, task.task_spec.bpmn_id, task.task_spec.bpmn_name, "human", actor, data)
        self._advance(session, instance, wf, actor, inbox)
        return instance

    def deliver_result(self, session: Session, job: OutboxJob, result: dict) -> bool:
        """Feed a worker's result into its waiting service task; False if already delivered."""
        instance = self._lock(session, None, job.instance_id)
        session.refresh(job)
        if job.status != "pending":
            return False
        wf = self.load(session, instance)
        inbox = self._projected(wf)
        task = self._task(wf, job.task_id)
        if task is None or task.state != TaskState.STARTED:
            job.status = "cancelled"
            return False
        spec: DeferredServiceTask = task.task_spec
        spec.deliver(task, result)
        job.status = "done"
        job.result = result
        job.finished_at = self.clock.now()
        self._history(session, instance, job.task_id, spec.bpmn_id, spec.bpmn_name, "service", "worker", None)
        self._advance(session, instance, wf, "worker", inbox)
        return True

    def fire_due_timers(self, session: Session, instance_id: int) -> bool:
        """Let an instance whose timer is due move on; True if it was still due."""
        instance = self._lock(session, None, instance_id)
        now = self.clock.now()
        if instance.status != "running" or instance.next_timer_at is None:
            return False
        if _aware(instance.next_timer_at) > now:
            return False
        wf = self.load(session, instance)
        inbox = self._projected(wf)
        self._history(session, instance, "", "timer", "时限到期", "timer", "clock", None)
        self._advance(session, instance, wf, "clock", inbox)
        self._cancel_orphaned_jobs(session, instance, wf)
        return True

    def _cancel_orphaned_jobs(self, session: Session, instance: ProcessInstance, wf: BpmnWorkflow) -> None:
        """A timer that interrupts a waiting service task leaves its job pointless: cancel
        it now rather than call the outside system once more."""
        waiting = {str(t.id) for t in wf.get_tasks(state=TaskState.STARTED, spec_class=DeferredServiceTask)}
        for job in session.scalars(
            select(OutboxJob).where(OutboxJob.instance_id == instance.id, OutboxJob.status.in_(("pending", "failed")))
        ):
            if job.task_id not in waiting:
                job.status = "cancelled"

    def cancel(self, session: Session, instance_id: int, actor: str, reason: str = "") -> None:
        instance = self._lock(session, None, instance_id)
        if instance.status != "running":
            return
        wf = self.load(session, instance)
        wf.cancel()
        instance.status = "cancelled"
        instance.state = self.serializer.dumps(wf)
        instance.next_timer_at = None
        session.execute(delete(InboxTask).where(InboxTask.instance_id == instance.id))
        for job in session.scalars(
            select(OutboxJob).where(OutboxJob.instance_id == instance.id, OutboxJob.status == "pending")
        ):
            job.status = "cancelled"
        self._history(session, instance, "", "cancel", "撤销", "cancel", actor, {"reason": reason})

    # -- reading --------------------------------------------------------------------------
    def load(self, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
        parsed = self.registry.parsed(session, instance.spec_version_id)
        return self.serializer.loads(
            instance.state, parsed.spec, parsed.subprocess_specs, self.script_engine
        )

    def data_of(self, session: Session, instance: ProcessInstance) -> dict:
        """The data of the most recently completed task (for read-only views)."""
        wf = self.load(session, instance)
        last = wf.last_task
        return dict(last.data) if last is not None else {}

    # -- internals ------------------------------------------------------------------------
    def _lock(self, session: Session, case_ref: str | None, instance_id: int) -> ProcessInstance:
        """Take the per-case lock, then the instance row (always in that order)."""
        if case_ref is None:
            case_ref = session.scalar(
                select(ProcessInstance.case_ref).where(ProcessInstance.id == instance_id)
            )
            if case_ref is None:
                raise TaskNotAvailable("流程实例不存在")
        lock_case(session, case_ref)
        instance = session.scalar(
            select(ProcessInstance)
            .where(ProcessInstance.id == instance_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        if instance is None:
            raise TaskNotAvailable("流程实例不存在")
        return instance

    @staticmethod
    def _task(wf: BpmnWorkflow, task_id: str):
        try:
            return wf.get_task_from_id(UUID(task_id))
        except Exception:  # unknown id: spiff raises TaskNotFoundException
            return None

    @staticmethod
    def _projected(wf: BpmnWorkflow) -> dict[str, ReadyTask]:
        """The inbox rows the instance has now: the projection of the state just loaded
        (state and rows are only ever written together, in one transaction)."""
        return {t.task_id: t for t in ready_human_tasks(wf)}

    def _advance(
        self, session: Session, instance: ProcessInstance, wf: BpmnWorkflow, actor: str,
        inbox: dict[str, ReadyTask],
    ) -> None:
        ctx = StepContext(session=session, instance=instance, actor=actor, now=self.clock.now())
        with step_context(ctx):
            wf.refresh_timers()
            wf.do_engine_steps()
            # do_engine_steps refreshes timers last: a timer that became due there is READY now
            while any(not t.task_spec.manual for t in wf.get_tasks(state=TaskState.READY)):
                wf.do_engine_steps()
        for warning in ctx.warnings:
            self._history(session, instance, "", "warning", warning, "warning", actor, None)
        self._save(session, instance, wf, inbox)

    def _save(
        self, session: Session, instance: ProcessInstance, wf: BpmnWorkflow, inbox: dict[str, ReadyTask]
    ) -> None:
        requests = new_service_requests(wf)  # marks tasks as written: before dumping state
        instance.state = self.serializer.dumps(wf)
        instance.status = "completed" if wf.completed else "running"
        instance.next_timer_at = next_timer_due(wf)
        self._project_inbox(session, instance, wf, inbox)
        for request in requests:
            session.add(
                OutboxJob(
                    task_id=request.task_id,
                    instance_id=instance.id,
                    operation=request.operation,
                    params=request.params,
                    next_attempt_at=self.clock.now(),
                )
            )
            session.info.setdefault(NEW_JOBS_KEY, []).append(request.task_id)

    def _project_inbox(
        self, session: Session, instance: ProcessInstance, wf: BpmnWorkflow, before: dict[str, ReadyTask]
    ) -> None:
        """Make the inbox rows match the READY human tasks. `before` is what the rows are
        (the projection of the state this step started from), so no SELECT is needed:
        delete the rows of tasks that went, add rows for tasks that came."""
        ready = {t.task_id: t for t in ready_human_tasks(wf)}
        gone = [task_id for task_id in before if task_id not in ready]
        if gone and any(isinstance(o, InboxTask) and o.instance_id == instance.id for o in session.new):
            session.flush()  # an earlier step of this transaction added rows not yet written
        unloaded = []
        for task_id in gone:
            row = session.identity_map.get(session.identity_key(InboxTask, task_id))
            if row is not None:
                session.delete(row)  # e.g. the task just completed: deleted in the flush
            else:
                unloaded.append(task_id)
        if unloaded:
            session.connection().execute(delete(InboxTask).where(InboxTask.task_id.in_(unloaded)))
        for task_id, task in ready.items():
            if task_id in before:
                if before[task_id].due_at != task.due_at:
                    session.connection().execute(
                        update(InboxTask).where(InboxTask.task_id == task_id).values(due_at=task.due_at)
                    )
                continue
            session.add(
                InboxTask(
                    task_id=task_id,
                    instance_id=instance.id,
                    process_id=instance.process_id,
                    task_name=task.task_name,
                    title=task.title,
                    form=task.form,
                    role=task.role,
                    region_code=instance.region_code,
                    case_ref=instance.case_ref,
                    subject_ref=instance.subject_ref,
                    due_at=task.due_at,
                    created_at=self.clock.now(),
                )
            )

    def _history(self, session, instance, task_id, task_name, title, kind, actor, data) -> None:
        session.add(
            TaskEvent(
                instance_id=instance.id,
                task_id=task_id,
                task_name=task_name or "",
                title=title or "",
                kind=kind,
                actor=actor or "",
                data=_jsonable(data),
                at=self.clock.now(),
            )
        )


def _aware(dt: datetime) -> datetime:
    from datetime import UTC

    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _jsonable(data):
    if data is None:
        return None
    import json

    return json.loads(json.dumps(data, default=str))


def on_commit_dispatch(session_factory, dispatch) -> None:
    """After a commit, hand the jobs written in that transaction to the dispatcher."""

    @event.listens_for(session_factory, "after_commit")
    def _after_commit(session):
        jobs = session.info.pop(NEW_JOBS_KEY, [])
        for task_id in jobs:
            try:
                dispatch(task_id)
            except Exception:  # the sweeper re-dispatches pending jobs; never fail a commit
                log.exception("dispatch of outbox job %s failed; the sweeper will retry", task_id)

    @event.listens_for(session_factory, "after_rollback")
    def _after_rollback(session):
        session.info.pop(NEW_JOBS_KEY, None)
