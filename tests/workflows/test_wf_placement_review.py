"""Every path of workflows/placement_review.bpmn, through the casework services, the real
script functions and the simulator over HTTP."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from wfkit import (
    advance,
    advance_past,
    attachment,
    aware,
    events,
    inbox,
    inbox_row,
    instance,
    jobs,
    month_rows,
    placement_instance,
    register,
    submit_registration,
)

from casework import review, verification
from casework.models import CertificationCase, Notice, Placement
from casework.models.placement import CONFIRMED, INCOMPLETE, PARTLY_REJECTED, PENDING
from domain.errors import DomainError


def _select_all(system, user, pid: int) -> list[int]:
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        case = s.get(CertificationCase, placement.case_id)
        return verification.submit_months(s, system, user, case, placement, list(range(1, 13)))


def _claim_gap_months(system, unit, user, pid: int) -> list[int]:
    """Tick all months of an insurance_gap person with the material; returns the claimed."""
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        case = s.get(CertificationCase, placement.case_id)
        att = attachment(s, unit.id, "")
        verification.attach_claim_material(s, user, case, placement, att, "社会保险缴费凭证")
        return verification.submit_months(s, system, user, case, placement, list(range(1, 13)))


def _failed_months(system, pid: int) -> list[int]:
    with system.transaction() as s:
        return sorted(m.month for m in s.get(Placement, pid).months if not m.passed)


def test_system_confirmed_path(system, employer, population):
    unit, user = employer
    person = population.select(unit=unit.credit_code, scenario="clean")[0]
    pid = register(system, unit.id, user, person)
    iid = placement_instance(system, pid)

    # register done: auto_verify waits for a worker, nobody has a task
    assert inbox(system, iid) == []
    [job] = jobs(system, iid)
    assert (job.operation, job.status, job.params) == (
        "verify_months",
        "pending",
        {"placement_id": pid},
    )
    assert [o.status for o in system.drain()] == ["delivered"]

    # record_checks wrote the grid; the employer picks months
    assert month_rows(system, pid) == 12 and _failed_months(system, pid) == []
    assert inbox(system, iid) == [("select_months", "employer")]
    assert _select_all(system, user, pid) == []

    # the gateway took the default flow to 审核通过（系统）and the end
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        assert (placement.status, placement.confirmed_by) == (CONFIRMED, "系统")
        assert placement.confirmed_months == 12
        assert s.scalar(select(Notice).where(Notice.unit_id == unit.id)) is None  # no review notice
    assert instance(system, iid).status == "completed"
    assert inbox(system, iid) == []
    assert events(system, iid) == [
        ("start", "start"),
        ("human", "register"),
        ("service", "auto_verify"),
        ("human", "select_months"),
    ]


def test_claimed_months_go_to_manual_review_then_apply_and_notice(
    system, employer, population, staff
):
    unit, user = employer
    person = population.select(unit=unit.credit_code, scenario="insurance_gap")[0]
    pid = register(system, unit.id, user, person)
    iid = placement_instance(system, pid)
    system.drain()
    failed = _failed_months(system, pid)
    assert failed, "an insurance_gap person has failing months"

    assert _claim_gap_months(system, unit, user, pid) == failed
    with system.transaction() as s:
        assert s.get(Placement, pid).status == PENDING  # mark_pending ran
    task = inbox_row(system, iid, "manual_review")
    assert (task.role, task.region_code, task.form) == (
        "reviewer",
        unit.cdpf_region,
        "placement_review",
    )
    assert task.due_at is not None and aware(task.due_at) > system.runtime.clock.now()

    # a reviewer of another city cannot see it
    with system.transaction() as s, pytest.raises(DomainError):
        review.decide(s, system, staff("reviewer_hangzhou"), task.task_id, {})

    decisions = {str(m): {"valid": True} for m in failed}
    decisions[str(failed[0])] = {"valid": False, "reason": "缴费凭证与月份不符"}
    with system.transaction() as s:
        review.decide(s, system, staff("reviewer_anshan"), task.task_id, decisions)

    with system.transaction() as s:
        placement = s.get(Placement, pid)
        assert placement.status == PARTLY_REJECTED
        assert (placement.confirmed_months, placement.rejected_months) == (11, 1)
        rejected = [m for m in placement.months if m.decision == "无效"]
        assert [m.month for m in rejected] == [failed[0]]
        assert rejected[0].decision_reason == "缴费凭证与月份不符"
        [notice] = s.scalars(select(Notice).where(Notice.unit_id == unit.id)).all()
        assert placement.name in notice.title and "审核完成" in notice.title
        assert "缴费凭证与月份不符" in notice.body
    assert instance(system, iid).status == "completed"
    assert inbox(system, iid) == []
    assert [k for k, _ in events(system, iid)] == ["start", "human", "service", "human", "human"]


def test_back_to_registration_verifies_again(system, employer, population):
    unit, user = employer
    person = population.select(unit=unit.credit_code, scenario="clean")[0]
    pid = register(system, unit.id, user, person)
    iid = placement_instance(system, pid)
    system.drain()
    first_job = jobs(system, iid)[0].task_id
    first_select = inbox_row(system, iid, "select_months").task_id

    with system.transaction() as s:
        placement = s.get(Placement, pid)
        case = s.get(CertificationCase, placement.case_id)
        verification.back_to_registration(s, system, user, case, placement)

    # 上一步: the register task is open again (a new task), nothing is pending
    assert inbox(system, iid) == [("register", "employer")]
    with system.transaction() as s:
        assert s.get(Placement, pid).status == INCOMPLETE
    submit_registration(system, user, pid)
    second = jobs(system, iid)
    assert len(second) == 2 and second[1].task_id != first_job and second[1].status == "pending"
    assert [o.status for o in system.drain()] == ["delivered"]

    # verified again: the grid is replaced, not doubled, and the employer chooses again
    assert month_rows(system, pid) == 12
    again = inbox_row(system, iid, "select_months").task_id
    assert again != first_select
    assert _select_all(system, user, pid) == []
    assert instance(system, iid).status == "completed"
    assert [k for k, _ in events(system, iid)].count("service") == 2


def test_review_deadline_escalates_to_the_supervisor_who_completes_it(
    system, employer, population, staff
):
    unit, user = employer
    person = population.select(unit=unit.credit_code, scenario="insurance_gap")[0]
    pid = register(system, unit.id, user, person)
    iid = placement_instance(system, pid)
    system.drain()
    failed = _failed_months(system, pid)
    _claim_gap_months(system, unit, user, pid)
    task = inbox_row(system, iid, "manual_review")
    due = aware(task.due_at)
    assert due - system.runtime.clock.now() >= timedelta(days=13)  # 10 working days ≥ 2 weeks
    assert aware(instance(system, iid).next_timer_at) == due

    # an hour before the deadline the reviewer still has it
    advance(system, due - system.runtime.clock.now() - timedelta(hours=1))
    assert inbox(system, iid) == [("manual_review", "reviewer")]

    advance_past(system, due)
    assert inbox(system, iid) == [("escalated_review", "supervisor")]
    escalated = inbox_row(system, iid, "escalated_review")
    assert escalated.region_code == unit.cdpf_region and escalated.form == "placement_review"
    assert ("timer", "timer") in events(system, iid)

    # the reviewer's task is gone; the supervisor decides
    with system.transaction() as s, pytest.raises(DomainError):
        review.decide(s, system, staff("reviewer_anshan"), task.task_id, {})
    with system.transaction() as s:
        review.decide(
            s,
            system,
            staff("supervisor_anshan"),
            escalated.task_id,
            {str(m): {"valid": True} for m in failed},
        )
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        assert placement.status == CONFIRMED and placement.confirmed_by == "人工"
        assert placement.confirmed_months == 12
        assert {m.decided_by for m in placement.months if m.claimed} == {
            "鞍山市残疾人服务中心 业务主管"
        }
        assert s.scalar(select(Notice).where(Notice.unit_id == unit.id)) is not None
    assert instance(system, iid).status == "completed"


def test_outside_system_outage_backs_off_with_a_chinese_error(
    system, employer, population, sim_control
):
    unit, user = employer
    person = population.select(unit=unit.credit_code, scenario="clean")[0]
    sim_control(outage=["pension"])
    pid = register(system, unit.id, user, person)
    iid = placement_instance(system, pid)
    assert [o.status for o in system.drain()] == ["retry"]
    [job] = jobs(system, iid)
    assert job.status == "pending" and job.attempts == 1
    assert re.search(r"[\u4e00-\u9fff]", job.last_error), job.last_error
    assert month_rows(system, pid) == 0 and inbox(system, iid) == []

    sim_control(reset=True)
    advance(system, timedelta(seconds=5))
    [job] = jobs(system, iid)
    assert job.status == "done" and job.attempts == 2 and job.last_error == ""
    assert month_rows(system, pid) == 12
    assert inbox(system, iid) == [("select_months", "employer")]
