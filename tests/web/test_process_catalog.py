"""The modeler panel's pick lists (issue 14): GET /processes/<id>/catalog.json answers a
process owner only, for the owner's province on the engine clock's day, and offers
exactly what the publishing check accepts (casework.process_rules): a form is offered in
the lanes whose role may use it, a time limit or an operation the panel writes passes
the check, and the data a condition may read is the case's start data and what forms
write."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from casework import accounts, decisions, process_rules, task_forms
from casework.operations import OPERATION_PARAMS
from domain.params import params_for
from engine.lanes import load_lanes
from engine.validation import check_diagram
from tests.web.conftest import PASSWORD, csrf_from, login

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
PLACEMENT = (WORKFLOWS / "placement_review.bpmn").read_text("utf-8")
STATIC = Path(__file__).resolve().parents[2] / "webapp" / "static"
TEST_DAY = date(2026, 4, 15)  # tests/conftest.py starts every engine clock then


@pytest.fixture
def owners(db):
    with db() as session:
        accounts.create_user(session, "owner_nmg", PASSWORD, "process_owner", "150000", None, "内蒙古流程管理员")
        accounts.create_user(session, "owner_zj", PASSWORD, "process_owner", "330000", None, "浙江流程管理员")
    return {"nmg": "owner_nmg", "zhejiang": "owner_zj"}


def owner_client(app, name: str):
    client = app.test_client()
    response = login(client, name, staff=True)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def _catalog(client, process_id: str = "annual_certification"):
    response = client.get(f"/processes/{process_id}/catalog.json")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "private, no-store"
    return response.get_json()


def test_only_a_process_owner_gets_the_pick_lists(app, owners, staff, employer):
    url = "/processes/annual_certification/catalog.json"
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    reviewer = app.test_client()
    login(reviewer, staff["anshan"], staff=True)
    assert reviewer.get(url).status_code == 403
    unit = app.test_client()
    login(unit, employer["login"])
    assert unit.get(url).status_code == 403
    owner = owner_client(app, owners["nmg"])
    assert owner.get("/processes/no_such_process/catalog.json").status_code == 404
    assert owner.get(url).status_code == 200


def test_the_lists_are_the_rules_the_check_applies(app, owners):
    body = _catalog(owner_client(app, owners["nmg"]))
    assert (body["province"], body["process_id"], body["day"]) == ("150000", "annual_certification", TEST_DAY.isoformat())
    assert "内蒙古" in body["province_name"]
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        lanes = load_lanes(session)
        rules = process_rules.diagram_rules(session, TEST_DAY)

    # lanes → roles
    assert [r["lane"] for r in body["roles"]] == lanes.names()
    assert {r["lane"]: r["role"] for r in body["roles"]} == dict(lanes.roles)
    assert {r["role"] for r in body["roles"] if r["staff"]} == set(lanes.staff_roles)

    # forms: every registered form, offered exactly in the lanes where the check takes it
    forms = {f["key"]: f for f in body["forms"]}
    assert set(forms) == set(task_forms.FORMS)
    for key, form in forms.items():
        assert form["title"] == task_forms.FORMS[key].title
        assert form["writes"] == list(process_rules.form_writes(key))
        accepted = [  # the role check (a form's own settings, say a designed form's schema, aside)
            lane for lane in lanes.names()
            if "不能用于该泳道的角色" not in (task_forms.check_form(key, lanes.role_of(lane), {}, lanes.staff_roles) or "")
        ]
        assert form["lanes"] == accepted, key
    decision = forms[decisions.FORM_KEY]
    assert [(o["key"], o["label"]) for o in decision["outcomes"]] == list(decisions.OUTCOMES.items())
    assert set(decision["settings"]) == set(decisions.SETTINGS)
    assert set(decision["reason_required_default"]) == decisions.options({}).reason_required
    assert {"残联业务人员", "业务主管"} <= set(decision["lanes"]) and "用人单位" not in decision["lanes"]
    assert forms["case_declare"]["lanes"] == ["用人单位"]

    # operations with their parameters, time limits (the province's working days), data
    assert {o["key"]: {p["name"] for p in o["params"]} for o in body["operations"]} == {
        k: set(v) for k, v in OPERATION_PARAMS.items()
    }
    assert all(p["type"] for o in body["operations"] for p in o["params"])
    own = params_for("150000", TEST_DAY).time_limits
    assert {t["name"]: t["days"] for t in body["time_limits"]} == {
        name: getattr(own, name) for name in process_rules.time_limits(TEST_DAY)
    }
    assert all(t["label"] != t["name"] for t in body["time_limits"]), "every limit has a Chinese label"
    assert body["start_data"] == sorted(process_rules.START_DATA["annual_certification"])
    assert {p["name"] for p in body["params"]} <= set(process_rules.plain_params(TEST_DAY))
    variables = {v["name"]: v for v in body["variables"]}
    written = {name for key in task_forms.FORMS for name in process_rules.form_writes(key)}
    assert set(body["start_data"]) | written <= set(variables)
    assert [v["value"] for v in variables["decision"]["values"]] == list(decisions.OUTCOMES)
    assert variables["decision"]["label"] == "审批结果"
    assert set(body["functions"]) == set(rules.functions)

    placement = _catalog(owner_client(app, owners["nmg"]), "placement_review")
    assert placement["start_data"] == sorted(process_rules.START_DATA["placement_review"])


def test_what_the_panel_writes_from_the_lists_passes_the_check(app, owners):
    """The placement diagram with its timer and service task rewritten the way the panel
    writes them, once for every time limit and operation offered: the check accepts it."""
    body = _catalog(owner_client(app, owners["nmg"]), "placement_review")
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        rules = process_rules.diagram_rules(session, TEST_DAY)
    timer = 'add_working_days(time_limit("manual_review"))'
    assert timer in PLACEMENT
    for limit in body["time_limits"]:
        for expression in (f'add_working_days(time_limit("{limit["name"]}"))', f"add_working_days({limit['days']})"):
            _parsed, problems = check_diagram(PLACEMENT.replace(timer, expression), "p.bpmn", rules)
            assert problems == [], (expression, problems)
    verify = next(o for o in body["operations"] if o["key"] == "verify_months")
    params = "".join(
        f'<spiffworkflow:parameter id="{p["name"]}" type="{p["type"]}" value="{p["name"]}" />' for p in verify["params"]
    )
    operator = (
        f'<spiffworkflow:serviceTaskOperator id="verify_months" resultVariable="{verify["result_variable"]}">'
        f"<spiffworkflow:parameters>{params}</spiffworkflow:parameters></spiffworkflow:serviceTaskOperator>"
    )
    start = PLACEMENT.index('<spiffworkflow:serviceTaskOperator id="verify_months"')
    end = PLACEMENT.index("</spiffworkflow:serviceTaskOperator>", start) + len("</spiffworkflow:serviceTaskOperator>")
    _parsed, problems = check_diagram(PLACEMENT[:start] + operator + PLACEMENT[end:], "p.bpmn", rules)
    assert problems == []


def test_another_province_gets_its_own_scope(app, owners):
    body = _catalog(owner_client(app, owners["zhejiang"]))
    assert body["province"] == "330000" and "浙江" in body["province_name"]


def test_the_moddle_descriptor_knows_every_spiffworkflow_element():
    """bpmn-js drops an element of a namespace it has a descriptor for but whose type the
    descriptor lacks: every element SpiffWorkflow's schema allows must be declared."""
    import SpiffWorkflow
    from lxml import etree

    xsd = Path(SpiffWorkflow.__file__).parent / "spiff" / "parser" / "schema" / "spiffworkflow.xsd"
    names = {el.get("name") for el in etree.parse(str(xsd)).iter("{http://www.w3.org/2001/XMLSchema}element")}
    descriptor = json.loads((STATIC / "spiffworkflow-moddle.json").read_text("utf-8"))
    declared = {t["name"][0].lower() + t["name"][1:] for t in descriptor["types"]}
    assert descriptor["uri"] == "http://spiffworkflow.org/bpmn/schema/1.0/core"
    assert names - declared == set()


def test_the_editor_page_loads_the_panel(app, owners):
    client = owner_client(app, owners["nmg"])
    html = client.get("/processes/").get_data(as_text=True)
    version_id = re.search(r"/processes/versions/(\d+)/edit", html) or re.search(r"/processes/versions/(\d+)", html)
    assert version_id
    page = client.get(f"/processes/versions/{version_id.group(1)}/edit").get_data(as_text=True)
    assert "data-process-panel" in page and "process_panel.js" in page and "process_panel.css" in page
    assert "process_conditions.js" in page
    assert 'data-catalog-url="/processes/' in page and "spiffworkflow-moddle.json" in page
    assert " style=" not in page and "<script>" not in page
    csrf_from(client, "/processes/")
