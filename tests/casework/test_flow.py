"""The certification flow through the services, engine and simulator (no web layer)."""

from __future__ import annotations

from sqlalchemy import select

from casework import cases, registration, review, verification
from casework.models import CertificationCase, Placement, Unit
from casework.models.placement import CONFIRMED, INCOMPLETE, PARTLY_REJECTED, PENDING
from engine.models import InboxTask, OutboxJob
from tests.flowkit import add_person, attachment


def register(system, unit_id, user, p) -> int:
    pid = add_person(system, unit_id, user, p)
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        case = s.get(CertificationCase, placement.case_id)
        registration.submit_registration(s, system, user, case, placement)
    return pid


def test_clean_person_is_confirmed_by_the_system(system, employer, population):
    unit, user = employer
    clean = population.select(unit=unit.credit_code, scenario="clean")[0]
    pid = register(system, unit.id, user, clean)
    with system.transaction() as s:
        assert s.get(Placement, pid).status == INCOMPLETE
        assert s.scalar(select(OutboxJob).where(OutboxJob.status == "pending")) is not None
    outcomes = system.drain()
    assert [o.status for o in outcomes] == ["delivered"]
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        assert len(placement.months) == 12 and all(m.passed for m in placement.months)
        case = s.get(CertificationCase, placement.case_id)
        claimed = verification.submit_months(s, system, user, case, placement, list(range(1, 13)))
        assert claimed == []
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        assert placement.status == CONFIRMED and placement.confirmed_by == "系统"
        assert placement.confirmed_months == 12
        assert placement.approved_months == 12 * placement.weight


def test_gap_month_claimed_and_reviewed(system, employer, population, staff):
    unit, user = employer
    gap = population.select(unit=unit.credit_code, scenario="insurance_gap")[0]
    pid = register(system, unit.id, user, gap)
    system.drain()
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        failed = [m.month for m in placement.months if not m.passed]
        assert failed, "the insurance_gap person has failing months"
        case = s.get(CertificationCase, placement.case_id)
        att = attachment(s, unit.id, "")
        verification.attach_claim_material(s, user, case, placement, att, "社会保险缴费凭证")
        claimed = verification.submit_months(s, system, user, case, placement, list(range(1, 13)))
        assert claimed == failed
    with system.transaction() as s:
        assert s.get(Placement, pid).status == PENDING
        task = s.scalar(select(InboxTask).where(InboxTask.role == "reviewer"))
        assert task.region_code == unit.cdpf_region and task.due_at is not None
        task_id = task.task_id
    reviewer = staff("reviewer_anshan")
    decisions = {str(m): {"valid": True} for m in failed}
    decisions[str(failed[0])] = {"valid": False, "reason": "缴费凭证与月份不符"}
    with system.transaction() as s:
        review.decide(s, system, reviewer, task_id, decisions)
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        assert placement.status == PARTLY_REJECTED
        assert placement.confirmed_months == 12 - 1
        assert placement.rejected_months == 1
        assert s.scalar(select(InboxTask).where(InboxTask.role == "reviewer")) is None


def test_two_first_visits_at_once_open_one_case(system, employer):
    """Two requests of one employer racing to open the year's case create one case."""
    import threading

    from sqlalchemy import func

    unit, user = employer
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def visit():
        try:
            with system.transaction() as s:
                barrier.wait(timeout=10)
                cases.open_case(s, system, s.get(Unit, unit.id), 2026, user.login)
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=visit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    with system.transaction() as s:
        count = s.scalar(select(func.count()).select_from(CertificationCase).where(CertificationCase.year == 2026))
        assert count == 1
