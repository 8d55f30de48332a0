"""缓减免申请 through the JSON API (the employer's side; 财税〔2015〕72号 第二十一条): the year's
state (can apply, or the Chinese reason not); 提交 (201, then 409 for a second one); 补正 only
when returned (409 otherwise); the decisions and what was granted; bad input a Chinese 4xx,
never a 500; only employers (staff 403, anonymous 401), another unit 404; every operation in
the OpenAPI document with the one input declaration."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.api.conftest import api_login
from tests.api.files import pdf_bytes
from tests.reliefkit import REASON, approve, decide, open_year

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
UNIT = "91210302052118596L"
OTHER = "91210303306812749R"
URL = "/api/v1/levy/relief"


def _upload(client, headers, name="受灾证明.pdf") -> int:
    response = client.post("/api/v1/attachments", headers=headers, content_type="multipart/form-data",
                           data={"file": (BytesIO(pdf_bytes("loss")), name), "kind": "relief_material"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_apply_is_returned_corrected_and_granted(app):
    year = open_year(app, UNIT)
    client = app.test_client()
    headers = api_login(client, UNIT)

    state = client.get(URL, headers=headers)
    assert state.status_code == 200, state.get_json()
    body = state.get_json()
    assert body == {"year": year, "years": [year], "can_apply": True, "refusal": None, "application": None}

    proof = _upload(client, headers)
    created = client.post(f"{URL}?year={year}", headers=headers, json={
        "kind": "reduce", "reason": REASON, "levy_due": 30000, "amount": 20000, "attachment_ids": [proof]})
    assert created.status_code == 201, created.get_json()
    application = created.get_json()["application"]
    assert (application["kind"], application["kind_name"], application["status"], application["status_name"]) == (
        "reduce", "减缴", "first_review", "待初审")
    assert application["amount"] == "20000.00" and application["levy_due"] == "30000.00" and application["defer_months"] is None
    assert application["asked"] == "减缴20,000.00元" and application["attachment_ids"] == [proof]
    assert application["can_correct"] is False and application["granted"] == "" and application["decisions"] == []
    assert "等待残联业务人员初审" in application["status_help"] and application["filed_at"].endswith("+08:00")
    assert created.get_json()["can_apply"] is False

    again = client.post(f"{URL}?year={year}", headers=headers, json={
        "kind": "exempt", "reason": REASON, "levy_due": 100, "attachment_ids": [proof]})
    assert again.status_code == 409 and "只能申请一次" in again.get_json()["error"]
    early = client.post(f"{URL}/correction?year={year}", headers=headers, json={
        "kind": "reduce", "reason": REASON, "levy_due": 30000, "amount": 20000, "attachment_ids": [proof]})
    assert early.status_code == 409 and "退回补正" in early.get_json()["error"]

    decide(app, "reviewer_anshan", application["id"], "first_review", "return", "请补充受灾损失评估报告")
    returned = client.get(f"{URL}?year={year}", headers=headers).get_json()["application"]
    assert returned["status_name"] == "退回补正" and returned["can_correct"] is True
    [decision] = returned["decisions"]
    assert (decision["step"], decision["outcome"], decision["outcome_label"], decision["reason"]) == (
        "初审", "return", "退回补正", "请补充受灾损失评估报告")
    assert decision["actor_name"] == "鞍山市残疾人服务中心 审核员" and decision["at"].endswith("+08:00")

    bad = client.post(f"{URL}/correction?year={year}", headers=headers, json={
        "kind": "reduce", "reason": REASON, "levy_due": 30000, "amount": 30000.01, "attachment_ids": [proof]})
    assert bad.status_code == 400 and bad.get_json()["fields"] == {"amount": "减缴金额不能超过一年的应缴残保金金额"}
    report = _upload(client, headers, "损失评估报告.pdf")
    fixed = client.post(f"{URL}/correction?year={year}", headers=headers, json={
        "kind": "defer", "reason": REASON, "levy_due": 30000, "defer_months": 6, "attachment_ids": [proof, report]})
    assert fixed.status_code == 200, fixed.get_json()
    fixed = fixed.get_json()["application"]
    assert fixed["status"] == "first_review" and fixed["kind"] == "defer" and fixed["defer_months"] == 6
    assert fixed["amount"] is None and fixed["attachment_ids"] == [proof, report]

    approve(app, application["id"])
    done = client.get(f"{URL}?year={year}", headers=headers).get_json()["application"]
    assert done["status_name"] == "已批准" and done["granted"].startswith("缓缴6个月至") and done["defer_until"]
    assert [(d["step"], d["outcome_label"]) for d in done["decisions"]] == [("初审", "退回补正"), ("初审", "初审通过"), ("复审", "批准")]

    other = api_login(client, OTHER)  # another unit: nothing of this one
    assert client.get(f"{URL}?year={year}", headers=other).status_code == 404
    assert client.post(f"{URL}/correction?year={year}", headers=other, json={
        "kind": "exempt", "reason": REASON, "levy_due": 100, "attachment_ids": [proof]}).status_code == 404


def test_refusals_are_chinese_and_create_nothing(app):
    client = app.test_client()
    headers = api_login(client, UNIT)
    empty = client.get(URL, headers=headers).get_json()
    assert empty["year"] is None and empty["can_apply"] is False and "年审申报" in empty["refusal"]
    refused = client.post(f"{URL}?year=2025", headers=headers, json={"kind": "exempt", "reason": REASON, "levy_due": 100})
    assert refused.status_code == 400 and "尚未开始2025年度的年审认证" in refused.get_json()["error"]

    year = open_year(app, UNIT)
    other_files = _upload(client, api_login(client, OTHER))
    missing = client.post(f"{URL}?year={year}", headers=headers, json={"kind": "defer", "reason": REASON, "levy_due": 100})
    assert missing.status_code == 400
    assert missing.get_json()["fields"] == {"defer_months": "请填写缓缴期限（1至6个月）",
                                            "attachment_ids": "请上传遭受重大直接经济损失的证明材料"}
    foreign = client.post(f"{URL}?year={year}", headers=headers, json={
        "kind": "exempt", "reason": REASON, "levy_due": 100, "attachment_ids": [other_files]})
    assert foreign.status_code == 400 and foreign.get_json()["fields"]["attachment_ids"] == "附件不存在或不属于该单位"
    months = client.post(f"{URL}?year={year}", headers=headers, json={
        "kind": "defer", "reason": REASON, "levy_due": 100, "defer_months": 7})
    assert months.status_code == 400 and months.get_json()["fields"]["defer_months"] == "缓缴期限（月）不能大于6"
    assert client.get(URL, headers=headers).get_json()["application"] is None


@pytest.mark.parametrize("path, query, body", [
    (URL, "?year=abc", None),
    (URL, "?year=1", None),
    (URL, "?year=99999999999999999999", None),
    (URL, "?year=2031", None),
    (URL, "", {}),
    (URL, "?year=2025", []),
    (URL, "?year=2025", "x"),
    (URL, "?year=2025", {"kind": 1, "reason": None, "levy_due": ["x"]}),
    (URL, "?year=2025", {"kind": "gift", "reason": REASON, "levy_due": 100}),
    (URL, "?year=2025", {"kind": "reduce", "reason": REASON, "levy_due": "1e999", "amount": -5}),
    (URL, "?year=2025", {"kind": "defer", "reason": REASON, "levy_due": 100, "defer_months": 1.5}),
    (URL, "?year=2025", {"kind": "exempt", "reason": REASON, "levy_due": 100, "attachment_ids": ["a", -1]}),
    (URL, "?year=2025", {"kind": "exempt", "reason": "\x00" * 12, "levy_due": 100}),
    (URL, "?year=2025", {"kind": "exempt", "reason": REASON, "levy_due": 100, "attachment_ids": [99999999999999999999]}),
    (URL + "/correction", "", {"kind": "exempt", "reason": REASON, "levy_due": 100}),
    (URL + "/correction", "?year=x", {"kind": "exempt", "reason": REASON, "levy_due": 100}),
])  # fmt: skip
def test_garbage_is_a_chinese_4xx(app, path, query, body):
    open_year(app, UNIT)
    client = app.test_client()
    headers = api_login(client, UNIT)
    if body is None:
        response = client.get(path + query, headers=headers)
    else:
        response = client.post(path + query, headers=headers, json=body)
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error), error
    assert client.get(URL, headers=headers).get_json()["application"] is None


def test_only_employers(app):
    client = app.test_client()
    assert client.get(URL).status_code == 401
    assert client.post(URL + "?year=2025", json={}).status_code == 401
    staff = api_login(client, "reviewer_anshan")
    for method, path in (("get", URL), ("post", URL + "?year=2025"), ("post", URL + "/correction?year=2025")):
        response = getattr(client, method)(path, headers=staff, **({"json": {}} if method == "post" else {}))
        assert response.status_code == 403 and response.get_json()["error"] == "无权执行此操作"


def test_in_the_openapi_document(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths[URL]) >= {"get", "post"} and "post" in paths[URL + "/correction"]
    body = paths[URL]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/LevyReliefInput")
    assert set(paths[URL]["post"]["responses"]) >= {"201", "400", "409"}
    assert "200" in paths[URL + "/correction"]["post"]["responses"]
    answer = paths[URL]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert answer.endswith("/LevyReliefState")
    assert paths[URL]["post"]["tags"] == ["缓减免申请"]
    kinds = document["components"]["schemas"]["LevyReliefInput"]["properties"]["kind"]
    assert "defer" in str(kinds) and "exempt" in str(kinds)
