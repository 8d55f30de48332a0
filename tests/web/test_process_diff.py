"""与…比较 (issue 14): what changed between two versions of a process, by element id, on
the facts that change how a case runs (not the drawing); and the page that lists it and
hands the lines to the two diagrams (data-* attributes, no inline script), scoped to the
owner's province, with no 500 for any id."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from casework import task_forms
from casework.process_diff import compare
from engine.models import SpecVersion
from tests.web import processkit
from tests.web.processkit import (
    IM_ANNUAL,
    PLACEMENT,
    WORKFLOWS,
    client_for,
    current_id,
    placement_variant,
    publish,
)

demo_app = processkit.demo_app  # the fixture: the app with the demo data, on both databases


@pytest.fixture(autouse=True, scope="module")
def forms():
    task_forms.load_forms()  # the form titles the diff shows beside a form key


def by_id(changes) -> dict:
    return {c.element: c for c in changes}


def test_added_removed_renamed_and_a_changed_condition():
    diff = compare(PLACEMENT, placement_variant())
    assert diff.error == "" and not diff.empty
    added, removed, changed = by_id(diff.added), by_id(diff.removed), by_id(diff.changed)
    assert set(added) == {"log_checks"} and set(removed) == {"record_checks"}
    assert added["log_checks"].title == "新增脚本任务“登记核验结果”（log_checks）"
    assert "脚本：record_month_checks(placement_id, verification)" in added["log_checks"].details
    assert removed["record_checks"].title == "删除脚本任务“记录核验结果”（record_checks）"
    assert changed["manual_review"].details == ("名称：安置登记审核 → 安置登记审核（复核）",)
    assert changed["f_choice_review"].details == (
        '条件：months_action == "save" and len(claimed_months) > 0 → months_action == "save" and len(claimed_months) >= 1',)
    # the flows around the replaced step now lead elsewhere
    assert "去向：record_checks → log_checks" in changed["f_verify_record"].details
    assert "来源：record_checks → log_checks" in changed["f_record_select"].details
    # nothing else: untouched steps, and the renamed step's flows (compared by id), are not listed
    assert set(changed) == {"manual_review", "f_choice_review", "f_verify_record", "f_record_select"}


def test_forms_lanes_timers_services_and_wiring():
    national = (PLACEMENT.replace('<spiffworkflow:property name="form" value="supervision" />',
                                  '<spiffworkflow:property name="form" value="decision" />')
                .replace('add_working_days(time_limit("manual_review"))', "add_working_days(15)")
                .replace('<spiffworkflow:parameter id="placement_id" type="int" value="placement_id" />',
                         '<spiffworkflow:parameter id="placement_id" type="int" value="placement" />'))
    moved = national.replace("<bpmn:flowNodeRef>select_months</bpmn:flowNodeRef>", "").replace(
        "<bpmn:flowNodeRef>manual_review</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>manual_review</bpmn:flowNodeRef><bpmn:flowNodeRef>select_months</bpmn:flowNodeRef>")
    changed = by_id(compare(PLACEMENT, moved).changed)
    assert changed["supervise"].details == (
        f"表单：supervision（{task_forms.title_of('supervision')}） → decision（{task_forms.title_of('decision')}）",)
    assert changed["review_deadline"].details == ('定时器：add_working_days(time_limit("manual_review")) → add_working_days(15)',)
    assert changed["auto_verify"].details == ("参数“placement_id”：placement_id（int） → placement（int）",)
    assert changed["select_months"].details == ("泳道：用人单位 → 残联业务人员",)
    assert set(changed) == {"supervise", "review_deadline", "auto_verify", "select_months"}
    # a step added between two others: the wiring says what was added and taken away
    national_annual = (WORKFLOWS / "annual_certification.bpmn").read_text("utf-8")
    changed = by_id(compare(national_annual, IM_ANNUAL).changed)
    assert changed["lock_case"].details[-1] == "离开连线：增加 f_lock_review；去掉 f_lock_certified"


def test_same_content_layout_only_and_unreadable_versions():
    assert compare(PLACEMENT, PLACEMENT).empty
    shifted = re.sub(r'x="(\d+)"', lambda m: f'x="{int(m.group(1)) + 40}"', PLACEMENT)
    assert shifted != PLACEMENT and compare(PLACEMENT, shifted).empty  # the drawing is not compared
    for bad in ("", "not xml", "<html/>", '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>'):
        diff = compare(PLACEMENT, bad)
        assert diff.error and diff.empty, bad


def test_diff_page_lists_and_hands_the_lines_to_the_diagrams(demo_app):
    system = demo_app.extensions["quotacert"]
    national = current_id(system, "placement_review", "150100")
    mine = publish(system, "owner_nmg", placement_variant(), "placement_review", "复核改名")
    client = client_for(demo_app, "owner_nmg")

    view = client.get(f"/processes/versions/{mine}").get_data(as_text=True)
    assert "与…比较" in view and f'<option value="{national}">全国默认流程 V1' in view
    picked = client.get(f"/processes/versions/{mine}/diff?with={national}")
    assert picked.status_code == 302 and picked.headers["Location"].endswith(f"/processes/versions/{national}/diff/{mine}")

    response = client.get(f"/processes/versions/{national}/diff/{mine}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for element, status in (("log_checks", "added"), ("record_checks", "removed"), ("manual_review", "changed"),
                            ("f_choice_review", "changed")):
        assert f'data-diff-element="{element}" data-diff-status="{status}"' in html, element
    assert 'data-diff-element="register"' not in html
    assert "新增 1 处" in html and "删除 1 处" in html and "修改 4 处" in html
    assert "名称：安置登记审核 → 安置登记审核（复核）" in html
    assert "len(claimed_months) &gt;= 1" in html  # escaped, never raw markup
    assert f'data-diff-viewer="old" data-xml-url="/processes/versions/{national}.bpmn"' in html
    assert f'data-diff-viewer="new" data-xml-url="/processes/versions/{mine}.bpmn"' in html
    assert "/static/process_diff.js" in html and "/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in html
    main = html.split("<main", 1)[1]
    assert not re.search(r"<script(?![^>]*\bsrc=)", main) and " style=" not in main  # the CSP: no inline code
    # the other way round: the same lines, added and removed swapped
    swapped = client.get(f"/processes/versions/{mine}/diff/{national}").get_data(as_text=True)
    assert 'data-diff-element="log_checks" data-diff-status="removed"' in swapped
    assert 'data-diff-element="record_checks" data-diff-status="added"' in swapped


def test_diff_is_scoped_and_never_a_500(demo_app):
    system = demo_app.extensions["quotacert"]
    national = current_id(system, "placement_review", "150100")
    mine = publish(system, "owner_nmg", placement_variant(), "placement_review")
    with system.transaction() as session:
        annual = session.scalar(select(SpecVersion.id).where(SpecVersion.process_id == "annual_certification",
                                                              SpecVersion.province == ""))
    zhejiang = client_for(demo_app, "owner_zhejiang")
    assert zhejiang.get(f"/processes/versions/{national}/diff/{mine}").status_code == 404
    assert zhejiang.get(f"/processes/versions/{mine}/diff/{national}").status_code == 404
    assert zhejiang.get(f"/processes/versions/{national}/diff?with={mine}").status_code == 404

    client = client_for(demo_app, "owner_nmg")
    assert client.get(f"/processes/versions/{national}/diff/{annual}").status_code == 404  # another process
    assert client.get(f"/processes/versions/{national}/diff/{national}").status_code == 404
    for url in (f"/processes/versions/{national}/diff/0", f"/processes/versions/0/diff/{mine}",
                f"/processes/versions/{national}/diff/99999999999", f"/processes/versions/{national}/diff/abc",
                "/processes/versions/x/diff/y", f"/processes/versions/{national}/diff/2147483647"):
        assert client.get(url).status_code == 404, url
    for other in ("", "abc", "0", "-1", "99999999999", "1e3", str(national), "%00"):
        response = client.get(f"/processes/versions/{national}/diff?with={other}")
        assert response.status_code == 302 and response.headers["Location"].endswith(f"/processes/versions/{national}"), other
    assert client.get(f"/processes/versions/{national}/diff?with=2147483647").status_code == 404
    assert client.get(f"/processes/versions/{national}/diff").status_code == 302
