"""How one engine step reaches the database: the per-case and instance locks, and the
step's rows (state with its revision check, history, inbox, outbox) written together.

The hot path reads and writes with Core statements built once (SQLAlchemy reuses their
cache key and compiled form), not with unit-of-work objects: a step's rows are known
exactly, and the flush bookkeeping cost more than the SQL (benchmarks/engine_overhead.py).
The session's ORM objects of rows written this way are kept in step (`sync`; deleted inbox
rows are expunged), so callers holding them see what the database holds.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import bindparam, delete, exists, func, insert, select, union_all, update
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from domain.errors import Conflict
from engine.db import utcnow
from engine.locks import CaseLock, case_locked, lock_case
from engine.models import InboxTask, OutboxJob, ProcessInstance, TaskEvent

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
LOAD_JOB = select(_OUTBOX).where(_OUTBOX.c.task_id == bindparam("task_id"))
_SET_JOB = update(_OUTBOX).where(_OUTBOX.c.task_id == bindparam("where_task_id"))
OPEN_JOBS = select(_OUTBOX.c.task_id).where(
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


class TaskNotAvailable(Conflict):
    """The task was already handled by someone else, or never existed."""



def task_owner(session: Session, task_id: str) -> tuple[str, int] | None:
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


def lock_instance(session: Session, case_ref: str | None, instance_id: int) -> ProcessInstance:
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
        sync(held, row._mapping)
        return held
    instance = ProcessInstance(**row._mapping)
    make_transient_to_detached(instance)  # "as loaded": no history, persistent once added
    session.add(instance)
    return instance


def write_step(
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
            raise stale(matched)
    else:
        params = dict(where)
        params.update((f"new_{k}", v) for k, v in state.items())
        matched = conn.execute(_WRITE_STATE, params).rowcount
        if matched != 1:
            raise stale(matched)
        if events:
            conn.execute(_ADD_EVENT, list(events))
        if gone:
            conn.execute(_DROP_INBOX, {"task_ids": list(gone)})
        if added:
            conn.execute(_ADD_INBOX, list(added))
        if jobs:
            conn.execute(_ADD_JOB, list(jobs))
    sync(instance, state)
    for task_id in gone:  # e.g. the caller's object of the task just completed
        row = session.identity_map.get(identity_key(InboxTask, task_id))
        if row is not None:
            session.expunge(row)
    for task_id, due_at in (moved or {}).items():  # rare: a deadline moved
        conn.execute(_SET_DUE, {"where_task_id": task_id, "due_at": due_at})
        row = session.identity_map.get(identity_key(InboxTask, task_id))
        if row is not None:
            sync(row, {"due_at": due_at})


def set_job(session: Session, job: OutboxJob | str, **values) -> None:
    """Update an outbox row; the session's object of it (if any) sees the new values."""
    task_id = job if isinstance(job, str) else job.task_id
    values["updated_at"] = utcnow()
    session.connection().execute(_SET_JOB, {"where_task_id": task_id, **values})
    held = job if not isinstance(job, str) else session.identity_map.get(identity_key(OutboxJob, task_id))
    if held is not None:
        sync(held, values)



def stale(matched) -> StaleDataError:
    return StaleDataError(
        f"UPDATE statement on table 'process_instance' expected to update 1 row(s); "
        f"{matched} were matched."
    )


def sync(obj, values) -> None:
    """Set an ORM object's attributes to what the row now holds, without marking it dirty."""
    for key, value in values.items():
        set_committed_value(obj, key, value)



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


def jsonable(data):
    if _plain_json(data):
        return data
    import json

    return json.loads(json.dumps(data, default=str))


