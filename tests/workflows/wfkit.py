"""Helpers for the diagram-path tests: register a simulator person through the services,
read the engine's rows for an instance, move the engine clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from casework import cases, registration
from casework.models import CertificationCase, MonthCheck, Placement, Unit
from engine.models import InboxTask, OutboxJob, ProcessInstance, TaskEvent
from tests.flowkit import add_person, attachment, contract_data, person_data  # noqa: F401  (re-exported)


def open_case(system, unit_id: int, user) -> int:
    with system.transaction() as s:
        return cases.open_case(s, system, s.get(Unit, unit_id), 2025, user.login).id


def submit_registration(system, user, placement_id: int) -> None:
    with system.transaction() as s:
        placement = s.get(Placement, placement_id)
        case = s.get(CertificationCase, placement.case_id)
        registration.submit_registration(s, system, user, case, placement)


def register(system, unit_id: int, user, p) -> int:
    pid = add_person(system, unit_id, user, p)
    submit_registration(system, user, pid)
    return pid


def placement_instance(system, placement_id: int) -> int:
    with system.transaction() as s:
        return s.get(Placement, placement_id).instance_id


def inbox(system, instance_id: int) -> list[tuple[str, str]]:
    with system.transaction() as s:
        rows = s.scalars(
            select(InboxTask)
            .where(InboxTask.instance_id == instance_id)
            .order_by(InboxTask.task_name)
        )
        return [(r.task_name, r.role) for r in rows]


def inbox_row(system, instance_id: int, name: str) -> InboxTask:
    with system.transaction() as s:
        rows = list(
            s.scalars(
                select(InboxTask).where(
                    InboxTask.instance_id == instance_id, InboxTask.task_name == name
                )
            )
        )
    assert len(rows) == 1, f"{name}: {rows}"
    return rows[0]


def instance(system, instance_id: int) -> ProcessInstance:
    with system.transaction() as s:
        return s.get(ProcessInstance, instance_id)


def jobs(system, instance_id: int) -> list[OutboxJob]:
    with system.transaction() as s:
        return list(
            s.scalars(
                select(OutboxJob)
                .where(OutboxJob.instance_id == instance_id)
                .order_by(OutboxJob.created_at)
            )
        )


def events(system, instance_id: int) -> list[tuple[str, str]]:
    with system.transaction() as s:
        rows = s.scalars(
            select(TaskEvent).where(TaskEvent.instance_id == instance_id).order_by(TaskEvent.id)
        )
        return [(e.kind, e.task_name) for e in rows]


def month_rows(system, placement_id: int) -> int:
    with system.transaction() as s:
        return s.scalar(
            select(func.count())
            .select_from(MonthCheck)
            .where(MonthCheck.placement_id == placement_id)
        )


def aware(dt: datetime | None) -> datetime | None:
    return None if dt is None else (dt if dt.tzinfo else dt.replace(tzinfo=UTC))


def advance_past(system, moment: datetime, extra: timedelta = timedelta(minutes=5)) -> None:
    """Move the engine clock just past `moment` (a due time) and let timers and jobs run."""
    with system.transaction() as s:
        system.runtime.clock.advance(s, aware(moment) - system.runtime.clock.now() + extra)
    system.drain()


def advance(system, delta: timedelta) -> None:
    with system.transaction() as s:
        system.runtime.clock.advance(s, delta)
    system.drain()


def case_row(system, case_id: int) -> CertificationCase:
    with system.transaction() as s:
        return s.get(CertificationCase, case_id)


def confirmed_person(system, unit, user, population, index: int = 0) -> int:
    """Register a clean simulator person of the unit and tick all twelve months (审核通过)."""
    from casework import verification

    person = population.select(unit=unit.credit_code, scenario="clean")[index]
    pid = register(system, unit.id, user, person)
    system.drain()
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        case = s.get(CertificationCase, placement.case_id)
        assert verification.submit_months(s, system, user, case, placement, list(range(1, 13))) == []
    return pid


def declare(system, user, case_id: int) -> None:
    """完成申报 through the service."""
    with system.transaction() as s:
        cases.complete_declaration(s, system, user, s.get(CertificationCase, case_id), pledge_read=True)


def tax_confirmations(simulator_url: str, count: int, timeout: float = 10.0) -> list[dict]:
    """The simulator's check results once there are `count` of them (it makes them on its
    own thread after its delay, 0 in tests)."""
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while True:
        found = httpx.get(f"{simulator_url}/tax/confirmations", timeout=5).json()["confirmations"]
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def deliver_tax_confirmation(system, check: dict) -> bool:
    """What POST /api/v1/tax/confirmations does with one check result."""
    from casework import tax_exchange

    with system.transaction() as s:
        return tax_exchange.receive_confirmation(s, system, check)
