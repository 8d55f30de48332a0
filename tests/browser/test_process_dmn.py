"""决策表 in the online editor (issue 14), in Chromium as 内蒙古's process owner: a draft of
年审认证 with a business-rule task 审核分流 and its decision table opens in the editor; the
决策表 tab shows the table in dmn-js (from our own origin, under the strict CSP), the owner
renames the decision and changes a rule's cell, the 属性 panel of the business-rule task
lists the decisions and writes spiffworkflow:calledDecisionId; 保存为草稿 stores the
diagram with the edited table as a new draft, whose page shows the table read-only. A
version without tables opens with a starter table and saves none unless it is edited."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from casework import process_versions
from casework.models import User
from engine.models import SpecVersion
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations as wcag
from tests.browser.test_process_modeler import owner_page, violations, wait_for_diagram  # noqa: F401  (fixture)
from tests.web.test_process_dmn_web import TABLE, with_rule_task

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


def _with_shapes(xml: str) -> str:
    """The business-rule task and its gateway drawn (bpmn-js shows only elements with DI)."""
    shapes = (
        '<bpmndi:BPMNShape id="route_review_di" bpmnElement="route_review"><dc:Bounds x="470" y="430" width="100" height="80" /></bpmndi:BPMNShape>'
        '<bpmndi:BPMNShape id="review_needed_gw_di" bpmnElement="review_needed_gw" isMarkerVisible="true"><dc:Bounds x="495" y="540" width="50" height="50" /></bpmndi:BPMNShape>'
        '<bpmndi:BPMNEdge id="f_lock_route_di" bpmnElement="f_lock_route"><di:waypoint x="520" y="280" /><di:waypoint x="520" y="430" /></bpmndi:BPMNEdge>'
        '<bpmndi:BPMNEdge id="f_route_gw_di" bpmnElement="f_route_gw"><di:waypoint x="520" y="510" /><di:waypoint x="520" y="540" /></bpmndi:BPMNEdge>'
        '<bpmndi:BPMNEdge id="f_needs_review_di" bpmnElement="f_needs_review"><di:waypoint x="520" y="590" /><di:waypoint x="520" y="640" /><di:waypoint x="600" y="640" /></bpmndi:BPMNEdge>'
    )
    assert xml.count("</bpmndi:BPMNPlane>") == 1
    return xml.replace("</bpmndi:BPMNPlane>", shapes + "</bpmndi:BPMNPlane>")


def _draft_with_table(app) -> int:
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        owner = session.scalar(select(User).where(User.login == "owner_nmg"))
        draft = process_versions.save_draft(session, system.registry, owner, _with_shapes(with_rule_task()), process_id="annual_certification",
                                            source="modeler", note="审核分流", dmn=TABLE)
        return draft.id


def _version(app, version_id: int) -> SpecVersion:
    with app.extensions["quotacert"].transaction() as session:
        version = session.get(SpecVersion, version_id)
        session.expunge(version)
        return version


def _open_editor(page, base: str, version_id: int) -> None:
    page.goto(f"{base}/processes/versions/{version_id}/edit")
    page.wait_for_load_state("networkidle")
    wait_for_diagram(page)
    page.wait_for_selector("[data-bpmn-save]:not([disabled])")
    page.wait_for_selector("[data-dmn-add]:not([disabled])", state="attached")


def _saved_id(page) -> int:
    page.wait_for_url(re.compile(r"/processes/versions/\d+$"), timeout=20000)
    return int(page.url.rsplit("/", 1)[1])


def test_owner_edits_a_decision_table_and_saves_it_with_the_diagram(live_server, owner_page, shots, tmp_path):  # noqa: F811
    base, app = live_server
    page = owner_page
    draft = _draft_with_table(app)
    login(page, base, "owner_nmg", staff=True)
    _open_editor(page, base, draft)
    found = violations(page)

    # the business-rule task's panel lists the decisions of the 决策表 tab
    page.evaluate("id => { const m = window.bpmnDiagram; m.get('selection').select(m.get('elementRegistry').get(id)); }", "route_review")
    page.wait_for_selector("#pp-decision")
    assert page.locator("#pp-decision").input_value() == "review_route"
    assert "是否需要年审认证审核（review_route）" in page.locator("#pp-decision").inner_text()
    assert "review_needed" in page.locator("[data-process-panel] .pp-writes").last.inner_text()
    # the gateway after it builds its condition from the decision's output
    page.evaluate("id => { const m = window.bpmnDiagram; m.get('selection').select(m.get('elementRegistry').get(id)); }", "f_needs_review")
    page.wait_for_selector("#pp-cond-var-0")
    offered = page.eval_on_selector_all("#pp-cond-var-0 option", "os => os.map(o => o.value)")
    assert "review_needed" in offered, offered
    assert page.locator("#pp-cond-var-0").input_value() == "review_needed"

    # 决策表 tab: an accessible tab bar, the table drawn by dmn-js
    tab = page.get_by_role("tab", name="决策表")
    tab.click()
    assert tab.get_attribute("aria-selected") == "true"
    assert page.locator("#editor-panel-bpmn").is_hidden()
    page.wait_for_selector(".tjs-table")
    assert "是否需要年审认证审核" in page.locator("[data-dmn-views]").inner_text()
    assert page.locator("[data-bpmn-dirty]").is_hidden()

    # rename the decision (dmn-js's header) and change a cell of the second rule
    assert "条件" in page.locator(".tjs-table thead").inner_text()  # dmn-js's words in Chinese
    name = page.locator(".decision-table-name .content-editable")
    name.click()
    page.keyboard.press("End")
    page.keyboard.type("（新）")
    # dmn-js commits typing after a short pause; the list of decisions follows
    page.locator("[data-dmn-views] option", has_text="（新）").wait_for(state="attached")
    cell = page.locator("td[data-element-id='rule_unit_out'] .content-editable")
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("False")
    page.locator(".dmn-hint").click()  # leave the cell
    assert page.locator("[data-bpmn-dirty]").is_visible()
    page.wait_for_timeout(800)  # dmn-js commits the cell after a short pause
    assert page.locator("[data-dmn-views]").inner_text().count("（新）") == 1

    path = tmp_path / "dmn_tab.png"
    page.screenshot(path=str(path), full_page=True)
    shots(page, "process_dmn_tab")
    if SHOTS.parent.exists():
        SHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SHOTS / "process_dmn_tab.png"), full_page=True)
    found += violations(page) + wcag(page)

    # back to 流程图: the select in the panel shows the new name
    page.get_by_role("tab", name="流程图").click()
    page.evaluate("id => { const m = window.bpmnDiagram; m.get('selection').select(m.get('elementRegistry').get(id)); }", "route_review")
    page.wait_for_selector("#pp-decision")
    assert "（新）" in page.locator("#pp-decision").inner_text()

    page.fill("[data-draft-note]", "改决策表")
    page.click("[data-bpmn-save]")
    saved = _saved_id(page)
    assert saved != draft
    version = _version(app, saved)
    assert 'name="是否需要年审认证审核（新）"' in version.dmn_xml
    assert re.search(r'<outputEntry id="rule_unit_out">\s*<text>False</text>', version.dmn_xml), version.dmn_xml
    assert "<spiffworkflow:calledDecisionId>review_route</spiffworkflow:calledDecisionId>" in version.bpmn_xml

    # the version's page shows the table read-only with a download link
    page.wait_for_selector("[data-dmn-viewer] .tjs-table")
    assert page.locator(f"a[href='/processes/versions/{saved}.dmn?download=1']").count() == 1
    assert "（新）" in page.locator("[data-dmn-viewer]").inner_text()
    found += violations(page) + page.problems
    assert not found, "\n".join(found)


def test_a_new_decision_is_chosen_in_the_panel_and_a_problem_opens_its_table(live_server, owner_page):  # noqa: F811
    base, app = live_server
    page = owner_page
    draft = _draft_with_table(app)
    login(page, base, "owner_nmg", staff=True)
    _open_editor(page, base, draft)
    page.get_by_role("tab", name="决策表").click()
    page.click("[data-dmn-add]")
    page.locator("[data-dmn-views] option[value='decision_1']").wait_for(state="attached")
    assert page.locator("[data-bpmn-dirty]").is_visible()
    # the task now calls the new (empty, so refused) table, chosen in the panel
    page.get_by_role("tab", name="流程图").click()
    page.evaluate("id => { const m = window.bpmnDiagram; m.get('selection').select(m.get('elementRegistry').get(id)); }", "route_review")
    page.select_option("#pp-decision", "decision_1")
    xml = page.evaluate("() => window.bpmnDiagram.saveXML().then(r => r.xml)")
    assert "<spiffworkflow:calledDecisionId>decision_1</spiffworkflow:calledDecisionId>" in xml
    page.click("[data-bpmn-save]")
    page.wait_for_selector("[data-bpmn-problems]:not([hidden])")
    # the refusal names the new table (its empty input expression): the problem opens it
    links = page.locator("[data-bpmn-problems] .problem-dmn")
    assert links.count() >= 1
    links.first.click()
    assert page.get_by_role("tab", name="决策表").get_attribute("aria-selected") == "true"
    assert page.locator("[data-dmn-views]").input_value() == "decision_1"
    assert page.url.endswith("/edit")
    assert not page.problems, page.problems


def test_a_version_without_tables_saves_none_unless_edited(live_server, owner_page):  # noqa: F811
    base, app = live_server
    page = owner_page
    login(page, base, "owner_nmg", staff=True)
    with app.extensions["quotacert"].transaction() as session:
        national = session.scalar(select(SpecVersion.id).where(
            SpecVersion.process_id == "placement_review", SpecVersion.province == "").order_by(SpecVersion.number.desc()))
    _open_editor(page, base, national)
    page.get_by_role("tab", name="决策表").click()
    page.wait_for_selector(".tjs-table")
    assert "空白决策表" in page.locator("[data-dmn-status]").inner_text()
    assert page.evaluate("() => window.quotaDmn.getXML()") == ""
    page.get_by_role("tab", name="流程图").click()
    page.evaluate("""() => { const m = window.bpmnDiagram, r = m.get('elementRegistry');
                             m.get('modeling').updateLabel(r.get('manual_review'), '安置登记审核（不改决策表）'); }""")
    page.click("[data-bpmn-save]")
    saved = _saved_id(page)
    assert _version(app, saved).dmn_xml == ""
    assert page.locator("[data-dmn-viewer]").count() == 0
    assert not page.problems, page.problems
