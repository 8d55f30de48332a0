"""Wiring: one object holding the database, the engine runtime, the job executor, the
dispatcher and the adapter clients, built from Settings. The web app and the worker
processes each build one; nothing here is created at import time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from adapters.http_clients import Clients, build_clients
from casework.settings import Settings
from engine.clock import Clock
from engine.db import Base, make_engine, make_session_factory, transaction
from engine.dispatch import InProcessRunner, RQDispatcher
from engine.jobs import JobExecutor, RetryPolicy
from engine.runtime import Runtime, on_commit_dispatch
from engine.script_engine import QuotaScriptEngine
from engine.specs import SpecRegistry

if TYPE_CHECKING:
    from casework.province_params import DatabaseChanges


@dataclass
class System:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    registry: SpecRegistry
    runtime: Runtime
    executor: JobExecutor
    clients: Clients
    runner: InProcessRunner | None = None
    dispatched: list[str] = field(default_factory=list)
    # the owners' province parameter changes, laid over the shipped files for every look-up
    param_changes: DatabaseChanges | None = None

    def session(self) -> Session:
        return self.session_factory()

    def transaction(self):
        return transaction(self.session_factory)

    def today(self) -> date:
        """Today in China time on the engine clock (never the machine's date)."""
        return self.runtime.clock.local_now().date()

    def drain(self):
        """Run due jobs and timers now, synchronously (tests and the `manual` runner)."""
        return self.executor.drain()

    def settle(self, timeout_seconds: float = 60.0):
        """Run due jobs now and wait for those another runner thread is running."""
        return self.executor.settle(timeout_seconds)

    def close(self) -> None:
        if self.runner is not None:
            self.runner.stop()
        if self.param_changes is not None:
            self.param_changes.close()
        self.clients.close()
        self.engine.dispose()


def build_system(settings: Settings, *, create_schema: bool = False) -> System:
    # Importing these registers the models and the script functions the diagrams call.
    import casework.flow_functions  # noqa: F401
    import casework.models  # noqa: F401
    import engine.locks  # noqa: F401
    from casework.operations import build_operations

    engine = make_engine(settings.database_url)
    if create_schema:
        Base.metadata.create_all(engine)
    session_factory = make_session_factory(engine)
    clock = Clock()
    from casework import task_forms

    task_forms.load_forms()
    from casework.process_versions import rules_factory

    registry = SpecRegistry(
        form_rule=lambda key, role, props, lanes: task_forms.check_form(key, role, props, lanes.staff_roles),
        rules=rules_factory(clock),
        clock=clock,
    )
    runtime = Runtime(registry, clock, QuotaScriptEngine(clock))
    clients = build_clients(settings.simulator_url, timeout=settings.adapter_timeout)
    executor = JobExecutor(
        session_factory,
        runtime,
        policy=RetryPolicy(lease_seconds=settings.job_lease_seconds),
    )
    system = System(settings, engine, session_factory, registry, runtime, executor, clients)
    from casework import province_params

    system.param_changes = province_params.install(engine, session_factory)
    executor.operations.update(build_operations(system))

    if settings.job_runner == "rq":
        on_commit_dispatch(session_factory, RQDispatcher(settings.redis_url))
    elif settings.job_runner == "inprocess":
        system.runner = InProcessRunner(executor)
        on_commit_dispatch(session_factory, system.runner)
    else:  # manual: remember what would have been dispatched; tests call drain()
        on_commit_dispatch(session_factory, system.dispatched.append)

    with transaction(session_factory) as session:
        runtime.refresh_settings(session)
        if settings.clock_start:
            clock.start_at(session, datetime.fromisoformat(settings.clock_start))
        registry.sync(session, clock.now())
    if system.runner is not None:
        system.runner.start()
    return system
