"""窗口受理 over the API (/api/v1/window/…, and the 窗口受理 step's generated operation):
the same services and rules as the pages, window clerks only, Chinese errors."""

from __future__ import annotations

from tests.api.conftest import api_login

EVERY_PAPER = ["application", "certificates", "contracts", "wages", "insurance", "pledge"]


def test_a_clerk_receives_and_accepts_through_the_api(app):
    client = app.test_client()
    clerk = api_login(client, "window_binjiang")
    units = client.get("/api/v1/window/units", query_string={"q": "西湖区示范网络"}, headers=clerk)
    assert units.status_code == 200
    [unit] = units.get_json()["items"]
    assert unit["scope"] == "省内通办" and unit["region"] == "330106" and set(unit) == {
        "id", "name", "credit_code", "region", "region_name", "scope"}  # nothing personal

    url = f"/api/v1/window/units/{unit['id']}/receipts"
    bad = client.post(url, json={"mode": "later", "materials": ["bogus"], "reason": 5}, headers=clerk)
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) >= {"mode", "reason"}
    no_reason = client.post(url, json={"mode": "deferred", "materials": ["pledge"]}, headers=clerk)
    assert no_reason.status_code == 400 and "暂缓受理须填写原因" in no_reason.get_json()["fields"]["reason"]
    made = client.post(url, json={"mode": "deferred", "materials": ["pledge"], "reason": "缺少劳动合同"}, headers=clerk)
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert (body["status"], body["where"]) == ("deferred", "窗口受理 · 浙江省杭州市滨江区")
    again = client.post(url, json={"mode": "immediate", "materials": EVERY_PAPER}, headers=clerk)
    assert again.status_code == 409 and "请勿重复受理" in again.get_json()["error"]

    tasks = client.get("/api/v1/tasks", headers=clerk).get_json()
    [task] = [t for t in tasks["items"] if t["form"] == "window_acceptance"]
    assert task["region_code"] == "330108"
    assert client.get(f"/api/v1/tasks/{task['task_id']}", headers=clerk).get_json()["history"] == []
    step = f"/api/v1/tasks/{task['task_id']}/window-acceptance"
    short = client.post(step, json={"outcome": "accept", "materials": ["pledge"]}, headers=clerk)
    assert short.status_code == 400 and "材料尚不齐全" in short.get_json()["fields"]["materials"]
    assert client.post(step, json={"outcome": "accept", "materials": EVERY_PAPER}, headers=clerk).status_code == 200
    [listed] = client.get("/api/v1/window/receipts", headers=clerk).get_json()["items"]
    assert (listed["status"], listed["where"]) == ("accepted", "属地审核 · 浙江省杭州市西湖区")


def test_only_window_clerks(app):
    client = app.test_client()
    for login in ("91210302052118596L", "reviewer_hangzhou"):
        headers = api_login(client, login)
        assert client.get("/api/v1/window/units", query_string={"q": "示范"}, headers=headers).status_code == 403
        assert client.get("/api/v1/window/receipts", headers=headers).status_code == 403
        assert client.post("/api/v1/window/units/1/receipts", json={"mode": "immediate"}, headers=headers).status_code == 403
    clerk = api_login(client, "window_xihu")
    assert client.post("/api/v1/window/units/2147483647/receipts", json={"mode": "immediate", "materials": EVERY_PAPER},
                       headers=clerk).status_code == 404
    assert client.get("/api/v1/tax/submissions", headers=clerk).status_code == 403
