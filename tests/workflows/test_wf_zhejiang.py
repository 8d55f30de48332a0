"""浙江's variant of annual_certification.bpmn (workflows/330000, issue 14; seed 003): a unit's
paper materials received at any county's service window (省内通办, 跨省通办), accepted on
the spot or within 3 working days by that window's clerks (窗口受理人员, the task routed to
the window's region by `region_from`), then reviewed by the unit's own jurisdiction (属地
审核, 收受分离) and declared for the unit — while an Anshan unit keeps the national default.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from wfkit import (
    advance,
    advance_past,
    aware,
    case_row,
    confirmed_person,
    declare,
    inbox,
    inbox_row,
    open_case,
)

from casework import cases, decisions, review, window_acceptance, window_step
from casework.models import (
    CertificationCase,
    DecisionRecord,
    Notice,
    Placement,
    Unit,
    User,
    WindowAcceptance,
)
from casework.models import window_acceptance as receipt_status
from casework.schemas.review import ApprovalInput, SupervisionInput
from casework.schemas.window import MATERIALS, WindowAcceptanceInput, WindowIntakeInput
from casework.scope import Forbidden
from casework.task_forms import load_forms
from domain.errors import Conflict, DomainError, FieldErrors, NotFound
from domain.workdays import add_working_days
from engine.clock import CHINA_TZ
from engine.models import ProcessInstance, SpecVersion
from engine.specs import parse_bpmn, task_properties
from engine.stages import stage_order

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
NATIONAL = WORKFLOWS / "annual_certification.bpmn"
VARIANT = WORKFLOWS / "330000" / "annual_certification.bpmn"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
ALL_PAPERS = list(MATERIALS)
SOME_PAPERS = ["application", "certificates", "pledge"]


def _xihu_unit(system) -> tuple[Unit, User]:
    with system.transaction() as s:
        unit = s.scalars(select(Unit).where(Unit.cdpf_region == "330106").order_by(Unit.id)).first()
        return unit, s.scalar(select(User).where(User.unit_id == unit.id))


def _ready(system, unit, user, population) -> int:
    """The unit's case with one person 已审核确认 (what a declaration needs)."""
    pid = confirmed_person(system, unit, user, population)
    with system.transaction() as s:
        return s.get(Placement, pid).case_id


def _receive(system, clerk, unit_id, mode="deferred", materials=SOME_PAPERS, reason="缺少工资发放证明和参保缴费证明"):
    with system.transaction() as s:
        data = WindowIntakeInput(mode=mode, materials=materials, reason=reason if mode == "deferred" else "")
        return window_acceptance.receive(s, system, clerk, unit_id, data).id


def _accept(system, clerk, task_id, outcome="accept", materials=ALL_PAPERS, reason=""):
    with system.transaction() as s:
        data = WindowAcceptanceInput(outcome=outcome, materials=materials, reason=reason)
        return window_step.accept(s, system, clerk, task_id, data)


def _decide(system, user, task_id, outcome, reason=""):
    with system.transaction() as s:
        return decisions.decide(s, system, user, task_id, ApprovalInput(outcome=outcome, reason=reason))


def _inbox_of(system, user) -> set[str]:
    """The task names in a staff user's 待办任务 (role, jurisdiction, or assigned)."""
    with system.transaction() as s:
        page = review.inbox(s, user, now=system.runtime.clock.now(), per_page=100)
        return {row.task.task_name for row in page.items}


def _stages(system, case_id) -> list[tuple[str, str]]:
    with system.transaction() as s:
        return [(st.name, st.state) for st in cases.stages(s, system, s.get(CertificationCase, case_id))]


def _receipt(system, receipt_id) -> WindowAcceptance:
    with system.transaction() as s:
        return s.get(WindowAcceptance, receipt_id)


def _notices(system, unit_id) -> list[tuple[str, str]]:
    with system.transaction() as s:
        return [(n.title, n.body) for n in s.scalars(select(Notice).where(Notice.unit_id == unit_id).order_by(Notice.id))]


def test_the_variant_is_the_national_diagram_with_the_window():
    national_id, national, _ = parse_bpmn(NATIONAL.read_text(encoding="utf-8"))
    pid, spec, subs = parse_bpmn(VARIANT.read_text(encoding="utf-8"))
    assert pid == national_id == "annual_certification"
    assert set(national.task_specs) < set(spec.task_specs)
    assert stage_order(spec, subs) == ["按比例安置登记", "窗口受理", "属地审核", "完成申报", "发送税务部门"]
    window = spec.task_specs["window_accept"]
    props = task_properties(window)
    assert (window.lane, props["form"], props["region_from"]) == ("窗口受理人员", "window_acceptance", "window_region")
    assert task_properties(spec.task_specs["window_supervise"])["region_from"] == "window_region"
    local = spec.task_specs["local_review"]
    assert (local.lane, task_properties(local)["form"]) == ("残联业务人员", "decision")
    assert "region_from" not in task_properties(local)  # 属地: the instance's own region
    load_forms()
    assert decisions.options(task_properties(local)).outcomes == {"approve": "审核通过（代单位完成申报）", "return": "退回单位"}
    root = ET.parse(VARIANT).getroot()
    elements = {
        e.get("id") for e in root.find(f"{BPMN}process").iter()
        if e.get("id") and e.tag.startswith(BPMN) and e.tag not in {f"{BPMN}laneSet", f"{BPMN}process"}
        and not e.tag.endswith("EventDefinition")
    }
    shapes = {e.get("bpmnElement") for e in root.iter() if e.get("bpmnElement")}
    assert elements - shapes == set()


def test_a_hangzhou_unit_follows_the_zhejiang_diagram_and_an_anshan_unit_the_default(system, employer):
    assert system.registry.rejected == {}
    anshan_unit, anshan_user = employer
    unit, user = _xihu_unit(system)
    assert anshan_unit.cdpf_region == "210302" and unit.cdpf_region == "330106"
    hangzhou_case, anshan_case = open_case(system, unit.id, user), open_case(system, anshan_unit.id, anshan_user)
    with system.transaction() as s:
        versions = {}
        for case_id in (hangzhou_case, anshan_case):
            instance = s.get(ProcessInstance, s.get(CertificationCase, case_id).instance_id)
            version = s.get(SpecVersion, instance.spec_version_id)
            versions[case_id] = (instance.process_id, version.province, version.filename)
            awaited = system.runtime.awaited_messages(s, instance)
            assert ("window_request" in awaited) is (case_id == hangzhou_case)
    assert versions[hangzhou_case] == ("annual_certification", "330000", "330000/annual_certification.bpmn")
    assert versions[anshan_case] == ("annual_certification", "", "annual_certification.bpmn")
    # the window's steps are not every case's way: shown only once a window received papers
    assert _stages(system, hangzhou_case) == _stages(system, anshan_case) == [
        ("按比例安置登记", "current"), ("完成申报", "todo"), ("发送税务部门", "todo"),
    ]


def test_a_window_in_another_county_receives_and_the_units_jurisdiction_decides(system, population, staff):
    """滨江区's window receives a 西湖区 unit's papers (暂缓受理): the window's clerks accept
    them, 杭州's reviewers (the unit's jurisdiction) approve, and the case is declared."""
    unit, user = _xihu_unit(system)
    case_id = _ready(system, unit, user, population)
    iid = case_row(system, case_id).instance_id
    binjiang, xihu, reviewer = staff("window_binjiang"), staff("window_xihu"), staff("reviewer_hangzhou")
    received_at = aware(system.runtime.clock.now())
    receipt_id = _receive(system, binjiang, unit.id)

    assert inbox(system, iid) == [("window_accept", "window_clerk")]  # the unit's 完成申报 is gone
    task = inbox_row(system, iid, "window_accept")
    assert (task.form, task.region_code) == ("window_acceptance", "330108")  # the window's county
    assert timedelta(0) <= aware(task.due_at) - add_working_days(received_at, 3).due < timedelta(minutes=1)
    assert "window_accept" in _inbox_of(system, binjiang)
    assert "window_accept" not in _inbox_of(system, xihu)  # the unit's county's window did not receive it
    assert "window_accept" not in _inbox_of(system, reviewer)
    with system.transaction() as s, pytest.raises(NotFound):
        review.task_for(s, reviewer, task.task_id)
    assert ("窗口受理", "current") in _stages(system, case_id)
    assert "属地审核" not in dict(_stages(system, case_id))
    assert _receipt(system, receipt_id).status == receipt_status.DEFERRED

    # papers still missing: not accepted; another county's clerk may not act on it
    with pytest.raises(FieldErrors) as missing:
        _accept(system, binjiang, task.task_id, materials=SOME_PAPERS)
    assert "缺少：" in missing.value.errors["materials"] and "残疾职工工资发放证明" in missing.value.errors["materials"]
    with pytest.raises(NotFound):
        _accept(system, xihu, task.task_id)
    assert _accept(system, binjiang, task.task_id) == "已受理，已转浙江省杭州市西湖区残联属地审核"

    assert inbox(system, iid) == [("local_review", "reviewer")]
    local = inbox_row(system, iid, "local_review")
    assert local.region_code == "330106"  # 属地: the unit's jurisdiction, not the window's
    assert "local_review" in _inbox_of(system, reviewer)
    assert "local_review" not in _inbox_of(system, binjiang)
    receipt = _receipt(system, receipt_id)
    assert (receipt.status, receipt.accepted_by, receipt.materials) == (receipt_status.ACCEPTED, "window_binjiang", ALL_PAPERS)
    # both sides see where it is: the window's list and the unit's case
    with system.transaction() as s:
        [view] = window_acceptance.receipts_of_window(s, binjiang)
        assert view.where == "属地审核 · 浙江省杭州市西湖区" and view.unit.scope == "省内通办"
        assert window_acceptance.receipts_of_window(s, xihu) == []
    assert ("窗口受理", "done") in _stages(system, case_id) and ("属地审核", "current") in _stages(system, case_id)

    assert _decide(system, reviewer, local.task_id, "approve") == "已审核通过（代单位完成申报）"
    case = case_row(system, case_id)
    assert case.locked and case.declared_at is not None
    assert inbox(system, iid) == [("send_to_tax", "reviewer")]
    assert _receipt(system, receipt_id).status == receipt_status.DECLARED
    assert [(name, state) for name, state in _stages(system, case_id)] == [
        ("按比例安置登记", "done"), ("窗口受理", "done"), ("属地审核", "done"), ("完成申报", "done"),
        ("发送税务部门", "current"),
    ]
    [(title, body)] = _notices(system, unit.id)
    assert title == "窗口受理结果通知" and "浙江省杭州市滨江区残联服务窗口" in body and "已代为完成申报" in body
    with system.transaction() as s:
        steps = [(d.step, d.outcome_label) for d in decisions.history(s, case_id)]
    assert steps == [
        ("窗口收件", "暂缓受理（浙江省杭州市滨江区残联服务窗口）"),
        ("窗口受理", "受理（浙江省杭州市滨江区残联服务窗口）"),
        ("属地审核", "审核通过（代单位完成申报）"),
    ]
    with system.transaction() as s, pytest.raises(Conflict, match="已完成申报"):  # nothing more to receive
        window_acceptance.receive(s, system, xihu, unit.id, WindowIntakeInput(mode="immediate", materials=ALL_PAPERS))


def test_three_working_days_without_acceptance_go_to_the_windows_supervisor(system, staff):
    unit, user = _xihu_unit(system)
    case_id = open_case(system, unit.id, user)
    iid = case_row(system, case_id).instance_id
    received_at = aware(system.runtime.clock.now())  # Wed 2026-04-15 10:00
    receipt_id = _receive(system, staff("window_binjiang"), unit.id)
    due = add_working_days(received_at, 3).due
    assert due.astimezone(CHINA_TZ).date().isoformat() == "2026-04-20"

    advance(system, due - received_at - timedelta(minutes=5))
    assert inbox(system, iid) == [("window_accept", "window_clerk")]
    advance_past(system, aware(inbox_row(system, iid, "window_accept").due_at))
    # the clerks keep it (overdue); the supervisor over the window's county steps in
    assert inbox(system, iid) == [("window_accept", "window_clerk"), ("window_supervise", "supervisor")]
    supervise = inbox_row(system, iid, "window_supervise")
    assert (supervise.form, supervise.region_code) == ("supervision", "330108")
    assert "window_supervise" in _inbox_of(system, staff("supervisor_zhejiang"))
    assert "window_supervise" not in _inbox_of(system, staff("supervisor_anshan"))
    late = inbox_row(system, iid, "window_accept")
    binjiang = staff("window_binjiang")
    with system.transaction() as s:
        assert [p.login for p in review.assignable(s, late)] == ["window_binjiang"]
        assert review.task_for(s, binjiang, late.task_id, system.runtime.clock.now()).overdue

    # the supervisor takes it over and accepts the papers; the escalation ends with it
    from casework import supervision

    boss = staff("supervisor_zhejiang")
    with system.transaction() as s:
        supervision.supervise(s, system, boss, supervise.task_id, SupervisionInput(action="take_over"))
    assert _accept(system, boss, late.task_id).startswith("已受理")
    assert inbox(system, iid) == [("local_review", "reviewer")]
    assert _receipt(system, receipt_id).accepted_by == "supervisor_zhejiang"


def test_an_immediate_receipt_goes_to_the_jurisdiction_which_may_return_it(system, population, staff):
    unit, user = _xihu_unit(system)
    case_id = _ready(system, unit, user, population)
    iid = case_row(system, case_id).instance_id
    with pytest.raises(FieldErrors) as incomplete:  # 当场受理 needs every paper
        _receive(system, staff("window_xihu"), unit.id, mode="immediate", materials=SOME_PAPERS)
    assert "材料不齐全" in incomplete.value.errors["materials"]
    with pytest.raises(FieldErrors) as no_reason:
        _receive(system, staff("window_xihu"), unit.id, mode="deferred", reason="")
    assert "原因" in no_reason.value.errors["reason"]
    receipt_id = _receive(system, staff("window_xihu"), unit.id, mode="immediate", materials=ALL_PAPERS)
    assert _receipt(system, receipt_id).status == receipt_status.ACCEPTED
    assert inbox(system, iid) == [("local_review", "reviewer")]  # no window step: accepted on the spot
    assert "窗口受理" not in dict(_stages(system, case_id))
    binjiang = staff("window_binjiang")
    with system.transaction() as s, pytest.raises(Conflict, match="请勿重复受理"):
        window_acceptance.receive(s, system, binjiang, unit.id, WindowIntakeInput(mode="immediate", materials=ALL_PAPERS))

    local = inbox_row(system, iid, "local_review")
    with pytest.raises(DomainError, match="理由"):
        _decide(system, staff("reviewer_hangzhou"), local.task_id, "return")
    _decide(system, staff("reviewer_hangzhou"), local.task_id, "return", "承诺书未加盖单位公章")
    assert inbox(system, iid) == [("declare", "employer")]
    assert not case_row(system, case_id).locked
    receipt = _receipt(system, receipt_id)
    assert (receipt.status, receipt.outcome_reason) == (receipt_status.RETURNED, "承诺书未加盖单位公章")
    [(title, body)] = _notices(system, unit.id)
    assert title == "窗口受理结果通知" and "退回" in body and "承诺书未加盖单位公章" in body
    # the unit declares online again; so it may bring papers again
    declare(system, user, case_id)
    assert case_row(system, case_id).locked


def test_a_refused_receipt_goes_back_to_the_unit(system, staff):
    unit, user = _xihu_unit(system)
    case_id = open_case(system, unit.id, user)
    iid = case_row(system, case_id).instance_id
    receipt_id = _receive(system, staff("window_xihu"), unit.id)
    task = inbox_row(system, iid, "window_accept")
    with pytest.raises(FieldErrors) as no_reason:
        _accept(system, staff("window_xihu"), task.task_id, outcome="refuse", materials=[])
    assert "理由" in no_reason.value.errors["reason"]
    assert _accept(system, staff("window_xihu"), task.task_id, outcome="refuse", materials=[],
                   reason="3个工作日内未补齐材料") == "已不予受理，用人单位将收到通知"
    assert inbox(system, iid) == [("declare", "employer")]
    assert _receipt(system, receipt_id).status == receipt_status.REFUSED
    assert "不予受理" in _notices(system, unit.id)[0][1]
    # a receipt whose people are not all confirmed is approved but not declared: said why
    receipt_id = _receive(system, staff("window_xihu"), unit.id, mode="immediate", materials=ALL_PAPERS)
    _decide(system, staff("reviewer_hangzhou"), inbox_row(system, iid, "local_review").task_id, "approve")
    receipt = _receipt(system, receipt_id)
    assert (receipt.status, receipt.outcome_reason) == (receipt_status.NOT_DECLARED, "尚未登记任何安置人员，不能完成申报")
    assert inbox(system, iid) == [("declare", "employer")] and not case_row(system, case_id).locked


def test_cross_province_receipts_depend_on_the_units_diagram(system, staff, employer):
    """跨省通办: 西湖区's window receives an Anshan unit's papers only where the unit's
    province's diagram takes window receipts; routing then follows the same rules."""
    unit, user = employer
    xihu = staff("window_xihu")
    with system.transaction() as s:
        assert "辽宁省的年审流程不办理窗口受理" in window_acceptance.why_not(s, system, s.get(Unit, unit.id), 2025)
        with pytest.raises(Conflict, match="辽宁省的年审流程不办理窗口受理"):
            window_acceptance.receive(s, system, xihu, unit.id, WindowIntakeInput(mode="immediate", materials=ALL_PAPERS))
    with system.transaction() as s:  # nothing kept, not even a case
        assert s.scalar(select(func.count()).select_from(WindowAcceptance)) == 0
        assert s.scalar(select(func.count()).select_from(CertificationCase).where(CertificationCase.unit_id == unit.id)) == 0

    with system.transaction() as s:
        tiexi = s.scalar(select(Unit).where(Unit.cdpf_region == "210303"))
        tiexi_case = cases.open_case(s, system, tiexi, 2025).id  # started on the national default

    # 辽宁 adopts 浙江's diagram: the same receipt now goes through
    with system.transaction() as s:
        system.registry.register(s, VARIANT.read_text(encoding="utf-8"), "210000/annual_certification.bpmn", "210000")
        # a case started before keeps its version, which has no window path
        assert "按开始时的流程版本办理" in window_acceptance.why_not(s, system, tiexi, 2025)
        assert s.get(CertificationCase, tiexi_case).locked is False
    receipt_id = _receive(system, xihu, unit.id)
    iid = case_row(system, _receipt(system, receipt_id).case_id).instance_id
    assert inbox_row(system, iid, "window_accept").region_code == "330106"
    assert "window_accept" in _inbox_of(system, xihu)
    assert "window_accept" not in _inbox_of(system, staff("reviewer_anshan"))
    _accept(system, xihu, inbox_row(system, iid, "window_accept").task_id)
    assert inbox_row(system, iid, "local_review").region_code == "210302"
    assert "local_review" in _inbox_of(system, staff("reviewer_anshan"))
    assert "local_review" not in _inbox_of(system, staff("reviewer_hangzhou"))
    with system.transaction() as s:
        [view] = window_acceptance.receipts_of_window(s, xihu)
    assert view.unit.scope == "跨省通办" and view.where == "属地审核 · 辽宁省鞍山市铁东区"


def test_only_window_clerks_receive_papers(system, staff, employer):
    unit, user = employer
    data = WindowIntakeInput(mode="immediate", materials=ALL_PAPERS)
    xihu = staff("window_xihu")
    for who in (staff("reviewer_hangzhou"), staff("supervisor_zhejiang"), user):
        with system.transaction() as s, pytest.raises(Forbidden):
            window_acceptance.receive(s, system, who, unit.id, data)
        with system.transaction() as s, pytest.raises(Forbidden):
            window_acceptance.search_units(s, who, "示范")
    with system.transaction() as s:
        with pytest.raises(NotFound):
            window_acceptance.receive(s, system, xihu, 2**31 - 1, data)
        found = window_acceptance.search_units(s, xihu, "示范")
        assert {c.scope for c in found} == {"本地受理", "跨省通办"}
        [by_code] = window_acceptance.search_units(s, xihu, unit.credit_code.lower())
        assert by_code.id == unit.id and by_code.region_name == "辽宁省鞍山市铁东区"
        with pytest.raises(FieldErrors):
            window_acceptance.search_units(s, xihu, "示")


def test_zhejiang_declaration_window_on_its_diagram(system, population):
    """003: Mar 1 – Dec 31, concentrated Apr 1 – Jun 30 (a parameter): the Zhejiang
    diagram's 检查申报条件 refuses a unit's own 完成申报 before March."""
    unit, user = _xihu_unit(system)
    case_id = _ready(system, unit, user, population)
    with system.transaction() as s:
        period = cases.summarize(s, s.get(CertificationCase, case_id), system.today()).declaration_period
    assert period.in_concentrated and period.concentrated_text == "2026年4月1日至2026年6月30日"
    with system.transaction() as s:
        system.runtime.clock.set_now(s, datetime(2026, 2, 27, 10, 0, tzinfo=CHINA_TZ))
    with pytest.raises(DomainError, match="浙江省2025年度按比例就业情况申报期为2026年3月1日至2026年12月31日"):
        declare(system, user, case_id)
    with system.transaction() as s:
        system.runtime.clock.set_now(s, datetime(2026, 12, 31, 23, 0, tzinfo=CHINA_TZ))
    declare(system, user, case_id)
    assert case_row(system, case_id).locked
    with system.transaction() as s:
        assert s.scalar(select(func.count()).select_from(DecisionRecord).where(DecisionRecord.case_id == case_id)) == 0
