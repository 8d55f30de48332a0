"""Inner Mongolia's variant of annual_certification.bpmn (workflows/150000/, issue 13): a
reviewer's 年审认证审核 after 完成申报 (002: "年审认证审核通过！") before the result is
final; the certificate, the feedback period and the deadline for tax count from the
approval. A returned declaration is unlocked and declared again. An Anshan unit keeps the
national default at the same time."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from wfkit import (
    advance,
    advance_past,
    aware,
    case_row,
    confirmed_person,
    declare,
    inbox,
    inbox_row,
    instance,
)

from casework import case_requests, cases, certificates, decisions
from casework.models import AuditEntry, CertificationCase, Notice, Placement, Unit, User
from casework.models.case import STAGE_DECLARED, STAGE_DECLARING
from casework.schemas.review import ApprovalInput
from casework.task_forms import load_forms
from domain.errors import DomainError
from domain.workdays import add_working_days
from engine.clock import CHINA_TZ
from engine.specs import parse_bpmn, task_properties
from engine.stages import stage_order

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
NATIONAL = WORKFLOWS / "annual_certification.bpmn"
VARIANT = WORKFLOWS / "150000" / "annual_certification.bpmn"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _hohhot_unit(system):
    with system.transaction() as s:
        unit = s.scalars(select(Unit).where(Unit.cdpf_region.like("1501%")).order_by(Unit.id)).first()
        return unit, s.scalar(select(User).where(User.unit_id == unit.id))


def _declared(system, unit, user, population) -> tuple[int, int]:
    """(case id, instance id) of the unit's case, declared with one confirmed person."""
    pid = confirmed_person(system, unit, user, population)
    with system.transaction() as s:
        case_id = s.get(Placement, pid).case_id
    declare(system, user, case_id)
    return case_id, case_row(system, case_id).instance_id


def _decide(system, user, task_id, outcome, reason=""):
    with system.transaction() as s:
        return decisions.decide(s, system, user, task_id, ApprovalInput(outcome=outcome, reason=reason))


def _notices(system, unit_id) -> list[tuple[str, str]]:
    with system.transaction() as s:
        return [(n.title, n.body) for n in s.scalars(select(Notice).where(Notice.unit_id == unit_id).order_by(Notice.id))]


def _stages(system, case_id) -> list[tuple[str, str]]:
    with system.transaction() as s:
        return [(st.name, st.state) for st in cases.stages(s, system, s.get(CertificationCase, case_id))]


def _available(system, case_id) -> set[str]:
    with system.transaction() as s:
        return case_requests.available(s, system, s.get(CertificationCase, case_id))


def test_the_variant_is_the_national_diagram_with_the_review():
    national_id, national, _ = parse_bpmn(NATIONAL.read_text(encoding="utf-8"))
    pid, spec, subs = parse_bpmn(VARIANT.read_text(encoding="utf-8"))
    assert pid == national_id == "annual_certification"
    assert stage_order(spec, subs) == ["按比例安置登记", "完成申报", "年审认证审核", "发送税务部门"]
    # the national diagram's elements are all there, and the review's steps besides
    assert set(national.task_specs) < set(spec.task_specs)
    review = spec.task_specs["certification_review"]
    props = task_properties(review)
    assert (review.bpmn_name, review.lane, props["form"]) == ("年审认证审核", "残联业务人员", "decision")
    load_forms()
    assert decisions.settings_problem(props) is None
    opts = decisions.options(props)
    assert opts.outcomes == {"approve": "年审认证审核通过", "return": "退回修改"}
    assert opts.reason_required == {"return"} and opts.notify_employer
    # a complete layout: every element and flow of the process has its shape
    root = ET.parse(VARIANT).getroot()
    elements = {
        e.get("id") for e in root.find(f"{BPMN}process").iter()
        if e.get("id") and e.tag.startswith(BPMN) and e.tag not in {f"{BPMN}laneSet", f"{BPMN}process"}
        and not e.tag.endswith("EventDefinition")
    }
    shapes = {e.get("bpmnElement") for e in root.iter() if e.get("bpmnElement")}
    assert elements - shapes == set()


def test_hohhot_is_reviewed_before_certification_while_anshan_is_not(system, employer, population, staff):
    assert system.registry.rejected == {}
    anshan_unit, anshan_user = employer
    unit, user = _hohhot_unit(system)
    assert unit.cdpf_region.startswith("1501") and anshan_unit.cdpf_region.startswith("2103")
    anshan_case, anshan_iid = _declared(system, anshan_unit, anshan_user, population)
    case_id, iid = _declared(system, unit, user, population)
    declared_at = aware(case_row(system, case_id).declared_at)

    # the national default: certified at 完成申报, straight to 发送税务部门
    assert inbox(system, anshan_iid) == [("send_to_tax", "reviewer")]
    # Inner Mongolia: a reviewer's 年审认证审核 first, nothing sent or certified yet
    assert inbox(system, iid) == [("certification_review", "reviewer")]
    task = inbox_row(system, iid, "certification_review")
    assert task.form == "decision" and task.title == "年审认证审核"
    case = case_row(system, case_id)
    assert case.locked and case.stage == STAGE_DECLARED
    assert _available(system, case_id) == set()  # no withdrawal or feedback before the result
    assert ("年审认证审核", "current") in _stages(system, case_id)
    assert ("发送税务部门", "todo") in _stages(system, case_id)
    with pytest.raises(DomainError):  # another city's reviewer does not have it
        _decide(system, staff("reviewer_anshan"), task.task_id, "approve")

    # the reviewer approves two days later (Fri 2026-04-17): the result counts from then
    advance(system, timedelta(days=2))
    approved_at = aware(system.runtime.clock.now())
    assert _decide(system, staff("reviewer_huhhot"), task.task_id, "approve") == "已年审认证审核通过"
    assert inbox(system, iid) == [("send_to_tax", "reviewer")]
    with system.transaction() as s:  # the moment of certification, in the case's history
        entry = s.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.action == "年审认证审核通过")).one()
        certified_at = datetime.fromisoformat(entry.detail["certified_at"])
    assert timedelta(0) <= certified_at - approved_at < timedelta(minutes=1)
    assert aware(inbox_row(system, iid, "send_to_tax").due_at) == add_working_days(certified_at, 20).due
    certificate_due = aware(instance(system, iid).next_timer_at)
    assert certificate_due == add_working_days(certified_at, 3).due
    assert certificate_due.astimezone(CHINA_TZ).date().isoformat() == "2026-04-22"
    assert certificate_due > add_working_days(declared_at, 3).due
    assert _available(system, case_id) == {"withdraw", "feedback"}
    assert ("年审认证审核", "done") in _stages(system, case_id)
    assert ("发送税务部门", "current") in _stages(system, case_id)

    [(title, body)] = _notices(system, unit.id)
    assert title == "年审认证审核结果通知"
    assert "年审认证审核通过！" in body and "2025年度" in body

    # the certificate: three working days after the approval, not after 完成申报
    advance_past(system, add_working_days(declared_at, 3).due)
    assert case_row(system, case_id).certificate_ready_at is None
    advance_past(system, certificate_due)
    case = case_row(system, case_id)
    assert aware(case.certificate_ready_at) >= certificate_due
    with system.transaction() as s:
        issued = certificates.current(s, s.get(CertificationCase, case_id))
        assert issued is not None and issued.status == "valid"
    # the Anshan case went its own way meanwhile: its certificate came after 3 working days from 完成申报
    assert case_row(system, anshan_case).certificate_ready_at is not None
    assert inbox(system, anshan_iid) == [("send_to_tax", "reviewer")]


def test_a_returned_declaration_is_unlocked_and_declared_again(system, population, staff):
    unit, user = _hohhot_unit(system)
    case_id, iid = _declared(system, unit, user, population)
    task = inbox_row(system, iid, "certification_review")
    with pytest.raises(DomainError, match="理由"):  # returning needs a reason (the step's setting)
        _decide(system, staff("reviewer_huhhot"), task.task_id, "return")
    with pytest.raises(DomainError):  # the step offers approve and return only
        _decide(system, staff("reviewer_huhhot"), task.task_id, "reject", "不通过")
    _decide(system, staff("reviewer_huhhot"), task.task_id, "return", "安置人员工资信息有误，请核实")

    case = case_row(system, case_id)
    assert (case.locked, case.stage, case.declared_at, case.certificate_ready_at) == (False, STAGE_DECLARING, None, None)
    assert inbox(system, iid) == [("declare", "employer")]
    assert ("按比例安置登记", "current") in _stages(system, case_id)
    [(title, body)] = _notices(system, unit.id)
    assert title == "年审认证审核结果通知"
    assert "退回修改" in body and "安置人员工资信息有误，请核实" in body and "审核通过" not in body
    assert instance(system, iid).next_timer_at is None  # nothing counts while it is returned
    with system.transaction() as s:
        assert certificates.current(s, s.get(CertificationCase, case_id)) is None

    # declared again: locked, and the reviewer reviews it again
    declare(system, user, case_id)
    assert case_row(system, case_id).locked
    assert inbox(system, iid) == [("certification_review", "reviewer")]
    _decide(system, staff("reviewer_huhhot"), inbox_row(system, iid, "certification_review").task_id, "approve")
    assert inbox(system, iid) == [("send_to_tax", "reviewer")]
