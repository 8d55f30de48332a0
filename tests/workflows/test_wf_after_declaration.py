"""The paths of annual_certification.bpmn after 完成申报: 年审申报撤回 (agreed, refused,
too late, with a supervisor where the province says so), 年审认证反馈 (agreed → declared
again → certified again; refused; after the feedback period), and the case completing
once the result is sent and the feedback period is over."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from wfkit import (
    advance,
    advance_past,
    aware,
    case_row,
    confirmed_person,
    declare,
    deliver_tax_confirmation,
    inbox,
    inbox_row,
    instance,
    tax_confirmations,
)

from casework import case_requests, certificates, decisions, review
from casework.models import CaseRequest, Notice, Placement, TaxSubmission, Unit, User
from casework.models.case import STAGE_DECLARED, STAGE_DECLARING
from casework.models.case_request import APPROVED, FEEDBACK, PENDING, REFUSED, WITHDRAW
from casework.schemas.placements import CaseRequestInput
from casework.schemas.review import ApprovalInput
from domain.errors import DomainError
from engine.clock import CHINA_TZ


@pytest.fixture
def declared(system, employer, population):
    """An Anshan unit's case, declared on Wed 2026-04-15 with one confirmed person."""
    unit, user = employer
    pid = confirmed_person(system, unit, user, population)
    with system.transaction() as s:
        case_id = s.get(Placement, pid).case_id
    declare(system, user, case_id)
    return unit, user, case_id


def _ask(system, user, case_id, kind, reason="申报人数有误，需要更正"):
    with system.transaction() as s:
        case = case_row(system, case_id)
        case = s.get(type(case), case_id)
        return case_requests.file_request(s, system, user, case, kind, CaseRequestInput(reason=reason)).id


def _decide(system, user, task_id, outcome, reason=""):
    with system.transaction() as s:
        return decisions.decide(s, system, user, task_id, ApprovalInput(outcome=outcome, reason=reason))


def _request(system, request_id) -> CaseRequest:
    with system.transaction() as s:
        return s.get(CaseRequest, request_id)


def _available(system, case_id) -> set[str]:
    with system.transaction() as s:
        return case_requests.available(s, system, s.get(type(case_row(system, case_id)), case_id))


def _notices(system, unit_id) -> list[str]:
    with system.transaction() as s:
        return list(s.scalars(select(Notice.title).where(Notice.unit_id == unit_id).order_by(Notice.id)))


def test_withdrawal_agreed_unlocks_the_case_and_withdraws_the_certificate(system, declared, staff):
    unit, user, case_id = declared
    iid = case_row(system, case_id).instance_id
    first_due = aware(inbox_row(system, iid, "send_to_tax").due_at)
    assert _available(system, case_id) == {WITHDRAW, FEEDBACK}
    # the certificate is out after three working days; the withdrawal comes later
    advance_past(system, aware(instance(system, iid).next_timer_at))
    with system.transaction() as s:
        issued = certificates.current(s, s.get(type(case_row(system, case_id)), case_id))
        assert issued is not None and issued.status == "valid"

    request_id = _ask(system, user, case_id, WITHDRAW)
    # the diagram took it: 发送税务部门 waits (gone from the inbox) while a reviewer decides
    assert inbox(system, iid) == [("withdraw_review", "reviewer")]
    assert WITHDRAW not in _available(system, case_id)
    with pytest.raises(DomainError, match="正在审核中"):
        _ask(system, user, case_id, WITHDRAW)

    task = inbox_row(system, iid, "withdraw_review")
    assert task.form == "decision"
    _decide(system, staff("reviewer_anshan"), task.task_id, "approve")

    case = case_row(system, case_id)
    assert (case.locked, case.stage, case.declared_at, case.certificate_ready_at) == (False, STAGE_DECLARING, None, None)
    assert inbox(system, iid) == [("declare", "employer")]
    assert _request(system, request_id).status == APPROVED
    with system.transaction() as s:
        assert s.get(type(issued), issued.id).status == "withdrawn"
    assert "年审申报撤回审核结果通知" in _notices(system, unit.id)
    assert _available(system, case_id) == set()

    # the unit declares again: locked, and 发送税务部门 is back with a new deadline
    declare(system, user, case_id)
    assert case_row(system, case_id).locked
    again = inbox_row(system, iid, "send_to_tax")
    assert aware(again.due_at) >= first_due


def test_withdrawal_refused_keeps_everything(system, declared, staff):
    unit, user, case_id = declared
    iid = case_row(system, case_id).instance_id
    first_due = aware(inbox_row(system, iid, "send_to_tax").due_at)
    request_id = _ask(system, user, case_id, WITHDRAW)
    task = inbox_row(system, iid, "withdraw_review")
    with pytest.raises(DomainError):  # refusing needs a reason (the step's setting)
        _decide(system, staff("reviewer_anshan"), task.task_id, "reject")
    _decide(system, staff("reviewer_anshan"), task.task_id, "reject", "人员信息核实无误，无需撤回")

    case = case_row(system, case_id)
    assert case.locked and case.stage == STAGE_DECLARED
    request = _request(system, request_id)
    assert (request.status, request.decision_reason) == (REFUSED, "人员信息核实无误，无需撤回")
    assert "年审申报撤回审核结果通知" in _notices(system, unit.id)
    # back to 发送税务部门, whose deadline still counts from the first certification
    assert inbox(system, iid) == [("send_to_tax", "reviewer")]
    assert aware(inbox_row(system, iid, "send_to_tax").due_at) == first_due
    assert WITHDRAW in _available(system, case_id)


def test_no_withdrawal_once_sent_to_tax(system, declared, staff):
    unit, user, case_id = declared
    iid = case_row(system, case_id).instance_id
    with system.transaction() as s:
        review.send_to_tax(s, system, staff("reviewer_anshan"), inbox_row(system, iid, "send_to_tax").task_id)
    system.drain()
    assert WITHDRAW not in _available(system, case_id)
    with pytest.raises(DomainError, match="已发送税务部门"):
        _ask(system, user, case_id, WITHDRAW)
    with system.transaction() as s:  # nothing kept of the refused request
        assert s.scalars(select(CaseRequest)).all() == []


def test_a_request_needs_a_reason():
    with pytest.raises(ValueError, match="申请理由"):
        CaseRequestInput(reason="  ")


def test_feedback_agreed_reopens_and_the_case_is_certified_again(system, declared, staff):
    unit, user, case_id = declared
    iid = case_row(system, case_id).instance_id
    advance_past(system, aware(instance(system, iid).next_timer_at))  # certificate issued
    request_id = _ask(system, user, case_id, FEEDBACK, "张三的3月份核验有误")
    assert _request(system, request_id).status == PENDING
    # feedback runs beside 发送税务部门: both wait
    assert inbox(system, iid) == [("feedback_review", "reviewer"), ("send_to_tax", "reviewer")]
    _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "feedback_review").task_id, "approve")

    case = case_row(system, case_id)
    assert not case.locked and case.stage == STAGE_DECLARING
    assert inbox(system, iid) == [("declare", "employer")]
    assert _request(system, request_id).status == APPROVED
    with system.transaction() as s:  # the first certificate stands until the corrected one
        first = certificates.current(s, s.get(type(case), case_id))
        assert first.status == "valid" and first.version == 1

    declare(system, user, case_id)
    advance_past(system, aware(instance(system, iid).next_timer_at))
    with system.transaction() as s:
        second = certificates.current(s, s.get(type(case), case_id))
        assert second.version == 2 and s.get(type(first), first.id).status == "superseded"


def test_feedback_refused_then_the_period_ends(system, declared, staff):
    unit, user, case_id = declared
    iid = case_row(system, case_id).instance_id
    request_id = _ask(system, user, case_id, FEEDBACK)
    _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "feedback_review").task_id, "reject", "核验结果无误")
    assert _request(system, request_id).status == REFUSED
    assert case_row(system, case_id).locked
    assert FEEDBACK in _available(system, case_id)  # a second one within the period

    # declared Wed 2026-04-15: seven working days end on Fri 2026-04-24
    with system.transaction() as s:
        from engine.models import ProcessInstance

        wf = system.runtime.load(s, s.get(ProcessInstance, iid))
        [closing] = [t for t in wf.get_tasks(state=TaskState.WAITING) if t.task_spec.bpmn_id == "feedback_closed"]
        due = closing.internal_data["event_value"]
    assert str(due).startswith("2026-04-24")
    from datetime import datetime

    advance_past(system, datetime.fromisoformat(due))
    assert FEEDBACK not in _available(system, case_id)
    with pytest.raises(DomainError, match="已超过年审认证反馈期限"):
        _ask(system, user, case_id, FEEDBACK)


def _send(system, staff, iid) -> None:
    with system.transaction() as s:
        review.send_to_tax(s, system, staff("reviewer_anshan"), inbox_row(system, iid, "send_to_tax").task_id)
    system.drain()


def test_case_completes_when_sent_confirmed_and_the_feedback_period_is_over(system, declared, staff, simulator_url):
    unit, user, case_id = declared
    iid = case_row(system, case_id).instance_id
    _send(system, staff, iid)
    assert instance(system, iid).status == "running"
    while instance(system, iid).next_timer_at is not None:
        advance_past(system, aware(instance(system, iid).next_timer_at))
    assert instance(system, iid).status == "running"  # the tax side has not answered yet
    assert deliver_tax_confirmation(system, tax_confirmations(simulator_url, 1)[0])
    assert instance(system, iid).status == "completed"
    assert case_row(system, case_id).certificate_ready_at is not None
    assert aware(system.runtime.clock.now()).astimezone(CHINA_TZ).date() == date(2026, 4, 24)


def test_inner_mongolia_withdrawal_needs_the_supervisor(system, population, staff):
    """The province parameter (15: withdrawal_needs_supervisor) sends an agreed withdrawal
    on to the supervisor; the supervisor can still refuse."""
    with system.transaction() as s:
        unit = s.scalars(select(Unit).where(Unit.cdpf_region.like("1501%")).order_by(Unit.id)).first()
        user = s.scalar(select(User).where(User.unit_id == unit.id))
    pid = confirmed_person(system, unit, user, population)
    with system.transaction() as s:
        case_id = s.get(Placement, pid).case_id
    declare(system, user, case_id)
    iid = case_row(system, case_id).instance_id
    # Inner Mongolia's diagram (workflows/150000/) certifies after 年审认证审核
    _decide(system, staff("reviewer_huhhot"), inbox_row(system, iid, "certification_review").task_id, "approve")
    _ask(system, user, case_id, WITHDRAW)
    _decide(system, staff("reviewer_huhhot"), inbox_row(system, iid, "withdraw_review").task_id, "approve")
    assert inbox(system, iid) == [("withdraw_confirm", "supervisor")]
    assert case_row(system, case_id).locked
    _decide(system, staff("supervisor_nmg"), inbox_row(system, iid, "withdraw_confirm").task_id, "reject", "材料不足")
    assert inbox(system, iid) == [("send_to_tax", "reviewer")]
    assert case_row(system, case_id).locked

    second = _ask(system, user, case_id, WITHDRAW)
    _decide(system, staff("reviewer_huhhot"), inbox_row(system, iid, "withdraw_review").task_id, "approve")
    _decide(system, staff("supervisor_nmg"), inbox_row(system, iid, "withdraw_confirm").task_id, "approve")
    assert not case_row(system, case_id).locked
    assert _request(system, second).status == APPROVED


def _submissions(system, case_id) -> list[tuple]:
    with system.transaction() as s:
        rows = s.scalars(select(TaxSubmission).where(TaxSubmission.case_id == case_id).order_by(TaxSubmission.version))
        return [(r.version, r.status, r.correction_of_id is not None, r.reason) for r in rows]


def test_tax_says_inconsistent_and_the_reviewer_resends_a_correction(system, declared, staff, simulator_url, sim_control):
    unit, user, case_id = declared
    iid = case_row(system, case_id).instance_id
    httpx.post(f"{simulator_url}/tax/settings", json={"inconsistent": {unit.credit_code: "在职职工人数与社保登记不符"}}, timeout=5)
    _send(system, staff, iid)
    [check] = tax_confirmations(simulator_url, 1)
    assert check["consistent"] is False
    assert deliver_tax_confirmation(system, check)
    assert _submissions(system, case_id) == [(1, "inconsistent", False, "在职职工人数与社保登记不符")]
    task = inbox_row(system, iid, "tax_mismatch")
    assert (task.role, task.form) == ("reviewer", "decision")

    httpx.post(f"{simulator_url}/tax/settings", json={"inconsistent": {}}, timeout=5)
    _decide(system, staff("reviewer_anshan"), task.task_id, "approve")
    system.drain()
    results = httpx.get(f"{simulator_url}/tax/results", timeout=5).json()["results"]
    assert [r["payload"]["version"] for r in results] == [1, 2]
    assert results[1]["payload"]["correction_of"] == results[0]["receipt"]["receipt_no"]
    second = tax_confirmations(simulator_url, 2)[1]
    assert second["consistent"] and second["idempotency_key"].endswith("-v2")
    assert deliver_tax_confirmation(system, second)
    assert _submissions(system, case_id) == [(1, "inconsistent", False, "在职职工人数与社保登记不符"), (2, "confirmed", True, "")]
    # a late copy of the first check changes nothing
    assert deliver_tax_confirmation(system, check) is False


def test_tax_outage_then_recovery_files_exactly_one_record(system, declared, staff, simulator_url, sim_control):
    unit, user, case_id = declared
    iid = case_row(system, case_id).instance_id
    sim_control(outage=["tax"])
    with system.transaction() as s:
        review.send_to_tax(s, system, staff("reviewer_anshan"), inbox_row(system, iid, "send_to_tax").task_id)
    system.drain()
    sim_control(outage=[])
    assert httpx.get(f"{simulator_url}/tax/settings", timeout=5).json()["received"] == 0
    for _ in range(5):  # the job retries with backoff on the engine clock
        advance(system, timedelta(minutes=15))
    settings = httpx.get(f"{simulator_url}/tax/settings", timeout=5).json()
    assert settings["records"] == 1
    assert _submissions(system, case_id) == [(1, "sent", False, "")]
    assert case_row(system, case_id).stage == "sent_to_tax"


def test_feedback_after_sending_is_sent_again_as_a_correction(system, declared, staff, simulator_url):
    unit, user, case_id = declared
    iid = case_row(system, case_id).instance_id
    _send(system, staff, iid)
    assert deliver_tax_confirmation(system, tax_confirmations(simulator_url, 1)[0])
    _ask(system, user, case_id, FEEDBACK, "漏报月份")
    _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "feedback_review").task_id, "approve")
    declare(system, user, case_id)
    _send(system, staff, iid)
    results = httpx.get(f"{simulator_url}/tax/results", timeout=5).json()["results"]
    assert [r["payload"]["version"] for r in results] == [1, 2]
    assert results[1]["payload"]["correction_of"] == results[0]["receipt"]["receipt_no"]
    assert [v for v, *_ in _submissions(system, case_id)] == [1, 2]
