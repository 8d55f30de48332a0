"""Every path of workflows/annual_certification.bpmn: the 完成申报 gateway, the case lock,
the 3-working-day certificate timer, 发送税务部门 through the push_tax service task to the
simulator's tax inbox, and the 20-working-day escalation to the supervisor."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from wfkit import (
    advance_past,
    aware,
    deliver_tax_confirmation,
    events,
    inbox,
    inbox_row,
    instance,
    jobs,
    open_case,
    person_data,
    register,
    tax_confirmations,
)

from casework import cases, placements, review, verification
from casework.cases import CaseLocked
from casework.models import CertificationCase, Placement
from casework.models.case import STAGE_DECLARED, STAGE_DECLARING, STAGE_SENT
from domain.errors import DomainError
from engine.clock import CHINA_TZ


def _case(system, case_id: int) -> CertificationCase:
    with system.transaction() as s:
        return s.get(CertificationCase, case_id)


def _complete_declare(system, case_id: int, data: dict) -> None:
    """Complete the declare task directly (the service refuses these before the engine)."""
    case = _case(system, case_id)
    task = inbox_row(system, case.instance_id, "declare")
    with system.transaction() as s:
        system.runtime.complete_task(s, task.task_id, data, actor="employer")


def _confirmed_person(system, unit, user, population) -> int:
    person = population.select(unit=unit.credit_code, scenario="clean")[0]
    pid = register(system, unit.id, user, person)
    system.drain()
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        case = s.get(CertificationCase, placement.case_id)
        assert (
            verification.submit_months(s, system, user, case, placement, list(range(1, 13))) == []
        )
    return pid


def _declare(system, user, case_id: int) -> None:
    with system.transaction() as s:
        cases.complete_declaration(
            s, system, user, s.get(CertificationCase, case_id), pledge_read=True
        )


def _tax_results(simulator_url: str) -> list[dict]:
    return httpx.get(f"{simulator_url}/tax/results", timeout=5).json()["results"]


def test_declare_is_refused_by_the_gateway_until_ready(system, employer, population):
    unit, user = employer
    case_id = open_case(system, unit.id, user)
    iid = _case(system, case_id).instance_id
    assert inbox(system, iid) == [("declare", "employer")]
    first = inbox_row(system, iid, "declare").task_id

    # pledge not read: the gateway's default flow leads back to 按比例安置登记
    _complete_declare(system, case_id, {"pledge_read": False})
    second = inbox_row(system, iid, "declare").task_id
    assert second != first
    case = _case(system, case_id)
    assert (case.locked, case.stage, case.declared_at) == (False, STAGE_DECLARING, None)

    # pledge read, but nobody is 已审核确认 (one person still registering): back again
    person = population.select(unit=unit.credit_code, scenario="clean")[0]
    register(system, unit.id, user, person)
    _complete_declare(system, case_id, {"pledge_read": True})
    third = inbox_row(system, iid, "declare").task_id
    assert third not in (first, second)
    assert _case(system, case_id).locked is False
    assert instance(system, iid).status == "running"
    assert [k for k, _ in events(system, iid)] == ["start", "human", "human"]

    # the service refuses a declaration without the pledge before the engine sees it
    with system.transaction() as s, pytest.raises(DomainError, match="承诺书"):
        cases.complete_declaration(
            s, system, user, s.get(CertificationCase, case_id), pledge_read=False
        )
    assert inbox_row(system, iid, "declare").task_id == third


def test_ready_locks_the_case_then_certificate_timer_and_tax_push_join(
    system, employer, population, staff, simulator_url
):
    unit, user = employer
    pid = _confirmed_person(system, unit, user, population)
    with system.transaction() as s:
        case_id = s.get(Placement, pid).case_id
    iid = _case(system, case_id).instance_id

    _declare(system, user, case_id)
    case = _case(system, case_id)
    assert case.locked and case.stage == STAGE_DECLARED and case.declared_at is not None
    assert case.certificate_ready_at is None
    with system.transaction() as s, pytest.raises(CaseLocked):
        placements.add_placement(
            s,
            system,
            user,
            s.get(CertificationCase, case_id),
            person_data(population.select(unit=unit.credit_code, scenario="clean")[1]),
        )

    # parallel: the reviewer's 发送税务部门 (20 working days) and the certificate timer (3)
    send = inbox_row(system, iid, "send_to_tax")
    assert (send.role, send.region_code, send.form) == (
        "reviewer",
        unit.cdpf_region,
        "case_send_tax",
    )
    certificate_due = aware(instance(system, iid).next_timer_at)
    assert certificate_due < aware(send.due_at)
    # declared on Wed 2026-04-15 (the suite's fixed start): three working days is Mon the 20th
    assert certificate_due.astimezone(CHINA_TZ).date() == date(2026, 4, 20)
    assert certificate_due - system.runtime.clock.now() > timedelta(days=4)

    # the reviewer sends first: the push runs as a service task in the worker
    with system.transaction() as s:
        review.send_to_tax(s, system, staff("reviewer_anshan"), send.task_id)
    [push] = [j for j in jobs(system, iid) if j.operation == "push_tax_result"]
    assert push.status == "pending" and push.params == {"case_id": case_id}
    assert _tax_results(simulator_url) == []
    assert [o.status for o in system.drain()] == ["delivered"]

    [pushed] = _tax_results(simulator_url)
    assert pushed["payload"]["idempotency_key"] == f"case-{case_id}-2025-v1"
    assert pushed["payload"]["version"] == 1 and pushed["payload"]["correction_of"] is None
    assert pushed["payload"]["unit_code"] == unit.credit_code
    assert pushed["payload"]["approved_months"] == 12
    case = _case(system, case_id)
    assert case.stage == STAGE_SENT and case.tax_receipt == pushed["receipt"]["receipt_no"]
    assert case.sent_to_tax_at is not None
    assert instance(system, iid).status == "running"  # the join waits for the timer
    assert inbox(system, iid) == []

    advance_past(system, certificate_due)
    assert _case(system, case_id).certificate_ready_at is not None
    # the join also waits for the end of the 7-working-day feedback period (Fri the 24th)
    assert instance(system, iid).status == "running"
    feedback_end = aware(instance(system, iid).next_timer_at)
    assert feedback_end.astimezone(CHINA_TZ).date() == date(2026, 4, 24)
    advance_past(system, feedback_end)
    # the join waits for the tax side's check, which comes back as a message
    assert instance(system, iid).status == "running"
    [check] = tax_confirmations(simulator_url, 1)
    assert check["consistent"] and check["idempotency_key"] == f"case-{case_id}-2025-v1"
    assert deliver_tax_confirmation(system, check) is True
    assert deliver_tax_confirmation(system, check) is False  # a repeated delivery changes nothing
    assert instance(system, iid).status == "completed"
    assert len(_tax_results(simulator_url)) == 1
    assert [k for k, _ in events(system, iid)] == ["start", "human", "human", "service", "timer", "timer", "message"]


def test_send_deadline_escalates_to_the_supervisor(
    system, employer, population, staff, simulator_url
):
    unit, user = employer
    pid = _confirmed_person(system, unit, user, population)
    with system.transaction() as s:
        case_id = s.get(Placement, pid).case_id
    iid = _case(system, case_id).instance_id
    _declare(system, user, case_id)
    send = inbox_row(system, iid, "send_to_tax")
    due = aware(send.due_at)
    assert due - system.runtime.clock.now() >= timedelta(days=26)  # 20 working days ≥ 4 weeks

    advance_past(system, due)
    # both timers have fired: the certificate is downloadable, the sending is overdue
    assert _case(system, case_id).certificate_ready_at is not None
    assert inbox(system, iid) == [("send_overdue", "supervisor")]
    overdue = inbox_row(system, iid, "send_overdue")
    assert overdue.region_code == unit.cdpf_region and overdue.form == "case_send_tax"
    with system.transaction() as s, pytest.raises(DomainError):
        review.send_to_tax(s, system, staff("reviewer_anshan"), send.task_id)

    with system.transaction() as s:
        review.send_to_tax(s, system, staff("supervisor_anshan"), overdue.task_id)
    assert [o.status for o in system.drain()] == ["delivered"]
    [pushed] = _tax_results(simulator_url)
    assert _case(system, case_id).tax_receipt == pushed["receipt"]["receipt_no"]
    assert _case(system, case_id).stage == STAGE_SENT
    assert deliver_tax_confirmation(system, tax_confirmations(simulator_url, 1)[0])
    assert instance(system, iid).status == "completed"
    # one clock jump past both deadlines: one timer step fired both timers
    assert [k for k, _ in events(system, iid)] == ["start", "human", "timer", "human", "service", "message"]
