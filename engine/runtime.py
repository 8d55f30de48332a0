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
from functools import lru_cache
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, delete, event, exists, func, insert, select, union_all, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from domain.errors import DomainError
from engine.clock import Clock
from engine.context import StepContext, step_context
from engine.db import utcnow
from engine.locks import CaseLock, case_locked, lock_case
from engine.models import InboxTask, OutboxJob, ProcessInstance, TaskEvent
from engine.projection import ReadyTask, new_service_requests, next_timer_due, ready_human_tasks
from engine.script_engine import QuotaScriptEngine
from engine.serializer import StateSerializer
from engine.service_task import DeferredServiceTask
from engine.specs import SpecRegistry

log = logging.getLogger(__name__)

NEW_JOBS_KEY = "quotacert_new_jobs"

# The hot path reads and writes with Core statements built once (SQLAlchemy reuses their
# cache key and compiled form), not with unit-of-work objects: a step's rows are known
# exactly, and the flush bookkeeping cost more than the SQL. The session's ORM objects of
# rows written this way are kept in step (`_sync`; deleted inbox rows are expunged).
_INSTANCE = ProcessInstance.__table__
_INBOX = InboxTask.__table__
_OUTBOX = OutboxJob.__table__
_EVENTS = TaskEvent.__table__
_CASE_LOCK = CaseLock.__table__

_TASK_OWNER = select(_INBOX.c.case_ref, _INBOX.c.instance_id).where(
    _INBOX.c.task_id == bindparam("task_id")
)
# PostgreSQL: find the task's case and take the case lock in one round trip (only the
# case_lock row is locked; the instance row is locked after it, as always)
_TASK_OWNER_LOCKED = (
    select(_CASE_LOCK.c.case_ref, _INBOX.c.instance_id)
    .join_from(_INBOX, _CASE_LOCK, _CASE_LOCK.c.case_ref == _INBOX.c.case_ref)
    .where(_INBOX.c.task_id == bindparam("task_id"))
    .with_for_update(of=_CASE_LOCK)
)
_CASE_OF = select(_INSTANCE.c.case_ref).where(_INSTANCE.c.id == bindparam("id"))
_CASE_OF_LOCKED = (
    select(_CASE_LOCK.c.case_ref)
    .join_from(_INSTANCE, _CASE_LOCK, _CASE_LOCK.c.case_ref == _INSTANCE.c.case_ref)
    .where(_INSTANCE.c.id == bindparam("id"))
    .with_for_update(of=_CASE_LOCK)
)
_LOAD = select(_INSTANCE).where(_INSTANCE.c.id == bindparam("id")).with_for_update()

# What a step writes on the instance row; the revision check is the WHERE (see models).
_STATE_COLUMNS = ("state", "status", "next_timer_at", "revision", "updated_at")
_IS_CURRENT = (_INSTANCE.c.id == bindparam("where_id"), _INSTANCE.c.revision == bindparam("where_revision"))
_WRITE_STATE = (
    update(_INSTANCE)
    .where(*_IS_CURRENT)
    .values({name: bindparam(f"new_{name}", type_=_INSTANCE.c[name].type) for name in _STATE_COLUMNS})
)
_EVENT_COLUMNS = ("instance_id", "task_id", "task_name", "title", "kind", "actor", "data", "at")
_INBOX_COLUMNS = tuple(c.name for c in _INBOX.c)
# result and finished_at are left out: NULL until the job is done
_JOB_COLUMNS = (
    "task_id", "instance_id", "operation", "params", "status", "attempts", "next_attempt_at",
    "last_error", "created_at", "updated_at",
)
_ADD_EVENT = insert(_EVENTS)
_ADD_INBOX = insert(_INBOX)
_ADD_JOB = insert(_OUTBOX)
_DROP_INBOX = delete(_INBOX).where(_INBOX.c.task_id.in_(bindparam("task_ids", expanding=True)))
_SET_DUE = update(_INBOX).where(_INBOX.c.task_id == bindparam("where_task_id"))
_LOAD_JOB = select(_OUTBOX).where(_OUTBOX.c.task_id == bindparam("task_id"))
_SET_JOB = update(_OUTBOX).where(_OUTBOX.c.task_id == bindparam("where_task_id"))
_OPEN_JOBS = select(_OUTBOX.c.task_id).where(
    _OUTBOX.c.instance_id == bindparam("instance_id"), _OUTBOX.c.status.in_(("pending", "failed"))
)


@lru_cache(maxsize=128)
def _pg_step_write(events: int, gone: int, added: int, jobs: int):
    """PostgreSQL: a step's writes as one statement (one round trip instead of four or
    more). The state UPDATE is a data-modifying CTE; every other write reads from it, so
    if the revision check fails nothing at all is written, and the statement returns 0.
    Built once per shape (how many events, inbox rows gone/added, jobs): parameters are
    named e0_kind, g0, a0_task_id, j0_params, ... (see `_pg_step_params`)."""
    written = _WRITE_STATE.returning(_INSTANCE.c.id).cte("step_state")
    current = exists(select(written.c.id))

    def rows(table, columns, prefix, count):
        picks = [
            select(*[bindparam(f"{prefix}{i}_{name}", type_=table.c[name].type) for name in columns]).where(current)
            for i in range(count)
        ]
        return insert(table).from_select(columns, picks[0] if count == 1 else union_all(*picks))

    ctes = []
    if events:
        ctes.append(rows(_EVENTS, _EVENT_COLUMNS, "e", events).cte("step_events"))
    if gone:
        ids = [bindparam(f"g{i}", type_=_INBOX.c.task_id.type) for i in range(gone)]
        ctes.append(delete(_INBOX).where(_INBOX.c.task_id.in_(ids), current).cte("step_gone"))
    if added:
        ctes.append(rows(_INBOX, _INBOX_COLUMNS, "a", added).cte("step_inbox"))
    if jobs:
        ctes.append(rows(_OUTBOX, _JOB_COLUMNS, "j", jobs).cte("step_jobs"))
    return select(func.count()).select_from(written).add_cte(*ctes)


def _pg_step_params(where: dict, state: dict, events, gone, added, jobs) -> dict:
    params = dict(where)
    params.update((f"new_{k}", v) for k, v in state.items())
    for prefix, batch in (("e", events), ("a", added), ("j", jobs)):
        for i, row in enumerate(batch):
            params.update((f"{prefix}{i}_{k}", v) for k, v in row.items())
    params.update((f"g{i}", task_id) for i, task_id in enumerate(gone))
    return params


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
        events = [self._event(instance, "", "start", parsed.spec.description or process_id, "start", actor, data)]
        self._advance(session, instance, wf, actor, {}, events)
        return instance

    def complete_task(
        self, session: Session, task_id: str, data: dict | None = None, actor: str = ""
    ) -> ProcessInstance:
        """Complete a READY human task with the form's data."""
        owner = self._task_owner(session, task_id)
        if owner is None:
            raise TaskNotAvailable("该任务已被处理或不存在，请刷新页面")
        instance = self._lock(session, *owner)
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
        instance = self._lock(session, None, job.instance_id)
        current = session.connection().execute(_LOAD_JOB, {"task_id": job.task_id}).first()
        if current is None:  # gone with its instance
            return False
        _sync(job, current._mapping)  # as read under the lock (a worker may have leased it)
        if job.status != "pending":
            return False
        wf = self.load(session, instance)
        inbox = self._projected(wf)
        task = self._task(wf, job.task_id)
        if task is None or task.state != TaskState.STARTED:
            self._set_job(session, job, status="cancelled")
            return False
        spec: DeferredServiceTask = task.task_spec
        spec.deliver(task, result)
        self._set_job(session, job, status="done", result=result, finished_at=self.clock.now())
        events = [self._event(instance, job.task_id, spec.bpmn_id, spec.bpmn_name, "service", "worker", None)]
        self._advance(session, instance, wf, "worker", inbox, events)
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
        events = [self._event(instance, "", "timer", "时限到期", "timer", "clock", None)]
        self._advance(session, instance, wf, "clock", inbox, events)
        self._cancel_orphaned_jobs(session, instance, wf)
        return True

    def _cancel_orphaned_jobs(self, session: Session, instance: ProcessInstance, wf: BpmnWorkflow) -> None:
        """A timer that interrupts a waiting service task leaves its job pointless: cancel
        it now rather than call the outside system once more."""
        waiting = {str(t.id) for t in wf.get_tasks(state=TaskState.STARTED, spec_class=DeferredServiceTask)}
        conn = session.connection()
        for task_id in conn.execute(_OPEN_JOBS, {"instance_id": instance.id}).scalars().all():
            if task_id not in waiting:
                self._set_job(session, task_id, status="cancelled")

    def cancel(self, session: Session, instance_id: int, actor: str, reason: str = "") -> None:
        instance = self._lock(session, None, instance_id)
        if instance.status != "running":
            return
        wf = self.load(session, instance)
        wf.cancel()
        self._write(
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
    @staticmethod
    def _task_owner(session: Session, task_id: str) -> tuple[str, int] | None:
        """(case_ref, instance_id) of an inbox row; no SQL if the caller has loaded it.
        On PostgreSQL the case lock is taken by the same statement."""
        row = session.identity_map.get(identity_key(InboxTask, task_id))
        if row is not None:
            loaded = row.__dict__
            if "case_ref" in loaded and "instance_id" in loaded:  # not expired
                return loaded["case_ref"], loaded["instance_id"]
        conn = session.connection()
        params = {"task_id": task_id}
        if conn.dialect.name == "postgresql":
            found = conn.execute(_TASK_OWNER_LOCKED, params).first()
            if found is not None:
                case_locked(session, found[0])
                return found[0], found[1]
            # no such task, or the case has no lock row yet: lock_case creates it
        found = conn.execute(_TASK_OWNER, params).first()
        return None if found is None else (found[0], found[1])

    def _lock(self, session: Session, case_ref: str | None, instance_id: int) -> ProcessInstance:
        """Take the per-case lock, then the instance row (always in that order)."""
        conn = session.connection()
        if case_ref is None:
            params = {"id": instance_id}
            if conn.dialect.name == "postgresql":
                case_ref = conn.execute(_CASE_OF_LOCKED, params).scalar()
                if case_ref is not None:
                    case_locked(session, case_ref)
            if case_ref is None:
                case_ref = conn.execute(_CASE_OF, params).scalar()
            if case_ref is None:
                raise TaskNotAvailable("流程实例不存在")
        lock_case(session, case_ref)
        held = session.identity_map.get(identity_key(ProcessInstance, instance_id))
        if held is not None and session.is_modified(held):
            session.flush()  # someone changed the object in this transaction: write it first
        row = conn.execute(_LOAD, {"id": instance_id}).first()
        if row is None:
            raise TaskNotAvailable("流程实例不存在")
        if held is not None:  # refresh it from the row, as populate_existing would
            _sync(held, row._mapping)
            return held
        instance = ProcessInstance(**row._mapping)
        make_transient_to_detached(instance)  # "as loaded": no history, persistent once added
        session.add(instance)
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
            "status": "completed" if wf.completed else "running",
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
        self._write(session, instance, state, events, gone, added, moved, jobs)
        if requests:
            session.info.setdefault(NEW_JOBS_KEY, []).extend(r.task_id for r in requests)

    def _project_inbox(
        self, instance: ProcessInstance, wf: BpmnWorkflow, before: dict[str, ReadyTask]
    ) -> tuple[list[str], list[dict], dict[str, datetime | None]]:
        """What makes the inbox rows match the READY human tasks: (task ids whose rows go,
        rows to add, new due times of rows that stay). `before` is what the rows are (the
        projection of the state this step started from), so no SELECT is needed."""
        ready = {t.task_id: t for t in ready_human_tasks(wf)}
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
                    "role": task.role,
                    "region_code": instance.region_code,
                    "case_ref": instance.case_ref,
                    "subject_ref": instance.subject_ref,
                    "due_at": task.due_at,
                    "created_at": self.clock.now(),
                }
            )
        return gone, added, moved

    @staticmethod
    def _write(
        session: Session, instance: ProcessInstance, state: dict, events=(), gone=(), added=(),
        moved=None, jobs=(),
    ) -> None:
        """Write a step: the instance row (UPDATE ... WHERE id = :id AND revision = :loaded,
        as the mapper's version_id_col would), history events, inbox rows gone and added,
        new outbox jobs. A write from a stale load matches no row and raises StaleDataError
        before anything else is written."""
        revision = instance.revision
        state = {**state, "revision": revision + 1, "updated_at": utcnow()}
        where = {"where_id": instance.id, "where_revision": revision}
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            statement = _pg_step_write(len(events), len(gone), len(added), len(jobs))
            matched = conn.execute(
                statement, _pg_step_params(where, state, events, gone, added, jobs)
            ).scalar()
            if matched != 1:
                raise _stale(matched)
        else:
            params = dict(where)
            params.update((f"new_{k}", v) for k, v in state.items())
            matched = conn.execute(_WRITE_STATE, params).rowcount
            if matched != 1:
                raise _stale(matched)
            if events:
                conn.execute(_ADD_EVENT, list(events))
            if gone:
                conn.execute(_DROP_INBOX, {"task_ids": list(gone)})
            if added:
                conn.execute(_ADD_INBOX, list(added))
            if jobs:
                conn.execute(_ADD_JOB, list(jobs))
        _sync(instance, state)
        for task_id in gone:  # e.g. the caller's object of the task just completed
            row = session.identity_map.get(identity_key(InboxTask, task_id))
            if row is not None:
                session.expunge(row)
        for task_id, due_at in (moved or {}).items():  # rare: a deadline moved
            conn.execute(_SET_DUE, {"where_task_id": task_id, "due_at": due_at})
            row = session.identity_map.get(identity_key(InboxTask, task_id))
            if row is not None:
                _sync(row, {"due_at": due_at})

    def _event(self, instance, task_id, task_name, title, kind, actor, data) -> dict:
        """A history row (TaskEvent), written with the step's other rows."""
        return {
            "instance_id": instance.id,
            "task_id": task_id,
            "task_name": task_name or "",
            "title": title or "",
            "kind": kind,
            "actor": actor or "",
            "data": _jsonable(data),
            "at": self.clock.now(),
        }

    def _set_job(self, session: Session, job: OutboxJob | str, **values) -> None:
        """Update an outbox row; the session's object of it (if any) sees the new values."""
        task_id = job if isinstance(job, str) else job.task_id
        values["updated_at"] = utcnow()
        session.connection().execute(_SET_JOB, {"where_task_id": task_id, **values})
        held = job if not isinstance(job, str) else session.identity_map.get(identity_key(OutboxJob, task_id))
        if held is not None:
            _sync(held, values)


def _stale(matched) -> StaleDataError:
    return StaleDataError(
        f"UPDATE statement on table 'process_instance' expected to update 1 row(s); "
        f"{matched} were matched."
    )


def _sync(obj, values) -> None:
    """Set an ORM object's attributes to what the row now holds, without marking it dirty."""
    for key, value in values.items():
        set_committed_value(obj, key, value)


def _aware(dt: datetime) -> datetime:
    from datetime import UTC

    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


_PLAIN = (str, int, float, bool)


def _plain_json(data) -> bool:
    """True if `data` is already what a JSON round trip would give back."""
    if data is None or type(data) in _PLAIN:
        return True
    if type(data) is dict:
        return all(type(k) is str and _plain_json(v) for k, v in data.items())
    if type(data) is list:
        return all(_plain_json(v) for v in data)
    return False


def _jsonable(data):
    if _plain_json(data):
        return data
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
