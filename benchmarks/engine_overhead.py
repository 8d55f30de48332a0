"""What one persisted BPMN step costs against the same step in memory.

The step: the employer completes `select_months` of the real workflows/placement_review.bpmn
with one claimed month; the gateway routes to the `mark_pending` script task and on to the
reviewer's `manual_review` task, whose 10-working-day boundary timer is evaluated.

- in memory: task.run() + the runtime's engine loop (refresh_timers, do_engine_steps) on a
  workflow object already in memory, nothing else;
- persisted: Runtime.complete_task in its own transaction on PostgreSQL, i.e. find the inbox
  row, take the per-case lock and the instance row lock, load the state onto the cached
  spec, the same engine step, serialize, write state + inbox rows + history, commit.

The diagram's script functions (record_month_checks, submit_for_review, time_limit, ...)
are replaced by stubs that touch no database, in both modes alike, so the figure is the
engine's persistence overhead and not casework's own SQL. The verification result carried
in the task data is a realistic 12-month grid, so the state has its real size.

    python benchmarks/engine_overhead.py [--database-url URL] [--iterations N]

Without --database-url a temporary PostgreSQL database is created on 127.0.0.1:5432 and
dropped afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

import engine.runtime as runtime_module  # noqa: E402
from engine.clock import Clock  # noqa: E402
from engine.context import StepContext, step_context  # noqa: E402
from engine.db import Base, make_engine, make_session_factory, transaction  # noqa: E402
from engine.models import InboxTask, OutboxJob, ProcessInstance  # noqa: E402
from engine.runtime import Runtime  # noqa: E402
from engine.script_engine import QuotaScriptEngine, register_script_function  # noqa: E402
from engine.specs import SpecRegistry  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
STEP_DATA = {"months_action": "save", "selected_months": list(range(1, 13)), "claimed_months": [3]}


# -- the diagram's script functions, as no-op stubs (same in both modes) --------------------
@register_script_function("record_month_checks")
def _record_month_checks(placement_id, verification):
    return None


@register_script_function("submit_for_review")
def _submit_for_review(placement_id, selected_months, claimed_months):
    return None


@register_script_function("confirm_by_system")
def _confirm_by_system(placement_id, selected_months):
    return None


@register_script_function("apply_review")
def _apply_review(placement_id, review):
    return None


@register_script_function("notify_review_done")
def _notify_review_done(placement_id):
    return None


@register_script_function("time_limit")
def _time_limit(name):
    return 10


def verification_result() -> dict:
    """The shape verify_months returns: a 12-month grid (one failed month) + certificates."""
    months = []
    for m in range(1, 13):
        passed = m != 3
        months.append(
            {
                "month": m,
                "wage": True,
                "pension": passed,
                "medical": True,
                "certificate": True,
                "working_age": True,
                "contract": True,
                "certificate_type": True,
                "no_other_unit": True,
                "passed": passed,
                "certificate_kind": "残疾人证",
                "certificate_grade": 2,
                "weight": 1,
                "reasons": [] if passed else ["2025年3月未查询到本单位缴纳的养老保险"],
            }
        )
    return {
        "months": months,
        "certificates": [
            {
                "number": "21030219800101002X42",
                "kind": "残疾人证",
                "category": "肢体残疾",
                "grade": 2,
                "valid_from": "2021-05-01",
                "valid_to": "2031-04-30",
                "source": "registry",
            }
        ],
        "checked_at": "2025-09-26T10:00:00+08:00",
    }


# -- measuring -------------------------------------------------------------------------------
class Probe:
    """Exclusive wall time per phase and SQL time per statement kind, for one step.

    Phases nest (complete_task > _advance > _save > _project_inbox > autoflush > SQL); each
    phase is charged only its own time, so the lines of the breakdown add up to the total.
    """

    def __init__(self) -> None:
        self.on = False
        self.own: dict[str, float] = defaultdict(float)
        self.sql: dict[str, float] = defaultdict(float)
        self.sql_count = 0
        self._stack: list[list] = []  # [label, start, time spent in children]

    def reset(self) -> None:
        self.own.clear()
        self.sql.clear()
        self.sql_count = 0
        self._stack.clear()

    def enter(self, label: str) -> None:
        self._stack.append([label, time.perf_counter(), 0.0])

    def leave(self) -> None:
        label, start, children = self._stack.pop()
        elapsed = time.perf_counter() - start
        self.own[label] += elapsed - children
        if self._stack:
            self._stack[-1][2] += elapsed

    def attach(self, engine) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, params, context, executemany):
            conn.info["probe_t0"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn, cursor, statement, params, context, executemany):
            elapsed = time.perf_counter() - conn.info.pop("probe_t0")
            if not self.on:
                return
            kind = classify(statement)
            if self.sql_count == 0:  # psycopg sends BEGIN inside the first execute
                kind += ", with BEGIN"
            self.sql[kind] += elapsed
            self.sql_count += 1
            if self._stack:
                self._stack[-1][2] += elapsed

    def wrap(self, owner, name: str, label: str) -> None:
        inner = getattr(owner, name)

        def timed(*args, **kwargs):
            if not self.on:
                return inner(*args, **kwargs)
            self.enter(label)
            try:
                return inner(*args, **kwargs)
            finally:
                self.leave()

        setattr(owner, name, timed)


def classify(statement: str) -> str:
    s = " ".join(statement.split()).lower()
    if "case_lock" in s:
        return "lock: case_lock" + (" (+ finding the inbox row)" if "inbox_task" in s else "")
    if s.startswith("select") and "from process_instance" in s:
        return "lock: instance row (select for update)"
    if s.startswith("select") and "from inbox_task" in s:
        return "select: inbox rows"
    if s.startswith("update process_instance"):
        return "write: instance state"
    if s.startswith("with step_state"):
        return "write: state + history + inbox + outbox, one statement"
    if "inbox_task" in s:
        return "write: inbox rows"
    if "outbox_job" in s:
        return "write: outbox rows"
    if "task_event" in s:
        return "write: history event"
    return "other SQL: " + s[:40]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def ms(x: float) -> str:
    return f"{x * 1000:7.3f}"


# -- setup -------------------------------------------------------------------------------------
@contextmanager
def database(url: str | None):
    if url:
        yield url
        return
    import psycopg

    name = f"quotacert_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def prepare(factory, runtime: Runtime, count: int, tag: str) -> list[tuple[int, str]]:
    """`count` instances waiting at select_months: (instance id, select_months task id)."""
    ready = []
    for i in range(count):
        case_ref = f"case:bench-{tag}-{i}"
        with transaction(factory) as s:
            inst = runtime.start(
                s,
                "placement_review",
                case_ref=case_ref,
                region_code="210302",
                subject_ref=f"placement:{i}",
                data={"placement_id": i, "case_id": i},
                actor="bench",
            )
            iid = inst.id
        with transaction(factory) as s:
            register = s.scalar(select(InboxTask).where(InboxTask.instance_id == iid))
            runtime.complete_task(s, register.task_id, {}, actor="bench")
        with transaction(factory) as s:
            job = s.scalar(select(OutboxJob).where(OutboxJob.instance_id == iid))
            assert runtime.deliver_result(s, job, verification_result())
        with transaction(factory) as s:
            task = s.scalar(select(InboxTask).where(InboxTask.instance_id == iid))
            assert task.task_name == "select_months", task.task_name
            ready.append((iid, task.task_id))
    return ready


def in_memory_step(runtime: Runtime, wf, task_id: str, instance) -> float:
    """The engine work of Runtime.complete_task + _advance, without load, save or SQL."""
    from uuid import UUID

    t0 = time.perf_counter()
    task = wf.get_task_from_id(UUID(task_id))
    task.data.update(STEP_DATA)
    task.run()
    ctx = StepContext(session=None, instance=instance, actor="bench", now=runtime.clock.now())
    with step_context(ctx):
        wf.refresh_timers()
        wf.do_engine_steps()
        while any(not t.task_spec.manual for t in wf.get_tasks(state=TaskState.READY)):
            wf.do_engine_steps()
    elapsed = time.perf_counter() - t0
    ready = [t.task_spec.bpmn_id for t in wf.get_tasks(state=TaskState.READY, manual=True)]
    assert ready == ["manual_review"], ready
    return elapsed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=None, help="PostgreSQL URL (default: a temporary database)"
    )
    parser.add_argument("--iterations", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=30)
    args = parser.parse_args(argv)

    with database(args.database_url) as url:
        run(url, args.iterations, args.warmup)


def run(url: str, iterations: int, warmup: int) -> None:
    import engine.locks  # noqa: F401

    eng = make_engine(url)
    Base.metadata.create_all(eng)
    factory = make_session_factory(eng)
    clock = Clock()
    registry = SpecRegistry()
    runtime = Runtime(registry, clock, QuotaScriptEngine(clock))
    with transaction(factory) as s:
        registry.sync(s)

    total_n = iterations + warmup
    tag = uuid.uuid4().hex[:6]
    if getattr(runtime, "cache", None) is not None:  # room for every prepared instance
        runtime.cache.capacity = max(runtime.cache.capacity, total_n + 1)
    print(f"preparing {total_n} placement_review instances at select_months ...", flush=True)
    ready = prepare(factory, runtime, total_n, tag)
    with transaction(factory) as s:
        states = {iid: s.get(ProcessInstance, iid) for iid, _ in ready}
    state_bytes = statistics.median(len(i.state.encode()) for i in states.values())

    probe = Probe()
    probe.attach(eng)
    probe.wrap(
        runtime, "complete_task", "complete_task own code (task lookup, task.run, history row)"
    )
    probe.wrap(runtime_module, "lock_instance", "lock/select Python side")
    probe.wrap(runtime.serializer, "loads", "deserialize state")
    probe.wrap(runtime, "_advance", "engine step (refresh_timers, do_engine_steps)")
    probe.wrap(runtime, "_save", "save: outbox requests, next timer, row writes (Python)")
    probe.wrap(runtime.serializer, "dumps", "serialize state")
    probe.wrap(runtime, "_project_inbox", "inbox projection (ready tasks -> rows to write)")
    probe.wrap(Session, "connection", "pool checkout + pre-ping round trip (engine/db.py)")
    probe.wrap(Session, "flush", "ORM flush bookkeeping (non-SQL)")
    probe.wrap(Session, "commit", "commit: COMMIT round trip + WAL flush + ORM")

    # A warm step finds the instance's workflow in this process's cache (this process made
    # the previous step); a cold one deserializes it (another process did, or it was
    # evicted). Steps alternate: warm / cold, plain / with the probe.
    cache = getattr(runtime, "cache", None)
    memory_times: list[float] = []
    plain = {"cold": [], "warm": []}  # the headline: no probe running
    probed = {"cold": [], "warm": []}  # for the breakdown
    rows = {"cold": [], "warm": []}
    sql_counts: list[int] = []
    for n, (iid, task_id) in enumerate(ready):
        # in memory: a private copy of the same instance at the same point (untimed load)
        detached = states[iid]
        wf = runtime.serializer.loads(
            detached.state, *_specs(registry, factory, detached), runtime.script_engine
        )
        mem = in_memory_step(runtime, wf, task_id, detached)

        # persisted: the real command in its own transaction, commit included
        mode = "warm" if cache is not None and n % 2 == 0 else "cold"
        if cache is not None and mode == "cold":
            cache.discard(iid)
        hits_before = cache.hits if cache is not None else 0
        with_probe = n % 4 >= 2
        probe.reset()
        probe.on = with_probe
        t0 = time.perf_counter()
        if with_probe:
            probe.enter("session open/close, transaction begin")
        session = factory()
        try:
            runtime.complete_task(session, task_id, dict(STEP_DATA), actor="bench")
            session.commit()
        finally:
            session.close()
        if with_probe:
            probe.leave()
        elapsed = time.perf_counter() - t0
        probe.on = False
        if mode == "warm":
            assert cache.hits == hits_before + 1, "a warm step must hit the cache"
        if n < warmup:
            continue
        memory_times.append(mem)
        if not with_probe:
            plain[mode].append(elapsed)
            continue
        probed[mode].append(elapsed)
        sql_counts.append(probe.sql_count)
        row = {f"SQL {k}": v for k, v in probe.sql.items()}
        row.update(probe.own)
        rows[mode].append(row)

    with transaction(factory) as s:
        moved = s.scalars(
            select(InboxTask.task_name).where(InboxTask.instance_id.in_([iid for iid, _ in ready]))
        ).all()
    assert set(moved) == {"manual_review"} and len(moved) == len(ready), (
        "every persisted step reached the reviewer"
    )
    report(memory_times, plain, probed, rows, sql_counts, state_bytes, eng)
    eng.dispose()


def _specs(registry: SpecRegistry, factory, instance):
    with transaction(factory) as s:
        parsed = registry.parsed(s, instance.spec_version_id)
    return parsed.spec, parsed.subprocess_specs


def report(memory, plain, probed, rows, sql_counts, state_bytes, eng) -> None:
    with eng.connect() as conn:
        server = conn.exec_driver_sql("show server_version").scalar()
    import SpiffWorkflow

    modes = [m for m in ("cold", "warm") if plain[m]]
    mem_med, mem_p90 = statistics.median(memory), pct(memory, 0.9)
    print()
    print(
        f"PostgreSQL {server}, SpiffWorkflow {getattr(SpiffWorkflow, '__version__', '3.2')}, "
        f"Python {sys.version.split()[0]}; {len(memory)} steps in memory; persisted: "
        + ", ".join(f"{len(plain[m])} {m} + {len(probed[m])} {m} with the probe" for m in modes)
        + f"; state {state_bytes / 1024:.1f} KB; {statistics.median(sql_counts):.0f} SQL statements per step"
    )
    print()
    print(f"{'':46}{'median ms':>10}{'p90 ms':>10}{'ratio med':>11}{'ratio p90':>11}")
    print(f"{'in memory (engine step only)':46}{ms(mem_med):>10}{ms(mem_p90):>10}")
    for m in modes:
        med, p90 = statistics.median(plain[m]), pct(plain[m], 0.9)
        label = f"persisted, {m} (PostgreSQL, commit incl.)"
        print(f"{label:46}{ms(med):>10}{ms(p90):>10}{med / mem_med:>10.2f}×{p90 / mem_p90:>10.2f}×")
    print()
    print("where a persisted step's time goes (exclusive time of each part; median per step, p90):")
    keys = sorted(
        {k for m in modes for r in rows[m] for k in r},
        key=lambda k: (not k.startswith("SQL"), k),
    )
    print(f"  {'':58}" + "".join(f"{m:>22}" for m in modes))
    sums = dict.fromkeys(modes, 0.0)
    for key in keys:
        cells = ""
        for m in modes:
            values = [r.get(key, 0.0) for r in rows[m]]
            sums[m] += statistics.median(values)
            cells += f"{ms(statistics.median(values))} (p90 {ms(pct(values, 0.9)).strip():>6})"
        print(f"  {key:58}{cells}")
    print(f"  {'sum of the medians':58}" + "".join(f"{ms(sums[m])}{'':14}" for m in modes))
    print(
        f"  {'median of the probed steps':58}"
        + "".join(f"{ms(statistics.median(probed[m]))}{'':14}" for m in modes)
    )
    sql = "".join(
        f"{ms(statistics.median([sum(v for k, v in r.items() if k.startswith('SQL')) for r in rows[m]]))}{'':14}"
        for m in modes
    )
    print(f"  {'of which SQL statements (median of per-step sums)':58}{sql}")


if __name__ == "__main__":
    main()
