"""Test kit for the engine tests: the script functions our test-only diagrams call, and a
small wrapper around one database, one runtime and one job executor.

The functions have unique `engine_test_*` names so they never shadow what the real
diagrams call. They write through the step's session (like casework's functions do), so
a rolled-back step leaves no trace of them either.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from engine.clock import Clock
from engine.context import current_step
from engine.db import Base, make_engine, make_session_factory, transaction
from engine.jobs import JobExecutor, RetryPolicy
from engine.models import EngineSetting, InboxTask, OutboxJob, ProcessInstance, TaskEvent
from engine.runtime import Runtime, on_commit_dispatch
from engine.script_engine import QuotaScriptEngine, register_script_function
from engine.specs import SpecRegistry
from tests.conftest import TEST_START

DIAGRAMS = Path(__file__).resolve().parent / "diagrams"
GOOD_DIAGRAMS = ("engine_flow", "engine_counter", "engine_parallel")


def diagram(name: str) -> str:
    return (DIAGRAMS / f"{name}.bpmn").read_text(encoding="utf-8")


# -- script functions of the test diagrams --------------------------------------------------
def _bump_setting(session: Session, key: str, **extra) -> dict:
    row = session.get(EngineSetting, key)
    value = dict(row.value) if row else {"n": 0}
    value["n"] = int(value.get("n", 0)) + 1
    value.update(extra)
    if row is None:
        session.add(EngineSetting(key=key, value=value))
    else:
        row.value = value
    return value


@register_script_function()
def engine_test_record(answer) -> None:
    """记录结果: counts how often it ran for this instance (a doubled delivery shows).
    An answer carrying "fail" makes it raise, as a script task meeting bad data would."""
    ctx = current_step()
    if isinstance(answer, dict) and answer.get("fail"):
        raise ValueError("测试：核验结果无法记录")
    _bump_setting(ctx.session, f"test_record:{ctx.instance.id}", answer=answer)


@dataclass
class Spans:
    """When each engine_test_slow_increment ran (monotonic start, end), by case."""

    delay: float = 0.0
    by_case: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, case_ref: str, start: float, end: float) -> None:
        with self.lock:
            self.by_case.setdefault(case_ref, []).append((start, end))

    def reset(self, delay: float = 0.0) -> None:
        with self.lock:
            self.delay = delay
            self.by_case.clear()


SPANS = Spans()


@register_script_function()
def engine_test_slow_increment() -> None:
    """累加: read the case's counter, wait, write it back plus one (a lost update shows)."""
    ctx = current_step()
    start = time.monotonic()
    key = f"test_counter:{ctx.instance.case_ref}"
    row = ctx.session.get(EngineSetting, key)
    seen = int(row.value["n"]) if row else 0
    time.sleep(SPANS.delay)
    if row is None:
        ctx.session.add(EngineSetting(key=key, value={"n": seen + 1}))
    else:
        row.value = {"n": seen + 1}
    ctx.session.flush()
    SPANS.add(ctx.instance.case_ref, start, time.monotonic())


def echo(params: dict) -> dict:
    return {"echo": params.get("value")}


# -- one database + runtime + executor ------------------------------------------------------
@dataclass
class EngineEnv:
    url: str
    factory: sessionmaker[Session]
    clock: Clock
    registry: SpecRegistry
    runtime: Runtime
    executor: JobExecutor
    dispatched: list[str]

    @property
    def dialect(self) -> str:
        return self.factory.kw["bind"].dialect.name

    @contextmanager
    def tx(self) -> Iterator[Session]:
        with transaction(self.factory) as session:
            yield session

    def start(
        self, process_id: str, case_ref: str = "case:1", region: str = "210302", data=None
    ) -> int:
        with self.tx() as s:
            return self.runtime.start(
                s, process_id, case_ref=case_ref, region_code=region, data=data, actor="tester"
            ).id

    def inbox(self, instance_id: int | None = None) -> list[InboxTask]:
        with self.tx() as s:
            query = select(InboxTask).order_by(InboxTask.task_name)
            if instance_id is not None:
                query = query.where(InboxTask.instance_id == instance_id)
            return list(s.scalars(query))

    def task(self, instance_id: int, name: str) -> InboxTask:
        found = [t for t in self.inbox(instance_id) if t.task_name == name]
        assert len(found) == 1, (
            f"expected one READY {name}, inbox has {[t.task_name for t in self.inbox(instance_id)]}"
        )
        return found[0]

    def complete(self, instance_id: int, name: str, data=None, actor: str = "tester") -> None:
        task = self.task(instance_id, name)
        with self.tx() as s:
            self.runtime.complete_task(s, task.task_id, data, actor=actor)

    def instance(self, instance_id: int) -> ProcessInstance:
        with self.tx() as s:
            return s.get(ProcessInstance, instance_id)

    def jobs(self, instance_id: int) -> list[OutboxJob]:
        with self.tx() as s:
            return list(
                s.scalars(
                    select(OutboxJob)
                    .where(OutboxJob.instance_id == instance_id)
                    .order_by(OutboxJob.created_at)
                )
            )

    def events(self, instance_id: int, kind: str | None = None) -> list[TaskEvent]:
        with self.tx() as s:
            query = (
                select(TaskEvent).where(TaskEvent.instance_id == instance_id).order_by(TaskEvent.id)
            )
            if kind:
                query = query.where(TaskEvent.kind == kind)
            return list(s.scalars(query))

    def setting(self, key: str) -> dict | None:
        with self.tx() as s:
            row = s.get(EngineSetting, key)
            return dict(row.value) if row else None

    def count(self, model, *where) -> int:
        with self.tx() as s:
            return s.scalar(select(func.count()).select_from(model).where(*where))


def build_env(url: str, diagrams=GOOD_DIAGRAMS, **engine_kwargs) -> EngineEnv:
    import engine.locks  # noqa: F401  (registers the case_lock table)

    engine = make_engine(url, **engine_kwargs)
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    clock = Clock()
    registry = SpecRegistry(DIAGRAMS)
    runtime = Runtime(registry, clock, QuotaScriptEngine(clock))
    executor = JobExecutor(
        factory, runtime, operations={"engine_test_lookup": echo}, policy=RetryPolicy()
    )
    dispatched: list[str] = []
    on_commit_dispatch(factory, dispatched.append)
    with transaction(factory) as s:
        clock.start_at(s, datetime.fromisoformat(TEST_START))  # never the machine's date
        for name in diagrams:
            registry.register(s, diagram(name), f"{name}.bpmn")
    return EngineEnv(url, factory, clock, registry, runtime, executor, dispatched)
