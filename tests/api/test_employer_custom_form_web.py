"""自定义表单 in the 用人单位 lane through the unit's pages and the API (issue 14): the
首页 lists the step as 待办事项, its page renders the form as designed, the page's text
and the API's JSON are validated by the same declaration (Chinese errors beside the
fields, nothing completed), another unit gets 404, and the value reaches the gateway.
The Liaoning version here is 内蒙古's diagram with a 补充说明 step of the unit's after
完成申报 (tests/workflows/test_wf_employer_custom_form.py builds it)."""

from __future__ import annotations

import sys
from io import BytesIO
from pathlib import Path

from tests.api.conftest import api_login
from tests.api.files import png_bytes
from tests.api.test_journey import UNIT, register, upload
from tests.api.test_pages import page_login, token

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflows"))
from test_wf_employer_custom_form import with_employer_step  # noqa: E402

LIAONING = "210000"
STRANGER = "91210303306812749R"  # another 鞍山 unit


def declared(app, jobs, population, client) -> None:
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.registry.register(session, with_employer_step(), f"{LIAONING}/annual_certification.bpmn", LIAONING)
    employer = api_login(client, UNIT)
    pid = register(client, employer, population.select(unit=UNIT, scenario="clean")[0])
    jobs()
    assert client.post(f"/api/v1/placements/{pid}/months", headers=employer,
                       json={"selected_months": list(range(1, 13))}).status_code == 200
    done = client.post("/api/v1/case/declaration", headers=employer, json={"pledge_read": True})
    assert done.status_code == 200, done.get_json()


def _steps(client, headers) -> dict:
    response = client.get("/api/v1/case/steps", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _staff_forms(client) -> set[str]:
    headers = api_login(client, "reviewer_anshan")
    return {t["form"] for t in client.get("/api/v1/tasks", headers=headers).get_json()["items"]}


def test_the_unit_fills_its_step_on_its_pages(app, jobs, population):
    client = app.test_client()
    declared(app, jobs, population, client)
    task_id = _steps(client, api_login(client, UNIT))["items"][0]["task_id"]
    unit = page_login(app, UNIT)
    home = unit.get("/").get_data(as_text=True)
    assert "待办事项" in home and f"/steps/{task_id}" in home and "补充说明" in home
    page = unit.get(f"/steps/{task_id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200, html[:500]
    for label in ("联系人", "申报情况", "确认申报无误", "需要修改申报", "新增岗位数", "补充说明", "证明材料",
                  "请补充说明本年度安置残疾人就业的情况"):
        assert label in html

    stranger = page_login(app, STRANGER)  # another unit: neither its page nor its submit
    assert stranger.get(f"/steps/{task_id}").status_code == 404
    assert stranger.post(f"/steps/{task_id}", data={"csrf_token": token(stranger, "/"), "contact": "x",
                                                    "confirmation": "confirm"}).status_code == 404
    reviewer = page_login(app, "reviewer_anshan", staff=True)
    assert reviewer.get(f"/steps/{task_id}").status_code in (403, 302)
    assert reviewer.get(f"/review/tasks/{task_id}").status_code == 404  # not the workbench's

    csrf = token(unit, f"/steps/{task_id}")
    bad = unit.post(f"/steps/{task_id}", data={"csrf_token": csrf, "new_posts": "很多", "note": "留着"})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 400
    assert "请填写联系人" in text and "新增岗位数须为数字" in text and "请选择申报情况" in text
    assert "留着" in text  # the input is kept
    assert _steps(client, api_login(client, UNIT))["items"][0]["task_id"] == task_id  # nothing completed

    ok = unit.post(f"/steps/{task_id}", data={
        "csrf_token": csrf, "contact": "张三", "confirmation": "confirm", "new_posts": "2",
        "attachments": (BytesIO(png_bytes()), "证明.png"),
    }, content_type="multipart/form-data")
    assert ok.status_code == 302, ok.get_data(as_text=True)[:800]
    home = unit.get("/").get_data(as_text=True)
    assert "填报记录" in home and "申报情况：确认申报无误" in home and "证明材料：1个附件" in home
    assert f"/steps/{task_id}" not in home
    assert "decision" in _staff_forms(client)  # the gateway went on to 年审认证审核


def test_the_unit_fills_its_step_through_the_api(app, jobs, population):
    client = app.test_client()
    declared(app, jobs, population, client)
    employer = api_login(client, UNIT)
    listed = _steps(client, employer)
    assert len(listed["items"]) == 1 and listed["history"] == []
    step = listed["items"][0]
    assert step["title"] == "补充说明" and [f["key"] for f in step["fields"]] == [
        "contact", "confirmation", "new_posts", "note", "proof"]
    url = f"/api/v1/case/steps/{step['task_id']}"
    for body in ({"values": {"contact": "张三", "confirmation": "confirm", "new_posts": "2"}},
                 {"values": {"confirmation": "maybe"}}, {"values": "nope"}, []):
        response = client.post(url, headers=employer, json=body)
        assert response.status_code == 400, (body, response.get_json())
        assert response.get_json()["error"]
    errors = client.post(url, headers=employer, json={"values": {}}).get_json()
    assert "contact" in str(errors) and "请填写联系人" in str(errors)
    stranger = api_login(client, STRANGER)
    assert client.post(url, headers=stranger, json={"values": {"contact": "x", "confirmation": "confirm"}}).status_code == 404
    assert _steps(client, stranger)["items"] == []
    theirs = upload(client, stranger, png_bytes(), "他人.png", "statement")
    refused = client.post(url, headers=employer, json={"values": {"contact": "张三", "confirmation": "confirm"},
                                                       "attachment_ids": [theirs]})
    assert refused.status_code == 400 and "不属于该单位" in str(refused.get_json())
    reviewer = api_login(client, "reviewer_anshan")
    assert client.post(f"/api/v1/tasks/{step['task_id']}/form", headers=reviewer,
                       json={"values": {"contact": "x", "confirmation": "confirm"}}).status_code == 404
    assert _steps(client, employer)["items"][0]["task_id"] == step["task_id"]  # nothing completed

    mine = upload(client, employer, png_bytes(), "证明.png", "statement")
    ok = client.post(url, headers=employer, json={"values": {"contact": "张三", "confirmation": "amend",
                                                             "note": "漏报一名职工", "new_posts": 1},
                                                  "attachment_ids": [mine]})
    assert ok.status_code == 200, ok.get_json()
    after = _steps(client, employer)
    assert after["items"] == [] and "申报情况：需要修改申报" in after["history"][0]["reason"]
    case = client.get("/api/v1/case", headers=employer).get_json()
    assert case["locked"] is False and case["can_declare"] is True  # the gateway returned it to the unit
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/case/steps/{task_id}" in spec["paths"] and "/api/v1/case/steps" in spec["paths"]


def test_the_panel_offers_the_custom_form_in_the_employer_lane(app):
    owner = page_login(app, "owner_nmg", staff=True)
    catalog = owner.get("/processes/annual_certification/catalog.json").get_json()
    custom = next(f for f in catalog["forms"] if f["key"] == "custom")
    assert "employer" in custom["roles"] and "reviewer" in custom["roles"], custom["roles"]
    employer_lanes = [r["lane"] for r in catalog["roles"] if r["role"] == "employer"]
    assert employer_lanes and set(employer_lanes) <= set(custom["lanes"])
    declare = next(f for f in catalog["forms"] if f["key"] == "decision")
    assert "employer" not in declare["roles"]  # staff forms stay out of the unit's lane
