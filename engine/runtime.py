"""The runtime: every command on an instance is load → run → save in one transaction.

A command (start, complete a human task, deliver a service result, fire timers, cancel)
locks the case, loads the instance onto its cached spec, lets SpiffWorkflow advance it,
then writes back in the caller's transaction: the state (optimistic revision check),
the inbox rows, new outbox rows, the next timer and a history event. The caller commits;
after the commit, new outbox jobs are handed to the job dispatcher.
"""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from engine import migration
from engine.clock import Clock
from engine.context import StepContext, step_context
from engine.db import as_utc, utcnow
from engine.holidays import load_holidays
from engine.lanes import LaneTable, load_lanes
from engine.locks import lock_case
from engine.migration import InstanceCheck
from engine.models import InboxTask, OutboxJob, ProcessInstance
from engine.projection import ReadyTask, new_service_requests, next_timer_due, ready_human_tasks
from engine.script_engine import QuotaScriptEngine
from engine.serializer import StateSerializer
from engine.service_task import DeferredServiceTask
from engine.specs import ParsedSpec, SpecRegistry
from engine.stages import Stage, progress, stage_order
from engine.step_store import (
    LOAD_JOB,
    OPEN_JOBS,
    TaskNotAvailable,
    jsonable,
    lock_instance,
    set_job,
    sync,
    task_owner,
    write_step,
)

__all__ = ["NEW_JOBS_KEY", "Runtime", "TaskNotAvailable", "on_commit_dispatch"]

log = logging.getLogger(__name__)

NEW_JOBS_KEY = "quotacert_new_jobs"

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
        self.lanes = LaneTable()

    # -- commands -------------------------------------------------------------------------
    def start(
        self,
        session: Session,
        process_id: str,
        *,
        case_ref: str,
        region_code: str,
        subject_ref: str = "",
        case_id: int | None = None,
        subject_id: int | None = None,
        case_label: str = "",
        subject_label: str = "",
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
            case_id=case_id,
            subject_ref=subject_ref,
            subject_id=subject_id,
            case_label=case_label[:300],
            subject_label=subject_label[:300],
            region_code=region_code,
            state="",
            status="running",
        )
        session.add(instance)
        session.flush()
        events = [self._event(instance, "", "start", parsed.spec.description or process_id, "start", actor, data)]
        self._advance(session, instance, wf, actor, {}, events)
        return instance

    def complete_task(
        self, session: Session, task_id: str, data: dict | None = None, actor: str = ""
    ) -> ProcessInstance:
        """Complete a READY human task with the form's data."""
        owner = task_owner(session, task_id)
        if owner is None:
            raise TaskNotAvailable("该任务已被处理或不存在，请刷新页面")
        instance = lock_instance(session, *owner)
        wf = self.load(session, instance)
        inbox = self._projected(wf)
        task = self._task(wf, task_id)
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise TaskNotAvailable("该任务已被处理或不存在，请刷新页面")
        task.data.update(data or {})
        task.run()
        spec = task.task_spec
        events = [self._event(instance, task_id, spec.bpmn_id, spec.bpmn_name, "human", actor, data)]
        self._advance(session, instance, wf, actor, inbox, events)
        return instance

    def deliver_result(self, session: Session, job: OutboxJob, result: dict) -> bool:
        """Feed a worker's result into its waiting service task; False if already delivered."""
        instance = lock_instance(session, None, job.instance_id)
        current = session.connection().execute(LOAD_JOB, {"task_id": job.task_id}).first()
        if current is None:  # gone with its instance
            return False
        sync(job, current._mapping)  # as read under the lock (a worker may have leased it)
        if job.status != "pending":
            return False
        wf = self.load(session, instance)
        inbox = self._projected(wf)
        task = self._task(wf, job.task_id)
        if task is None or task.state != TaskState.STARTED:
            set_job(session, job, status="cancelled")
            return False
        spec: DeferredServiceTask = task.task_spec
        spec.deliver(task, result)
        set_job(session, job, status="done", result=result, finished_at=self.clock.now())
        events = [self._event(instance, job.task_id, spec.bpmn_id, spec.bpmn_name, "service", "worker", None)]
        self._advance(session, instance, wf, "worker", inbox, events)
        return True

    def fire_due_timers(self, session: Session, instance_id: int) -> bool:
        """Let an instance whose timer is due move on; True if it was still due."""
        instance = lock_instance(session, None, instance_id)
        now = self.clock.now()
        if instance.status != "running" or instance.next_timer_at is None:
            return False
        if as_utc(instance.next_timer_at) > now:
            return False
        wf = self.load(session, instance)
        inbox = self._projected(wf)
        events = [self._event(instance, "", "timer", "时限到期", "timer", "clock", None)]
        self._advance(session, instance, wf, "clock", inbox, events)
        self._cancel_orphaned_jobs(session, instance, wf)
        return True

    def send_message(
        self, session: Session, instance_id: int, name: str, payload: dict | None = None, actor: str = ""
    ) -> bool:
        """Deliver a message (say the employer's 删除) to an instance and let it move on.

        False, with nothing written, when the diagram does not wait for that message now:
        whether an action is possible at this point is the diagram's call, not ours."""
        instance = lock_instance(session, None, instance_id)
        if instance.status != "running":
            return False
        wf = self.load(session, instance)
        definition = message_definition(wf, name)
        if definition is None:
            return False
        inbox = self._projected(wf)
        before = set(wf.subprocesses)
        try:
            wf.send_event(BpmnEvent(definition, dict(payload or {})))
        except WorkflowException:
            return False
        interrupt(wf, before)
        events = [self._event(instance, "", name, name, "message", actor, payload)]
        self._advance(session, instance, wf, actor, inbox, events)
        self._cancel_orphaned_jobs(session, instance, wf)
        return True

    def _cancel_orphaned_jobs(self, session: Session, instance: ProcessInstance, wf: BpmnWorkflow) -> None:
        """A timer that interrupts a waiting service task leaves its job pointless: cancel
        it now rather than call the outside system once more."""
        waiting = {str(t.id) for t in wf.get_tasks(state=TaskState.STARTED, spec_class=DeferredServiceTask)}
        conn = session.connection()
        for task_id in conn.execute(OPEN_JOBS, {"instance_id": instance.id}).scalars().all():
            if task_id not in waiting:
                set_job(session, task_id, status="cancelled")

    def cancel(self, session: Session, instance_id: int, actor: str, reason: str = "") -> None:
        instance = lock_instance(session, None, instance_id)
        if instance.status != "running":
            return
        wf = self.load(session, instance)
        wf.cancel()
        write_step(
            session, instance,
            {"state": self.serializer.dumps(wf), "status": "cancelled", "next_timer_at": None},
            events=[self._event(instance, "", "cancel", "撤销", "cancel", actor, {"reason": reason})],
        )
        # ORM-enabled: also takes the deleted rows' objects out of the session
        session.execute(delete(InboxTask).where(InboxTask.instance_id == instance.id))
        for job in session.scalars(
            select(OutboxJob).where(OutboxJob.instance_id == instance.id, OutboxJob.status == "pending")
        ):
            job.status = "cancelled"

    def migration_check(self, session: Session, instance: ProcessInstance, target_version_id: int) -> InstanceCheck:
        """Whether a running instance could move to another version now, and why not."""
        if instance.status != "running":
            return InstanceCheck(instance.id, False, ("业务已办结，无需迁移",))
        if instance.spec_version_id == target_version_id:
            return InstanceCheck(instance.id, False, ("已在该版本上",))
        target = self.registry.parsed(session, target_version_id)
        return migration.check(self.serializer.registry, self.load(session, instance), instance.id, target)

    def migrate(self, session: Session, instance_id: int, target_version_id: int, actor: str) -> InstanceCheck:
        """Move a running instance to another version of its process (see engine.migration);
        written like any step (state, inbox, history), or nothing when it cannot move."""
        instance = lock_instance(session, None, instance_id)
        if instance.status != "running" or instance.spec_version_id == target_version_id:
            return self.migration_check(session, instance, target_version_id)
        wf = self.load(session, instance)
        inbox = self._projected(wf)
        target = self.registry.parsed(session, target_version_id)
        source = instance.spec_version_id
        verdict = migration.migrate(session, self.serializer.registry, wf, instance, target)
        if verdict.movable:
            events = [self._event(instance, "", "migrate", "流程版本迁移", "migration", actor,
                                  {"from_version": source, "to_version": target_version_id})]
            self._advance(session, instance, wf, actor, inbox, events)
            self._relabel_inbox(session, wf)
        return verdict

    def _relabel_inbox(self, session: Session, wf: BpmnWorkflow) -> None:
        """A task that stays open across a migration keeps its row (its claim and due
        date), but takes the new version's name and settings: a step renamed in the new
        version shows under its new name in the inbox."""
        for task in ready_human_tasks(wf, self.lanes):
            session.execute(
                update(InboxTask)
                .where(InboxTask.task_id == task.task_id)
                .values(task_name=task.task_name, title=task.title, form=task.form, props=task.props, role=task.role)
            )

    def refresh_settings(self, session: Session) -> None:
        """Pick up what another process may have changed: the clock, the holiday table and
        the lane table."""
        self.clock.load(session)
        self.script_engine.holidays = load_holidays(session)
        self.lanes = load_lanes(session)

    # -- reading --------------------------------------------------------------------------
    def load(self, session: Session, instance: ProcessInstance) -> BpmnWorkflow:
        parsed = self.registry.parsed(session, instance.spec_version_id)
        return self.serializer.loads(
            instance.state, parsed.spec, parsed.subprocess_specs, self.script_engine
        )

    def stage_names(self, session: Session, process_id: str, region_code: str = "") -> list[str]:
        """The stages of the version a new instance in `region_code` would start on."""
        version = self.registry.current(session, process_id, region_code)
        parsed = self.registry.parsed(session, version.id)
        return stage_order(parsed.spec, parsed.subprocess_specs)

    def stages(self, session: Session, instance: ProcessInstance) -> list[Stage]:
        """The diagram's stages (its tasks' `stage` property) and how far this instance is."""
        return progress(self.load(session, instance))

    def awaited_messages(self, session: Session, instance: ProcessInstance | None) -> set[str]:
        """The messages the instance waits for now (say withdraw_request): a page offers
        the action that sends one only while the diagram would catch it."""
        if instance is None or instance.status != "running":
            return set()
        wf = self.load(session, instance)
        return {e.name for e in wf.waiting_events() if e.event_type == "MessageEventDefinition"}

    def data_of(self, session: Session, instance: ProcessInstance) -> dict:
        """The data of the most recently completed task (for read-only views)."""
        wf = self.load(session, instance)
        last = wf.last_task
        return dict(last.data) if last is not None else {}

    # -- internals ------------------------------------------------------------------------
    @staticmethod
    def _task(wf: BpmnWorkflow, task_id: str):
        try:
            return wf.get_task_from_id(UUID(task_id))
        except Exception:  # unknown id: spiff raises TaskNotFoundException
            return None

    def _projected(self, wf: BpmnWorkflow) -> dict[str, ReadyTask]:
        """The inbox rows the instance has now: the projection of the state just loaded
        (state and rows are only ever written together, in one transaction)."""
        return {t.task_id: t for t in ready_human_tasks(wf, self.lanes)}

    def _advance(
        self, session: Session, instance: ProcessInstance, wf: BpmnWorkflow, actor: str,
        inbox: dict[str, ReadyTask], events: list[dict],
    ) -> None:
        ctx = StepContext(session=session, instance=instance, actor=actor, now=self.clock.now())
        with step_context(ctx):
            wf.refresh_timers()
            wf.do_engine_steps()
            # do_engine_steps refreshes timers last: a timer that became due there is READY now
            while any(not t.task_spec.manual for t in wf.get_tasks(state=TaskState.READY)):
                wf.do_engine_steps()
        for warning in ctx.warnings:
            events.append(self._event(instance, "", "warning", warning, "warning", actor, None))
        self._save(session, instance, wf, inbox, events)

    def _save(
        self, session: Session, instance: ProcessInstance, wf: BpmnWorkflow,
        inbox: dict[str, ReadyTask], events: list[dict],
    ) -> None:
        requests = new_service_requests(wf)  # marks tasks as written: before dumping state
        state = {
            "state": self.serializer.dumps(wf),
            "status": "completed" if wf.is_completed() else "running",
            "next_timer_at": next_timer_due(wf),
        }
        gone, added, moved = self._project_inbox(instance, wf, inbox)
        jobs = []
        if requests:
            now, stamp = self.clock.now(), utcnow()
            jobs = [
                {
                    "task_id": request.task_id,
                    "instance_id": instance.id,
                    "operation": request.operation,
                    "params": request.params,
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "last_error": "",
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for request in requests
            ]
        write_step(session, instance, state, events, gone, added, moved, jobs)
        if requests:
            session.info.setdefault(NEW_JOBS_KEY, []).extend(r.task_id for r in requests)

    def _project_inbox(
        self, instance: ProcessInstance, wf: BpmnWorkflow, before: dict[str, ReadyTask]
    ) -> tuple[list[str], list[dict], dict[str, datetime | None]]:
        """What makes the inbox rows match the READY human tasks: (task ids whose rows go,
        rows to add, new due times of rows that stay). `before` is what the rows are (the
        projection of the state this step started from), so no SELECT is needed."""
        ready = {t.task_id: t for t in ready_human_tasks(wf, self.lanes)}
        gone = [task_id for task_id in before if task_id not in ready]
        added, moved = [], {}
        for task_id, task in ready.items():
            if task_id in before:
                if before[task_id].due_at != task.due_at:
                    moved[task_id] = task.due_at
                continue
            added.append(
                {
                    "task_id": task_id,
                    "instance_id": instance.id,
                    "process_id": instance.process_id,
                    "task_name": task.task_name,
                    "title": task.title,
                    "form": task.form,
                    "props": task.props,
                    "role": task.role,
                    "region_code": task.region or instance.region_code,
                    "excluded_actors": task.excluded,
                    "case_ref": instance.case_ref,
                    "case_id": instance.case_id,
                    "subject_ref": instance.subject_ref,
                    "subject_id": instance.subject_id,
                    "case_label": instance.case_label,
                    "subject_label": instance.subject_label,
                    "due_at": task.due_at,
                    "created_at": self.clock.now(),
                    "assignee": None,
                    "claimed_at": None,
                }
            )
        return gone, added, moved

    def _event(self, instance, task_id, task_name, title, kind, actor, data) -> dict:
        """A history row (TaskEvent), written with the step's other rows."""
        return {
            "instance_id": instance.id,
            "task_id": task_id,
            "task_name": task_name or "",
            "title": title or "",
            "kind": kind,
            "actor": actor or "",
            "data": jsonable(data),
            "at": self.clock.now(),
        }



def interrupt(wf: BpmnWorkflow, before: set) -> None:
    """An interrupting event sub-process that has just started (its start event caught)
    cancels everything else still open in the process around it (see
    engine.parser.EventSubprocessParser for why the engine does this)."""
    for task in wf.get_tasks():
        if task.id in before or task.id not in wf.subprocesses:
            continue
        if not getattr(task.task_spec, "interrupting", False):
            continue
        keep = {task.id}
        node = task.parent
        while node is not None:
            keep.add(node.id)
            node = node.parent
        for other in task.workflow.get_tasks(state=TaskState.NOT_FINISHED_MASK):
            if other.id not in keep and other.workflow is task.workflow:
                other.cancel()


def message_definition(wf: BpmnWorkflow | ParsedSpec, name: str):
    """The diagram's definition of the message called `name` (its own class, which the
    engine compares by), or None if the diagram knows no such message. A parsed version
    answers too: whether a diagram catches a message anywhere, before any instance runs."""
    for spec in [wf.spec, *wf.subprocess_specs.values()]:
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if isinstance(definition, MessageEventDefinition) and definition.name == name:
                return definition
    return None


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
