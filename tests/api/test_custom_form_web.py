"""自定义表单 through the workbench page and the API (issue 14): the step's own form is
rendered from its design, the page's text and the API's JSON are validated by the same
declaration, errors come back in Chinese beside the fields, and the values reach the
gateway. The Liaoning version here is 内蒙古's diagram with its review made a custom-form
step (tests/workflows/test_wf_custom_form.py builds it)."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.api.conftest import api_login
from tests.api.test_journey import UNIT, register
from tests.api.test_pages import page_login, token

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflows"))
from test_wf_custom_form import SCHEMA, with_form  # noqa: E402

LIAONING = "210000"


def _declared(app, jobs, population, client) -> None:
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.registry.register(session, with_form(SCHEMA), f"{LIAONING}/annual_certification.bpmn", LIAONING)
    employer = api_login(client, UNIT)
    pid = register(client, employer, population.select(unit=UNIT, scenario="clean")[0])
    jobs()
    assert client.post(f"/api/v1/placements/{pid}/months", headers=employer,
                       json={"selected_months": list(range(1, 13))}).status_code == 200
    done = client.post("/api/v1/case/declaration", headers=employer, json={"pledge_read": True})
    assert done.status_code == 200, done.get_json()


def _task(client, headers) -> str:
    items = client.get("/api/v1/tasks", headers=headers, query_string={"form": "custom"}).get_json()["items"]
    assert len(items) == 1, items
    return items[0]["task_id"]


def test_the_page_renders_and_validates_the_steps_own_form(app, jobs, population):
    client = app.test_client()
    _declared(app, jobs, population, client)
    task_id = _task(client, api_login(client, "reviewer_anshan"))
    reviewer = page_login(app, "reviewer_anshan", staff=True)
    page = reviewer.get(f"/review/tasks/{task_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    for label in ("核查日期", "核查结论", "情况属实", "现场见到人数", "核查说明", "单位负责人已签字确认", "现场照片", "请按现场核查情况填写"):
        assert label in html
    csrf = token(reviewer, f"/review/tasks/{task_id}")
    bad = reviewer.post(f"/review/tasks/{task_id}", data={"csrf_token": csrf, "people_seen": "很多"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "请填写核查日期" in text and "现场见到人数须为数字" in text
    assert "请选择核查结论" in text and "请勾选“单位负责人已签字确认”" in text
    ok = reviewer.post(f"/review/tasks/{task_id}", data={
        "csrf_token": csrf, "checked_on": "2026-04-15", "conclusion": "approve", "people_seen": "2", "signed": "on",
    })
    assert ok.status_code == 302, ok.get_data(as_text=True)[:800]
    headers = api_login(client, "reviewer_anshan")
    forms = {t["form"] for t in client.get("/api/v1/tasks", headers=headers).get_json()["items"]}
    assert "case_send_tax" in forms and "custom" not in forms


def test_the_api_holds_json_to_its_types(app, jobs, population):
    client = app.test_client()
    _declared(app, jobs, population, client)
    headers = api_login(client, "reviewer_anshan")
    task_id = _task(client, headers)
    url = f"/api/v1/tasks/{task_id}/form"
    for body in ({"values": {"checked_on": "2026-04-15", "conclusion": "approve", "people_seen": "2", "signed": True}},
                 {"values": "nope"}, {"values": {"conclusion": 1}}, [], {"values": {"people_seen": 10**400}}):
        response = client.post(url, headers=headers, json=body)
        assert response.status_code == 400, (body, response.get_json())
        assert response.get_json()["error"]
    assert _task(client, headers) == task_id  # nothing completed
    other = api_login(client, "reviewer_hangzhou")
    assert client.post(url, headers=other, json={"values": {}}).status_code == 404
    ok = client.post(url, headers=headers, json={"values": {"checked_on": "2026-04-15", "conclusion": "return",
                                                            "signed": True, "remarks": "岗位不符"}})
    assert ok.status_code == 200, ok.get_json()
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/tasks/{task_id}/form" in spec["paths"]
