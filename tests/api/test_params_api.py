"""参数设置 through the JSON API (the process owner's side): the parameters in force on a
day with sources, upcoming changes, wage tables and history (GET /api/v1/params); a dated
change (POST /api/v1/params, 201) stored and audited like the page's; every wrong input of
the page's checklist refused with the page's own Chinese message (one declaration);
other roles and other provinces refused; garbage of any shape a Chinese 400, never a 500;
both operations in the OpenAPI document with their models."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from casework.models import AuditEntry, ProvinceParamEntry
from domain import params
from tests.api.conftest import api_login
from tests.api.test_no_500 import DEEP, DEEP_OBJECT, HUGE, assert_refused, page_login
from tests.casework.test_province_params import BAD

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the rest: SQLite only
URL = "/api/v1/params"
OWNER = "owner_zhejiang"


def counts(app) -> tuple[int, int]:
    with app.extensions["quotacert"].transaction() as session:
        return (session.scalar(select(func.count(ProvinceParamEntry.id))),
                session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action.contains("参数"))))


@pytest.fixture
def owner(app):
    assert app.extensions["quotacert"].today() == date(2026, 4, 15)  # the day BAD is written for
    client = app.test_client()
    return client, api_login(client, OWNER)


def field(state: dict, key: str) -> dict:
    return next(f for f in state["fields"] if f["key"] == key)


def test_owner_reads_and_changes_a_parameter_from_a_day_on(app, owner):
    client, headers = owner
    state = client.get(URL, headers=headers)
    assert state.status_code == 200, state.get_json()
    state = state.get_json()
    assert (state["province"], state["province_name"], state["today"], state["date"]) == (
        "330000", "浙江省", "2026-04-15", "2026-04-15")
    ratio = field(state, "quota_ratio")
    assert ratio["text"] == "1.5%" and ratio["source"]["name"] == "全国默认" and ratio["editable"]
    assert ratio["kind"] == "percent" and ratio["inputs"] == {"value": "1.5"}
    assert not field(state, "levy_rule")["editable"] and "2028-01-01" in [
        u["day"] for u in field(state, "levy_rule")["upcoming"]]
    assert state["demo_notice"] and any(row["demo"] for g in state["minimum_wages"] for row in g["rows"])
    assert state["history"] == []

    created = client.post(URL, headers=headers, json={
        "field": "quota_ratio", "value": 1.6, "valid_from": "2026-07-01", "note": "浙政发〔2026〕3号"})
    assert created.status_code == 201, created.get_json()
    saved = created.get_json()
    assert saved["message"] == "已保存：安置比例自2026-07-01起为1.6%。此前各日仍按原值计算。"
    change = saved["change"]
    assert (change["field"], change["act"], change["status"], change["cancellable"]) == (
        "quota_ratio", "修改", "待生效", True)
    assert change["period"] == "2026-07-01 起" and change["note"] == "浙政发〔2026〕3号"
    assert "owner_zhejiang" in change["who"] and change["at"].startswith("2026-04-15T10:00")

    with app.extensions["quotacert"].transaction() as session:
        audit = session.scalar(select(AuditEntry).where(AuditEntry.action == "修改省级参数"))
        assert audit.target == "quota_ratio@330000" and audit.detail["valid_from"] == "2026-07-01"
        assert audit.detail["value"] == "0.016" and audit.actor == "浙江省残联 流程管理员"
    assert params.params_for("330106", date(2026, 6, 30)).quota_ratio == params.params_for(
        "330106", date(2026, 4, 15)).quota_ratio
    assert str(params.params_for("330106", date(2026, 7, 1)).quota_ratio) == "0.016"

    state = client.get(URL, headers=headers).get_json()
    ratio = field(state, "quota_ratio")
    assert ratio["text"] == "1.5%" and [(u["day"], u["text"]) for u in ratio["upcoming"]] == [("2026-07-01", "1.6%")]
    assert ratio["upcoming"][0]["source"]["name"] == "本省修改"
    assert [h["id"] for h in state["history"]] == [change["id"]]
    on = client.get(f"{URL}?date=2026-07-01", headers=headers).get_json()
    assert on["date"] == "2026-07-01" and field(on, "quota_ratio")["text"] == "1.6%"
    assert field(on, "quota_ratio")["source"]["name"] == "本省修改" and on["history"][0]["status"] == "待生效"


@SQLITE
def test_json_clients_send_numbers_and_booleans_where_natural(app, owner):
    client, headers = owner
    for body, text in [
        ({"field": "time_limits", "window_acceptance": 3, "manual_review": 12, "feedback": "7", "send_to_tax": 20,
          "certificate_download_after": 3}, "人工审核12个工作日"),
        ({"field": "withdrawal_needs_supervisor", "value": True}, "是"),
        ({"field": "social_average_wage", "region": "330100", "year": 2025, "value": 145000}, "145000 元/年"),
        ({"field": "declaration_window", "start": "03-01", "end": "11-30", "valid_to": None}, "每年3月1日至11月30日"),
    ]:  # fmt: skip
        response = client.post(URL, headers=headers, json={**body, "valid_from": "2026-05-01"})
        assert response.status_code == 201, (body, response.get_json())
        assert text in response.get_json()["change"]["text"]
    assert params.params_for("330106", date(2026, 5, 1)).withdrawal_needs_supervisor is True
    assert params.params_for("330106", date(2026, 5, 1)).time_limits.manual_review == 12
    same = client.post(URL, headers=headers, json={"field": "time_limits", "window_acceptance": 3, "manual_review": 12,
                                                   "feedback": 7, "send_to_tax": 20, "certificate_download_after": 3,
                                                   "valid_from": "2026-06-01"})
    assert same.status_code == 400 and same.get_json()["fields"] == {"window_acceptance": "与该日起适用的值相同，无需修改"}


@SQLITE
def test_region_and_date_of_the_query(app, owner):
    client, headers = owner
    city = client.get(f"{URL}?region=330100", headers=headers).get_json()
    shown = {g["region"] for g in city["minimum_wages"] + city["social_wages"]}
    assert "330100" in shown and all(code.startswith("3301") or code == "330000" for code in shown), shown
    everything = client.get(f"{URL}?region=&date=", headers=headers).get_json()
    assert len(everything["minimum_wages"]) >= len(city["minimum_wages"]) and everything["region"] == "330000"
    assert_refused(client.get(f"{URL}?region=210300", headers=headers), 403)
    assert_refused(client.get(f"{URL}?region=150000", headers=headers), 403)
    for query, name in [("region=abc", "region"), ("region=999999", "region"), ("region=" + "3" * 10_000, "region"),
                        ("date=2026-02-30", "date"), ("date=99999-01-01", "date"), ("date=%00", "date"),
                        ("date=1999-12-31", "date"), ("date=2026-4-1", "date")]:  # fmt: skip
        body = assert_refused(client.get(f"{URL}?{query}", headers=headers))
        assert set(body["fields"]) == {name}, (query, body)


@SQLITE
@pytest.mark.parametrize("login", ["91210302052118596L", "reviewer_anshan", "supervisor_zhejiang", "window_xihu"])
def test_other_roles_are_refused(app, login):
    client = app.test_client()
    headers = api_login(client, login)
    before = counts(app)
    assert_refused(client.get(URL, headers=headers), 403)
    body = {"field": "quota_ratio", "value": "1.6", "valid_from": "2026-07-01"}
    assert_refused(client.post(URL, headers=headers, json=body), 403)
    assert_refused(client.post(URL, headers=headers, json={}), 403)  # the role first, then the input
    assert counts(app) == before


@SQLITE
def test_anonymous_is_refused(app):
    client = app.test_client()
    assert_refused(client.get(URL), 401)
    assert_refused(client.post(URL, json={"field": "quota_ratio", "value": "1.6", "valid_from": "2026-07-01"}), 401)


@SQLITE
def test_another_province_is_refused(app):
    client = app.test_client()
    headers = api_login(client, "owner_nmg")
    before = counts(app)
    assert_refused(client.get(f"{URL}?region=330000", headers=headers), 403)
    assert_refused(client.get(f"{URL}?region=330106", headers=headers), 403)
    body = assert_refused(client.post(URL, headers=headers, json={
        "field": "minimum_wage", "region": "330100", "value": "2600", "valid_from": "2026-07-01"}))
    assert body["fields"] == {"region": "请选择本省（区、市）现行的行政区划"}
    assert counts(app) == before
    mine = client.get(URL, headers=headers).get_json()
    assert mine["province"] == "150000" and all(g["region"].startswith("15") for g in mine["minimum_wages"])


@SQLITE
def test_the_page_checklist_is_refused_by_the_api_with_the_page_messages(app, owner):
    """Every wrong input of the page's checklist (tests/casework BAD): 400, each field
    named with the same Chinese message the page shows beside it; nothing stored."""
    client, headers = owner
    page = app.test_client()
    page_login(page, OWNER, staff=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get("/params/").get_data(as_text=True)).group(1)
    before = counts(app)
    wrong = []
    for form, expected in BAD:
        response = client.post(URL, headers=headers, json=form)
        body = response.get_json()
        if response.status_code != 400 or body.get("error") != "输入有误":
            wrong.append((form, response.status_code, body))
            continue
        wrong += [(form, name, body["fields"]) for name, fragment in expected.items()
                  if fragment not in body["fields"].get(name, "")]
        shown = page.post("/params/changes", data={"csrf_token": token, **form})
        assert shown.status_code == 422, form
        html = shown.get_data(as_text=True)
        wrong += [(form, "page", name, message) for name, message in body["fields"].items()
                  if name in expected and message not in html]
    assert wrong == []
    assert counts(app) == before


@SQLITE
@pytest.mark.parametrize("body", [
    [], "x", 5, None, {"field": 5}, {"field": ["quota_ratio"]}, {"field": "quota_ratio", "value": {"a": 1}},
    {"field": "quota_ratio", "value": [1.6], "valid_from": "2026-07-01"},
    {"field": "quota_ratio", "value": "1.6", "valid_from": 20260701},
    {"field": "quota_ratio", "value": HUGE, "valid_from": "2026-07-01"},
    {"field": "quota_ratio", "value": -HUGE, "valid_from": "2026-07-01"},
    {"field": "quota_ratio", "value": 2**4000, "valid_from": "2026-07-01"},
    {"field": "quota_ratio", "value": 1e308, "valid_from": "2026-07-01"},
    {"field": "quota_ratio", "value": True, "valid_from": "2026-07-01"},
    {"field": "minimum_wage", "region": "330100", "value": 1e-308, "valid_from": "2026-07-01"},
    {"field": "upload_limit_mb", "value": 1e20, "valid_from": "2026-07-01"},
    {"field": "time_limits", "window_acceptance": HUGE, "manual_review": -1, "feedback": 1.5, "send_to_tax": True,
     "certificate_download_after": None, "valid_from": "2026-07-01"},
    {"field": "social_average_wage", "region": 330100, "year": HUGE, "value": "1", "valid_from": "2026-07-01"},
    {"field": "quota_ratio", "value": "1.6", "valid_from": "2026-07-01", "note": "x" * 100_000},
    {"field": "quota_ratio\x00", "value": "1.6\x00", "valid_from": "2026-07-01\x00"},
    {"field": "declaration_window", "start": "\x00", "end": "１２-３１", "valid_from": "2026-07-01"},
    {"field": "quota_ratio", "value": "1.6", "valid_from": "2026-07-01", "valid_to": "9999-12-31"},
])  # fmt: skip
def test_garbage_bodies_are_a_chinese_400(app, owner, body):
    client, headers = owner
    before = counts(app)
    assert_refused(client.post(URL, headers=headers, json=body))
    assert counts(app) == before


@SQLITE
@pytest.mark.parametrize(("payload", "content_type"), [
    (DEEP, "application/json"), (DEEP_OBJECT, "application/json"), (b"\xff\xfe\x00\x81garbage", "application/json"),
    (b"\x00" * 1000, "application/json"), ('{"field": "quota_ratio", "value": ' + "9" * 5000 + "}", "application/json"),
    ('{"field": "quota_ratio", "value": 1e999999, "valid_from": "2026-07-01"}', "application/json"),
    ('{"field": "quota_ratio", "value": NaN, "valid_from": "2026-07-01"}', "application/json"),
    ("field=quota_ratio&value=1.6&valid_from=2026-07-01", "application/x-www-form-urlencoded"),
    (b"\xff\xfe garbage", "text/plain"), ("", "application/json"),
])  # fmt: skip
def test_garbage_bytes_are_a_chinese_400(app, owner, payload, content_type):
    client, headers = owner
    before = counts(app)
    assert_refused(client.post(URL, headers=headers, data=payload, content_type=content_type))
    assert counts(app) == before


@SQLITE
def test_both_operations_are_in_the_openapi_document(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    operations = doc["paths"][URL]
    assert set(operations) == {"get", "post"}
    schemas = doc["components"]["schemas"]
    get, post = operations["get"], operations["post"]
    assert {p["name"] for p in get["parameters"]} == {"region", "date"}
    assert get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/ProvinceParams")
    assert {"400", "401", "403"} <= set(get["responses"])
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert body == "ProvinceParamChange"
    assert set(schemas[body]["required"]) == {"field", "valid_from"}
    assert schemas[body]["properties"]["field"]["enum"][0] == "quota_ratio"
    assert schemas[body]["properties"]["note"]["maxLength"] == 200
    assert post["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/ParamChangeSaved")
    assert {"400", "401", "403"} <= set(post["responses"])
    assert "参数设置" in post["tags"]
