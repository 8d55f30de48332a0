"""The modeler's properties panel in Chromium (issue 14), as 内蒙古's process owner uses
it: the shipped diagrams go through bpmn-js and come back with every SpiffWorkflow
property, operator, timer, condition and lane unchanged (and still pass the check); then
the issue's scenario. On the national 年审认证 the owner renames a step and adds a 业务主管
复核 after the reviewer's 发送税务部门 with an exclusive gateway, choosing everything in the
panel: the 审批 form with two outcomes and their labels, the gateway's default flow and
the other flow's condition on the 复核's outcome. A first save is refused with the
problems outlined; after the fix the draft is saved and published, and the next new case
of a 呼和浩特 unit comes to the supervisor's inbox as 复核 with the labels chosen."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from lxml import etree
from sqlalchemy import select

from casework import cases, process_rules, review
from casework.models import CertificationCase, Unit, User
from engine.lanes import load_lanes
from engine.models import InboxTask, ProcessInstance, SpecVersion
from engine.validation import check_diagram
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations as wcag
from tests.browser.test_process_modeler import owner_page, violations, wait_for_diagram  # noqa: F401  (fixture)
from tests.certkit import add_certified_person, id_number

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")
WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
TEST_DAY = date(2026, 4, 15)
DEFAULTS = {("boundaryEvent", "cancelActivity", "true"), ("startEvent", "isInterrupting", "true")}

DRAW = """() => {
  const m = window.bpmnDiagram, r = m.get('elementRegistry'), modeling = m.get('modeling');
  const f = m.get('elementFactory');
  const sending = r.get('sending'), send = r.get('send_to_tax'), end = r.get('s_end');
  modeling.removeConnection(r.get('f_send_end'));
  const task = modeling.createShape(f.createShape({ type: 'bpmn:UserTask' }), { x: 1760, y: 880 }, sending);
  const gate = modeling.createShape(f.createShape({ type: 'bpmn:ExclusiveGateway' }), { x: 1760, y: 680 }, sending);
  modeling.moveShape(end, { x: 1860 - (end.x + end.width / 2), y: 680 - (end.y + end.height / 2) });
  modeling.connect(send, task);
  modeling.connect(task, gate);
  const ok = modeling.connect(gate, end);
  const back = modeling.connect(gate, send);
  return { task: task.id, gate: gate.id, ok: ok.id, back: back.id };
}"""


def signature(xml: str) -> set[tuple]:
    """What the engine reads from a diagram: every BPMN and SpiffWorkflow element with its
    attributes, text and place; layout (DI), the optional incoming/outgoing lists and
    attributes written with their default value left out."""
    root = etree.fromstring(xml.encode("utf-8"))
    found = set()
    for el in root.iter(etree.Element):
        name = etree.QName(el)
        if name.namespace and ("/DI" in name.namespace or "/DC" in name.namespace):
            continue
        if name.localname in ("incoming", "outgoing"):
            continue
        attrs = tuple(sorted(
            (k, v) for k, v in el.attrib.items()
            if "XMLSchema-instance" not in k and (name.localname, k, v) not in DEFAULTS
        ))
        parent = el.getparent()
        where = parent.get("id") or etree.QName(parent).localname if parent is not None else ""
        found.add((name.namespace, name.localname, attrs, (el.text or "").strip(), where))
    return found


def select_element(page, element_id: str) -> None:
    page.evaluate(
        "id => { const m = window.bpmnDiagram; m.get('selection').select(m.get('elementRegistry').get(id)); }",
        element_id,
    )
    page.wait_for_selector(f"[data-process-panel] .pp-id:text-is('{element_id}')")


def rename(page, name: str) -> None:
    page.fill("#pp-name", name)
    page.press("#pp-name", "Tab")


def open_editor(page, base: str, process_id: str) -> None:
    """The editor on the national default of a process (the list's first link)."""
    page.goto(f"{base}/processes/")
    page.locator(f"#process-{process_id} dd a").first.click()
    page.wait_for_load_state("networkidle")
    assert "全国默认流程" in page.locator(".facts").inner_text()
    page.click("text=在线编辑")
    page.wait_for_load_state("networkidle")
    wait_for_diagram(page)
    page.wait_for_selector("[data-bpmn-save]:not([disabled])")
    page.wait_for_selector("[data-process-panel] .pp-legend")


def zoom_to(page, element_id: str) -> None:
    page.evaluate(
        """id => { const c = window.bpmnDiagram.get('canvas');
                   c.zoom(0.8); c.scrollToElement(window.bpmnDiagram.get('elementRegistry').get(id)); }""",
        element_id,
    )


def test_shipped_diagrams_round_trip_through_the_editor(live_server, owner_page):  # noqa: F811
    base, app = live_server
    page = owner_page
    login(page, base, "owner_nmg", staff=True)
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        rules = process_rules.diagram_rules(session, TEST_DAY)
    for process_id in ("annual_certification", "placement_review"):
        open_editor(page, base, process_id)
        assert page.locator("[data-bpmn-status].error").count() == 0, page.locator("[data-bpmn-status]").inner_text()
        exported = page.evaluate("() => window.bpmnDiagram.saveXML({ format: true }).then(r => r.xml)")
        original = (WORKFLOWS / f"{process_id}.bpmn").read_text("utf-8")
        lost, added = signature(original) - signature(exported), signature(exported) - signature(original)
        assert (lost, added) == (set(), set()), (process_id, sorted(lost)[:5], sorted(added)[:5])
        assert 'spiffworkflow:property name="form"' in exported
        _parsed, problems = check_diagram(exported, f"{process_id}.bpmn", rules, process_id)
        assert problems == [], problems
    # 内蒙古's own version (a layout edge of a flow no longer in the file is dropped
    # without alarming the owner)
    with system.transaction() as session:
        own = session.scalar(select(SpecVersion).where(
            SpecVersion.process_id == "annual_certification", SpecVersion.province == "150000", SpecVersion.is_current,
        ))
        own_id, own_xml = own.id, own.bpmn_xml
    page.goto(f"{base}/processes/versions/{own_id}/edit")
    wait_for_diagram(page)
    page.wait_for_selector("[data-process-panel] .pp-legend")
    assert page.locator("[data-bpmn-status].error").count() == 0, page.locator("[data-bpmn-status]").inner_text()
    exported = page.evaluate("() => window.bpmnDiagram.saveXML({ format: true }).then(r => r.xml)")
    assert signature(exported) == signature(own_xml)
    assert page.problems == []


def _hohhot_unit(system) -> tuple[int, str]:
    """A 呼和浩特 unit without a case this year, and its account."""
    with system.transaction() as s:
        year = system.settings.business_year
        for unit in s.scalars(select(Unit).where(Unit.cdpf_region.like("1501%")).order_by(Unit.id)):
            user = s.scalar(select(User).where(User.unit_id == unit.id))
            taken = s.scalar(select(CertificationCase.id).where(CertificationCase.unit_id == unit.id, CertificationCase.year == year))
            if user is not None and taken is None:
                return unit.id, user.login
    raise AssertionError("no 呼和浩特 unit without a case")


def test_owner_adds_a_supervisor_review_through_the_panel(live_server, owner_page, browser, shots, tmp_path):  # noqa: F811
    base, app = live_server
    system = app.extensions["quotacert"]
    page = owner_page
    found: list[str] = []
    kept: list[Path] = []

    def shot(target, name: str, full_page: bool = True) -> None:
        path = tmp_path / f"{name}.png"
        target.screenshot(path=str(path), full_page=full_page)
        shots(target, name)
        kept.append(path)

    login(page, base, "owner_nmg", staff=True)
    open_editor(page, base, "annual_certification")
    assert "请在图中点击" in page.locator("[data-process-panel]").inner_text()
    found += violations(page)

    # rename a step in the panel
    select_element(page, "feedback_review")
    assert page.input_value("#pp-name") == "认证反馈审核"
    assert page.eval_on_selector("#pp-lane", "s => s.options[s.selectedIndex].text").startswith("残联业务人员")
    assert page.input_value("#pp-form") == "decision"
    rename(page, "年审认证反馈审核")
    assert page.evaluate("() => window.bpmnDiagram.get('elementRegistry').get('feedback_review').businessObject.name") == "年审认证反馈审核"

    # a timer: the province's working-day limit or a number of working days, from when
    select_element(page, "send_deadline")
    timer = "() => window.bpmnDiagram.get('elementRegistry').get('send_deadline').businessObject.eventDefinitions[0].timeDate.body"
    assert page.is_checked("#pp-timer-kind-limit") and page.input_value("#pp-timer-limit") == "send_to_tax"
    assert page.input_value("#pp-timer-start") == "certified_at"
    assert "发送税务部门（初次认证后）：20个工作日" in page.locator("#pp-timer-limit").inner_text()
    page.check("#pp-timer-kind-days")
    page.fill("#pp-timer-days", "15")
    page.press("#pp-timer-days", "Tab")
    assert page.evaluate(timer) == "add_working_days(15, certified_at)"
    page.check("#pp-timer-kind-limit")
    page.select_option("#pp-timer-limit", "send_to_tax")
    assert page.evaluate(timer) == 'add_working_days(time_limit("send_to_tax"), certified_at)'
    # a service task: a registered operation, each parameter from the case's data
    select_element(page, "push_tax")
    assert page.input_value("#pp-operation") == "push_tax_result" and page.input_value("#pp-param-case_id") == "case_id"

    # a lane is a role picked from the lane table
    select_element(page, "supervisor")
    roles = page.eval_on_selector_all("#pp-role option:not([disabled])", "os => os.map(o => o.value)")
    with system.transaction() as s:
        assert roles == load_lanes(s).names() and "业务主管" in roles
    assert page.input_value("#pp-role") == "业务主管"

    # draw the 复核 after 发送税务部门, and a gateway on its outcome; name it in the panel
    ids = page.evaluate(DRAW)
    select_element(page, ids["task"])
    rename(page, "复核")
    # drawn inside the sub-process in the supervisor's lane: it belongs to that lane
    assert page.eval_on_selector("#pp-lane", "s => s.options[s.selectedIndex].text").startswith("业务主管")
    assert page.input_value("#pp-form") == ""
    select_element(page, ids["gate"])
    rename(page, "复核通过？")

    # the first save is refused: no form, no default flow, no condition; all outlined
    page.fill("[data-draft-note]", "发送税务部门前增加业务主管复核")
    page.click("[data-bpmn-save]")
    page.wait_for_selector("[data-bpmn-problems]:not([hidden])")
    problems = page.locator("[data-bpmn-problems]").inner_text()
    assert "未指定表单" in problems and ids["task"] in problems, problems
    assert "没有默认连线" in problems and "没有条件" in problems, problems
    assert page.locator(f".djs-element.has-problem[data-element-id='{ids['task']}']").count() == 1
    assert page.locator(f".djs-element.has-problem[data-element-id='{ids['gate']}']").count() == 1
    assert re.search(r"/processes/versions/\d+/edit$", page.url)
    zoom_to(page, "sending")
    found += violations(page)
    shot(page, "44-panel-problems")

    # the fix, all picked in the panel: the 审批 form with two outcomes and their labels
    page.locator(".problem-link", has_text=ids["task"]).first.click()
    page.wait_for_selector(f"[data-process-panel] .pp-id:text-is('{ids['task']}')")
    disabled = page.eval_on_selector_all("#pp-form option[disabled]", "os => os.map(o => o.value)")
    assert "case_declare" in disabled and "decision" not in disabled  # an employer's form is not offered
    page.select_option("#pp-form", "decision")
    page.wait_for_selector("#pp-outcome-reject")
    assert page.is_checked("#pp-outcome-approve") and page.is_checked("#pp-outcome-reject")
    page.uncheck("#pp-outcome-reject")
    page.wait_for_selector("#pp-label-reject", state="detached")
    page.fill("#pp-label-approve", "复核通过")
    page.press("#pp-label-approve", "Tab")
    page.fill("#pp-label-return", "退回重新核对")
    page.press("#pp-label-return", "Tab")
    assert page.is_checked("#pp-reason-return") and not page.is_checked("#pp-reason-approve")
    props = page.evaluate(
        """id => Object.fromEntries(window.bpmnDiagram.get('elementRegistry').get(id).businessObject
              .extensionElements.values[0].properties.map(p => [p.name, p.value]))""",
        ids["task"],
    )
    assert props == {"form": "decision", "outcomes": "approve,return", "label_approve": "复核通过",
                     "label_return": "退回重新核对", "reason_required": "return"}, props
    # the task was edited since the failed save: its outline goes, its line says so
    assert page.locator(f".djs-element.has-problem[data-element-id='{ids['task']}']").count() == 0
    edited = page.locator("[data-bpmn-problems] li.problem-edited").inner_text()
    assert ids["task"] in edited and "已修改" in edited
    found += violations(page) + wcag(page)
    page.locator("#pp-notify").scroll_into_view_if_needed()
    shot(page, "45-panel-decision-form", full_page=False)  # the panel scrolled to the 审批 settings

    # the gateway: the way back to 发送税务部门 is its default flow
    select_element(page, ids["gate"])
    page.select_option("#pp-default", ids["back"])
    select_element(page, ids["back"])
    assert "默认连线" in page.locator("[data-process-panel]").inner_text()
    rename(page, "退回")
    # the other flow: decision == "approve", with the 复核's own labels to choose from
    select_element(page, ids["ok"])
    rename(page, "复核通过")
    variables = page.eval_on_selector_all("#pp-cond-var-0 option", "os => os.map(o => o.value)")
    assert "decision" in variables and "certified_at" in variables and "param:withdrawal_needs_supervisor" in variables
    assert "months_action" not in variables, "only what the steps before the gateway write"
    page.select_option("#pp-cond-var-0", "decision")
    page.wait_for_selector("#pp-cond-value-0")
    labels = page.eval_on_selector_all("#pp-cond-value-0 option", "os => os.map(o => o.textContent)")
    assert labels == ["复核通过（approve）", "退回重新核对（return）"], labels
    assert page.input_value("#pp-cond-value-0") == "approve"
    assert 'decision == "approve"' in page.locator("[data-process-panel] .pp-writes code").inner_text()
    found += violations(page) + wcag(page)
    shot(page, "46-panel-condition")

    # saved: a draft of 内蒙古
    page.click("[data-bpmn-save]")
    page.wait_for_url(re.compile(r"/processes/versions/\d+$"))
    page.wait_for_load_state("networkidle")
    version_id = int(page.url.rsplit("/", 1)[1])
    assert "已保存为草稿" in page.locator(".flashes").inner_text()
    with system.transaction() as s:
        xml = s.get(SpecVersion, version_id).bpmn_xml
    assert "年审认证反馈审核" in xml and 'name="复核"' in xml and 'decision == "approve"' in xml

    # published from the version's page
    wait_for_diagram(page)
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button", has_text="发布").first.click()
    page.wait_for_load_state("networkidle")
    assert "本省新建业务将按此版本办理" in page.locator(".flashes").inner_text()
    found += violations(page)

    # the next new case of 呼和浩特 runs on it: after 发送税务部门 the supervisor's 复核
    unit_id, _login = _hohhot_unit(system)
    with system.transaction() as s:
        unit = s.get(Unit, unit_id)
        user = s.scalar(select(User).where(User.unit_id == unit_id))
        case = cases.open_case(s, system, unit, system.settings.business_year, user.login)
        add_certified_person(s, case, "王复核", id_number(7), list(range(1, 13)))
        cases.complete_declaration(s, system, user, case, pledge_read=True)
        case_id, instance_id, unit_name = case.id, case.instance_id, unit.name
    with system.transaction() as s:
        assert s.get(ProcessInstance, instance_id).spec_version_id == version_id
        send = s.scalar(select(InboxTask).where(InboxTask.case_id == case_id, InboxTask.form == "case_send_tax"))
        assert send is not None and send.role == "reviewer"
        review.send_to_tax(s, system, s.scalar(select(User).where(User.login == "reviewer_huhhot")), send.task_id)
    with system.transaction() as s:
        step = s.scalar(select(InboxTask).where(InboxTask.case_id == case_id, InboxTask.form == "decision"))
        assert step is not None and (step.title, step.role, step.task_name) == ("复核", "supervisor", ids["task"])

    supervisor = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(supervisor, base, "supervisor_nmg", staff=True)
    supervisor.goto(f"{base}/review/?form=decision")
    supervisor.wait_for_load_state("networkidle")
    row = supervisor.locator("tr", has_text="复核").filter(has_text=unit_name)
    assert row.count() == 1, supervisor.locator("table").inner_text()[:1000]
    row.locator("a", has_text="办理").first.click()
    supervisor.wait_for_load_state("networkidle")
    outcomes = supervisor.locator("input[name=outcome]").evaluate_all("els => els.map(e => e.value)")
    assert outcomes == ["approve", "return"]
    text = supervisor.content()
    assert "复核通过" in text and "退回重新核对" in text
    found += violations(supervisor)
    shot(supervisor, "47-supervisor-review")
    supervisor.check("input[value=approve]")
    supervisor.locator("button[type=submit]", has_text="提交").click()
    supervisor.wait_for_load_state("networkidle")
    with system.transaction() as s:
        assert s.scalar(select(InboxTask).where(InboxTask.case_id == case_id, InboxTask.form == "decision")) is None

    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in kept:
        shutil.copy(path, SHOTS / path.name)
    found += page.problems
    assert found == [], "\n".join(found)
