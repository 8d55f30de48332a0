"""决策表 in 流程管理 (issue 14): dmn-js from our own origin (only the files the pages load),
a version's DMN document for its owner only (a starter table when it has none), the
draft endpoint's `dmn` field, and the pages that load the editor and the viewer."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from engine.models import SpecVersion
from tests.web.conftest import csrf_from
from tests.web.test_process_pages import owner_client, owners  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[2]
TABLE = (ROOT / "tests" / "workflows" / "diagrams" / "review_route.dmn").read_text("utf-8")
VARIANT = (ROOT / "workflows" / "150000" / "annual_certification.bpmn").read_text("utf-8")


def with_rule_task(decision_id: str = "review_route") -> str:
    """内蒙古's 年审认证 with a business-rule task 审核分流 calling `decision_id`."""
    old = '<bpmn:sequenceFlow id="f_lock_review" sourceRef="lock_case" targetRef="certification_review" />'
    assert old in VARIANT
    new = f"""<bpmn:sequenceFlow id="f_lock_route" sourceRef="lock_case" targetRef="route_review" />
    <bpmn:businessRuleTask id="route_review" name="审核分流">
      <bpmn:extensionElements><spiffworkflow:calledDecisionId>{decision_id}</spiffworkflow:calledDecisionId></bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f_route_gw" sourceRef="route_review" targetRef="review_needed_gw" />
    <bpmn:exclusiveGateway id="review_needed_gw" name="需要审核？" default="f_no_review" />
    <bpmn:sequenceFlow id="f_needs_review" name="需要" sourceRef="review_needed_gw" targetRef="certification_review">
      <bpmn:conditionExpression>review_needed</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no_review" name="免审" sourceRef="review_needed_gw" targetRef="certify" />"""
    ref = "<bpmn:flowNodeRef>lock_case</bpmn:flowNodeRef>"
    xml = VARIANT.replace(old, new)
    return xml.replace(ref, ref + "<bpmn:flowNodeRef>route_review</bpmn:flowNodeRef><bpmn:flowNodeRef>review_needed_gw</bpmn:flowNodeRef>")


def national_id(app, process_id: str = "annual_certification") -> int:
    with app.extensions["quotacert"].transaction() as session:
        return session.scalar(select(SpecVersion.id).where(
            SpecVersion.process_id == process_id, SpecVersion.province == "").order_by(SpecVersion.number.desc()))


def post_draft(client, body, process_id: str = "annual_certification"):
    token = csrf_from(client, "/processes/")
    return client.post(f"/processes/{process_id}/drafts", json=body, headers={"X-CSRFToken": token})


def test_vendor_route_serves_only_the_dmn_js_files_the_pages_load(client):
    from webapp.processes import DMN_JS_DIR, DMN_JS_FILES

    if not (DMN_JS_DIR / "dist" / "dmn-modeler.production.min.js").exists():
        pytest.skip("dmn-js not installed (scripts/install runs npm ci)")
    for name in DMN_JS_FILES:
        assert (DMN_JS_DIR / "dist" / name).is_file(), name
    script = client.get("/vendor/dmn-js/dmn-modeler.production.min.js")
    assert script.status_code == 200 and "javascript" in script.mimetype
    assert client.get("/vendor/dmn-js/dmn-viewer.production.min.js").status_code == 200
    assert client.get("/vendor/dmn-js/assets/dmn-js-decision-table.css").status_code == 200
    assert client.get("/vendor/dmn-js/assets/dmn-font/font/dmn.woff2").status_code == 200
    for bad in ("dmn-modeler.development.js", "../package.json", "..%2fpackage.json", "assets/../../package.json",
                "/etc/passwd", "nothing.js", "assets/dmn-font/css/dmn-embedded.css", "../../bpmn-js/dist/bpmn-modeler.production.min.js"):
        assert client.get(f"/vendor/dmn-js/{bad}", follow_redirects=True).status_code == 404, bad


def test_a_version_without_tables_answers_a_starter_document(app, owners):  # noqa: F811
    client = owner_client(app, owners["nmg"])
    version_id = national_id(app)
    response = client.get(f"/processes/versions/{version_id}.dmn")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    assert response.headers["X-DMN-Starter"] == "1"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = response.get_data(as_text=True)
    assert 'id="decision_1"' in text and 'hitPolicy="UNIQUE"' in text and "https://www.omg.org/spec/DMN/20191111/MODEL/" in text
    from lxml import etree

    etree.fromstring(text.encode("utf-8"))  # well-formed
    # nothing to download
    assert client.get(f"/processes/versions/{version_id}.dmn?download=1").status_code == 404


def test_tables_are_saved_with_the_draft_and_read_by_their_owner_only(app, owners, staff):  # noqa: F811
    client = owner_client(app, owners["nmg"])
    response = post_draft(client, {"xml": with_rule_task(), "dmn": TABLE, "note": "审核分流"})
    assert response.status_code == 201, response.get_data(as_text=True)[:2000]
    draft = response.get_json()["id"]
    got = client.get(f"/processes/versions/{draft}.dmn")
    assert got.status_code == 200 and "X-DMN-Starter" not in got.headers
    assert 'id="review_route"' in got.get_data(as_text=True)
    download = client.get(f"/processes/versions/{draft}.dmn?download=1")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;") and ".dmn" in download.headers["Content-Disposition"]
    # the view page shows the tables with the viewer, the editor loads the modeler
    view = client.get(f"/processes/versions/{draft}").get_data(as_text=True)
    assert "/vendor/dmn-js/dmn-viewer.production.min.js" in view and f"/processes/versions/{draft}.dmn?download=1" in view
    edit = client.get(f"/processes/versions/{draft}/edit").get_data(as_text=True)
    assert "/vendor/dmn-js/dmn-modeler.production.min.js" in edit and 'role="tablist"' in edit
    assert f'data-dmn-url="/processes/versions/{draft}.dmn"' in edit
    # another province's owner: not found; other roles: refused
    zhejiang = owner_client(app, owners["zhejiang"])
    assert zhejiang.get(f"/processes/versions/{draft}.dmn").status_code == 404
    assert zhejiang.get(f"/processes/versions/{draft}.dmn?download=1").status_code == 404
    from tests.web.conftest import login

    reviewer = app.test_client()
    login(reviewer, staff["anshan"], staff=True)
    assert reviewer.get(f"/processes/versions/{draft}.dmn").status_code == 403
    anonymous = app.test_client()
    assert anonymous.get(f"/processes/versions/{draft}.dmn").status_code in (302, 401)


def test_a_version_without_tables_has_no_table_section(app, owners):  # noqa: F811
    client = owner_client(app, owners["nmg"])
    view = client.get(f"/processes/versions/{national_id(app)}").get_data(as_text=True)
    assert "dmn-viewer" not in view and ".dmn?download=1" not in view


@pytest.mark.parametrize("dmn", [5, ["<definitions/>"], {"xml": "x"}, True])
def test_a_dmn_that_is_not_text_is_refused_in_chinese(app, owners, dmn):  # noqa: F811
    client = owner_client(app, owners["nmg"])
    response = post_draft(client, {"xml": VARIANT, "dmn": dmn})
    assert response.status_code == 400, response.get_data(as_text=True)[:500]
    body = response.get_json()
    assert "决策表" in body["message"] and body["problems"][0]["message"] == body["message"]


def test_a_broken_table_is_a_problem_naming_the_decision_not_a_500(app, owners):  # noqa: F811
    client = owner_client(app, owners["nmg"])
    # the task calls a decision the document does not have
    response = post_draft(client, {"xml": with_rule_task("no_such_decision"), "dmn": TABLE})
    assert response.status_code == 422, response.get_data(as_text=True)[:1000]
    assert response.get_json()["problems"]
    # a DMN document that is not XML at all
    response = post_draft(client, {"xml": with_rule_task(), "dmn": "<definitions"})
    assert response.status_code == 422, response.get_data(as_text=True)[:1000]
    # too big
    response = post_draft(client, {"xml": VARIANT, "dmn": "x" * 5_000_100})
    assert response.status_code in (413, 422)
    # null or absent means none
    response = post_draft(client, {"xml": VARIANT, "dmn": None, "note": "无决策表"})
    assert response.status_code == 201, response.get_data(as_text=True)[:1000]
    with app.extensions["quotacert"].transaction() as session:
        assert session.get(SpecVersion, response.get_json()["id"]).dmn_xml == ""
