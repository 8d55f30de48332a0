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

from casework import placements, review, verification
from casework import supervision as supervision_module
from casework.models import CertificationCase, DecisionRecord, Notice, Placement
from casework.models.placement import CONFIRMED, INCOMPLETE, PARTLY_REJECTED, PENDING
from casework.schemas.review import SupervisionInput
from domain.errors import Conflict, DomainError


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


def _waiting_for_review(system, unit, user, population):
    """An insurance_gap person whose failed months are claimed: (pid, iid, failed, task)."""
    person = population.select(unit=unit.credit_code, scenario="insurance_gap")[0]
    pid = register(system, unit.id, user, person)
    iid = placement_instance(system, pid)
    system.drain()
    failed = _failed_months(system, pid)
    _claim_gap_months(system, unit, user, pid)
    return pid, iid, failed, inbox_row(system, iid, "manual_review")


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
    # the person waits at 审核结果, where the employer may still re-register
    assert instance(system, iid).status == "running"
    assert inbox(system, iid) == [("result", "employer")]
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
        [record] = s.scalars(select(DecisionRecord).where(DecisionRecord.case_id == placement.case_id)).all()
        assert (record.step, record.outcome, record.actor) == ("安置登记审核", "months", "reviewer_anshan")
        assert record.outcome_label == f"认定有效{len(failed) - 1}个月，无效1个月" and "缴费凭证与月份不符" in record.reason
    assert inbox(system, iid) == [("result", "employer")]
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
    assert inbox(system, iid) == [("result", "employer")]
    assert [k for k, _ in events(system, iid)].count("service") == 2


def test_review_deadline_keeps_the_task_with_the_reviewer_and_gives_the_supervisor_a_supervision(
    system, employer, population, staff
):
    unit, user = employer
    pid, iid, failed, task = _waiting_for_review(system, unit, user, population)
    due = aware(task.due_at)
    assert due - system.runtime.clock.now() >= timedelta(days=13)  # 10 working days ≥ 2 weeks
    assert aware(instance(system, iid).next_timer_at) == due

    # an hour before the deadline the reviewer still has it
    advance(system, due - system.runtime.clock.now() - timedelta(hours=1))
    assert inbox(system, iid) == [("manual_review", "reviewer")]

    advance_past(system, due)
    # the reviewer keeps it (now 逾期); the supervisor gets 逾期督办 beside it
    assert sorted(inbox(system, iid)) == [("manual_review", "reviewer"), ("supervise", "supervisor")]
    assert inbox_row(system, iid, "manual_review").task_id == task.task_id
    supervision = inbox_row(system, iid, "supervise")
    assert supervision.region_code == unit.cdpf_region and supervision.form == "supervision"
    assert ("timer", "timer") in events(system, iid)
    supervisor, reviewer = staff("supervisor_anshan"), staff("reviewer_anshan")
    with system.transaction() as s:
        page = review.inbox(s, supervisor, now=system.runtime.clock.now())
        assert [r.task.form for r in page.items] == ["supervision"]
        page = review.inbox(s, reviewer, now=system.runtime.clock.now())
        assert [(r.task.form, r.overdue) for r in page.items] == [("placement_review", True)]

    # the supervisor takes it over: the review task is now theirs, and they decide it
    with system.transaction() as s:
        supervision_module.supervise(
            s, system, supervisor, supervision.task_id, SupervisionInput(action="take_over"), ""
        )
    assert inbox(system, iid) == [("manual_review", "reviewer")]
    assert inbox_row(system, iid, "manual_review").assignee == "supervisor_anshan"
    with system.transaction() as s, pytest.raises(Conflict, match="业务主管"):
        review.decide(s, system, reviewer, task.task_id, {})
    with system.transaction() as s:
        review.decide(s, system, supervisor, task.task_id, {str(m): {"valid": True} for m in failed})
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        assert placement.status == CONFIRMED and placement.confirmed_by == "人工"
        assert placement.confirmed_months == 12
        assert {m.decided_by for m in placement.months if m.claimed} == {
            "鞍山市残疾人服务中心 业务主管"
        }
        assert s.scalar(select(Notice).where(Notice.unit_id == unit.id)) is not None
        steps = [(d.step, d.outcome) for d in s.scalars(select(DecisionRecord).order_by(DecisionRecord.id))]
        assert steps == [("逾期督办", "take_over"), ("安置登记审核", "months")]
    assert inbox(system, iid) == [("result", "employer")]


def test_a_review_done_in_time_after_the_deadline_ends_the_supervision(system, employer, population, staff):
    """The reviewer finishes the late review before the supervisor acts: the diagram's
    signal ends the 督办 step (no stale task left in the supervisor's inbox)."""
    unit, user = employer
    _pid, iid, failed, task = _waiting_for_review(system, unit, user, population)
    advance_past(system, aware(task.due_at))
    assert ("supervise", "supervisor") in inbox(system, iid)
    with system.transaction() as s:
        review.decide(s, system, staff("reviewer_anshan"), task.task_id, {str(m): {"valid": True} for m in failed})
    assert inbox(system, iid) == [("result", "employer")]


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


def _partly_rejected(system, unit, user, staff, population) -> tuple[int, int, list[int]]:
    pid, iid, failed, task = _waiting_for_review(system, unit, user, population)
    decisions = {str(m): {"valid": True} for m in failed}
    decisions[str(failed[0])] = {"valid": False, "reason": "缴费凭证与月份不符"}
    with system.transaction() as s:
        review.decide(s, system, staff("reviewer_anshan"), task.task_id, decisions)
    return pid, iid, failed


def _on_placement(system, pid: int, command) -> None:
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        command(s, s.get(CertificationCase, placement.case_id), placement)


def test_partly_rejected_is_no_dead_end_the_employer_accepts_the_valid_months(system, employer, population, staff):
    unit, user = employer
    pid, iid, failed = _partly_rejected(system, unit, user, staff, population)
    _on_placement(system, pid, lambda s, case, p: placements.accept_result(s, system, user, case, p))
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        assert placement.status == CONFIRMED and placement.confirmed_months == 11
    # still at 审核结果: a later 重新登记 stays possible until 完成申报
    assert inbox(system, iid) == [("result", "employer")]
    with system.transaction() as s, pytest.raises(DomainError, match="部分审核不通过"):
        placement = s.get(Placement, pid)
        placements.accept_result(s, system, user, s.get(CertificationCase, placement.case_id), placement)


def test_re_register_is_a_path_of_the_diagram_and_keeps_the_approved_months(system, employer, population, staff):
    """重新登记 goes back to 安置登记 in the same instance; auto-verify runs again and the
    months a reviewer found 有效 on the same facts are not claimed (or reviewed) again."""
    unit, user = employer
    pid, iid, failed = _partly_rejected(system, unit, user, staff, population)
    _on_placement(system, pid, lambda s, case, p: placements.re_register(s, system, user, case, p))
    assert inbox(system, iid) == [("register", "employer")]
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        assert placement.status == INCOMPLETE and placement.registered_months == 0
    submit_registration(system, user, pid)
    assert [o.status for o in system.drain()] == ["delivered"]
    with system.transaction() as s:
        kept = sorted(m.month for m in s.get(Placement, pid).months if m.decision == "有效")
    assert kept == failed[1:]  # the refused month is decided again, the approved ones stay
    # ticking everything now claims only the month that was refused
    assert _claim_gap_months(system, unit, user, pid) == [failed[0]]
    assert instance(system, iid).status == "running" and inbox(system, iid) == [("manual_review", "reviewer")]


def test_delete_is_a_message_the_diagram_catches_at_any_step(system, employer, population):
    """删除 while the worker is still verifying: the diagram's event sub-process ends the
    instance, the pending job is cancelled, the person leaves the list."""
    unit, user = employer
    person = population.select(unit=unit.credit_code, scenario="clean")[0]
    pid = register(system, unit.id, user, person)
    iid = placement_instance(system, pid)
    assert [j.status for j in jobs(system, iid)] == ["pending"]
    _on_placement(system, pid, lambda s, case, p: placements.remove_placement(s, system, user, case, p))
    assert instance(system, iid).status == "completed"
    assert inbox(system, iid) == [] and [j.status for j in jobs(system, iid)] == ["cancelled"]
    assert ("message", "remove_placement") in events(system, iid)
    with system.transaction() as s:
        assert s.get(Placement, pid).removed is True
    assert system.drain() == []  # nothing calls out for a removed person


def test_a_diagram_without_the_delete_path_refuses_delete(system, employer, population):
    """Whether 删除 is possible is the diagram's call: once its instance has ended, the
    message finds nobody waiting and the command says so in Chinese."""
    unit, user = employer
    person = population.select(unit=unit.credit_code, scenario="clean")[0]
    pid = register(system, unit.id, user, person)
    iid = placement_instance(system, pid)
    _on_placement(system, pid, lambda s, case, p: placements.remove_placement(s, system, user, case, p))
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        placement.removed = False  # as if shown again: the instance has ended
    with pytest.raises(DomainError, match="不能删除"):
        _on_placement(system, pid, lambda s, case, p: placements.remove_placement(s, system, user, case, p))
    assert instance(system, iid).status == "completed"
