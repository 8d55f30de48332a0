"""超比例奖励申请 through the JSON API (the employer's side of 002): the year's figures or
the Chinese reason it cannot apply; 提交 (201, then 409 for a second one); 补正 only when
returned (409 otherwise); the signed 奖励审核认定书 once approved; bad input a Chinese 400,
never a 500; only employers (staff 403, anonymous 401); every operation in the OpenAPI
document with the one input declaration."""

from __future__ import annotations

import copy
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework.models import IssuedCertificate
from casework.schemas.answers import CertificateCheck
from tests.api.conftest import api_login
from tests.api.files import pdf_bytes
from tests.rewardkit import PAYEE, approve, certify, decide

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
UNIT = "91210302052118596L"
OTHER = "91210303306812749R"
URL = "/api/v1/reward/application"


def test_figures_apply_correct_and_download(app):
    year = certify(app, UNIT)
    client = app.test_client()
    headers = api_login(client, UNIT)

    state = client.get(URL, headers=headers)
    assert state.status_code == 200, state.get_json()
    body = state.get_json()
    assert body["year"] == year and body["years"] == [year] and body["can_apply"] is True and body["application"] is None
    figures = body["figures"]
    assert (figures["staff_count"], figures["placed_persons"], figures["quota_persons"], figures["over_persons"]) == (30, "2", 1, "1")
    assert figures["coefficient"] == "1.5" and figures["amount"].endswith(".00") and figures["certificate_number"]

    upload = client.post("/api/v1/attachments", headers=headers, content_type="multipart/form-data",
                         data={"file": (BytesIO(pdf_bytes("apply")), "申请表.pdf"), "kind": "reward_material"})
    assert upload.status_code == 201, upload.get_json()
    created = client.post(f"{URL}?year={year}", headers=headers, json={**PAYEE, "attachment_ids": [upload.get_json()["id"]]})
    assert created.status_code == 201, created.get_json()
    application = created.get_json()["application"]
    assert application["status"] == "first_review" and application["status_name"] == "待初审"
    assert application["payee_account"] == "6222000012345678" and application["attachment_ids"] == [upload.get_json()["id"]]
    assert application["figures"]["amount"] == figures["amount"] and application["can_correct"] is False
    assert created.get_json()["can_apply"] is False

    again = client.post(f"{URL}?year={year}", headers=headers, json=PAYEE)
    assert again.status_code == 409 and "只能申请一次" in again.get_json()["error"]
    early = client.post(f"{URL}/correction?year={year}", headers=headers, json=PAYEE)
    assert early.status_code == 409 and "退回补正" in early.get_json()["error"]
    assert client.get(f"{URL}/certificate.pdf?year={year}", headers=headers).status_code == 409

    decide(app, "reviewer_anshan", application["id"], "first_review", "return", "银行账户与开户许可证不符")
    returned = client.get(f"{URL}?year={year}", headers=headers).get_json()["application"]
    assert returned["status_name"] == "退回补正" and returned["can_correct"] is True
    [decision] = returned["decisions"]
    assert (decision["step"], decision["outcome"], decision["reason"]) == ("初审", "return", "银行账户与开户许可证不符")
    assert decision["actor_name"] == "鞍山市残疾人服务中心 审核员" and decision["at"].endswith("+08:00")

    bad = client.post(f"{URL}/correction?year={year}", headers=headers, json={**PAYEE, "payee_account": "12ab"})
    assert bad.status_code == 400 and bad.get_json()["fields"]["payee_account"] == "收款单位银行账户应为8至30位数字"
    fixed = client.post(f"{URL}/correction?year={year}", headers=headers, json={**PAYEE, "payee_account": "6222000087654321"})
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json()["application"]["status"] == "first_review"

    approve(app, application["id"])
    done = client.get(f"{URL}?year={year}", headers=headers).get_json()["application"]
    assert done["status_name"] == "复审通过" and done["certificate"]["number"].startswith(f"JL-{year}-")
    assert done["certificate"]["verify_url"].endswith("/verify/" + done["certificate"]["verify_url"].rsplit("/", 1)[1])
    assert [d["step"] for d in done["decisions"]] == ["初审", "初审", "复审"]
    pdf = client.get(f"{URL}/certificate.pdf?year={year}", headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    assert done["certificate"]["number"] in text and "6222********4321" in text

    other = api_login(client, OTHER)  # another unit: nothing of this one
    assert client.get(f"{URL}?year={year}", headers=other).status_code == 404
    assert client.get(f"{URL}/certificate.pdf?year={year}", headers=other).status_code == 404
    assert client.post(f"{URL}/correction?year={year}", headers=other, json=PAYEE).status_code == 404


def test_refusals_are_chinese_and_create_nothing(app):
    client = app.test_client()
    headers = api_login(client, UNIT)
    empty = client.get(URL, headers=headers).get_json()
    assert empty["year"] is None and empty["can_apply"] is False and "审核认定书" in empty["refusal"]
    refused = client.post(f"{URL}?year=2025", headers=headers, json=PAYEE)
    assert refused.status_code == 400 and "审核认定书" in refused.get_json()["error"]

    year = certify(app, UNIT, staff=None)
    state = client.get(f"{URL}?year={year}", headers=headers).get_json()
    assert state["can_apply"] is False and state["refusal_field"] == "staff_count" and "上年度职工数" in state["refusal"]
    refused = client.post(f"{URL}?year={year}", headers=headers, json=PAYEE)
    assert refused.status_code == 400 and "上年度职工数" in refused.get_json()["error"]
    assert client.get(f"{URL}?year={year}", headers=headers).get_json()["application"] is None


def test_not_above_the_quota(app):
    year = certify(app, UNIT, staff=200, people=2)  # quota ceil(200 × 1.5%) = 3
    client = app.test_client()
    headers = api_login(client, UNIT)
    state = client.get(URL, headers=headers).get_json()
    assert state["can_apply"] is False and "不符合超比例奖励条件" in state["refusal"] and state["figures"]["quota_persons"] == 3
    response = client.post(f"{URL}?year={year}", headers=headers, json=PAYEE)
    assert response.status_code == 400 and "不符合超比例奖励条件" in response.get_json()["error"]


@pytest.mark.parametrize("path, query, body", [
    (URL, "?year=abc", None),
    (URL, "?year=1", None),
    (URL, "?year=99999999999999999999", None),
    (URL, "", {}),
    (URL, "?year=2025", []),
    (URL, "?year=2025", {"payee_name": 1, "payee_account": None, "payee_bank": ["x"]}),
    (URL, "?year=2025", {**PAYEE, "attachment_ids": ["a", -1]}),
    (URL, "?year=2025", {**PAYEE, "payee_name": "\x00\x00"}),
    (URL + "/correction", "", PAYEE),
    (URL + "/correction", "?year=x", PAYEE),
    (URL + "/certificate.pdf", "?year=", None),
])  # fmt: skip
def test_garbage_is_a_chinese_4xx(app, path, query, body):
    certify(app, UNIT)
    client = app.test_client()
    headers = api_login(client, UNIT)
    if body is None:
        response = client.get(path + query, headers=headers)
    else:
        response = client.post(path + query, headers=headers, json=body)
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error), error


def test_only_employers(app):
    client = app.test_client()
    assert client.get(URL).status_code == 401
    staff = api_login(client, "reviewer_anshan")
    for method, path in (("get", URL), ("post", URL + "?year=2025"), ("post", URL + "/correction?year=2025"),
                         ("get", URL + "/certificate.pdf?year=2025")):
        response = getattr(client, method)(path, headers=staff, **({"json": PAYEE} if method == "post" else {}))
        assert response.status_code == 403 and response.get_json()["error"] == "无权执行此操作"


def test_in_the_openapi_document(app):
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    assert set(paths[URL]) >= {"get", "post"} and "post" in paths[URL + "/correction"] and "get" in paths[URL + "/certificate.pdf"]
    body = paths[URL]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/RewardApplicationInput")
    assert set(paths[URL]["post"]["responses"]) >= {"201", "400", "409"}
    answer = paths[URL]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert answer.endswith("/RewardApplicationState")


def _closed(document: dict, name: str) -> dict:
    """The document's schema `name`, its own and its components' objects closed to
    undeclared keys: an answer valid against it has nothing the document does not say."""
    components = copy.deepcopy(document["components"])
    for schema in components["schemas"].values():
        if schema.get("type") == "object" and "properties" in schema:
            schema["additionalProperties"] = False
    return {**components["schemas"][name], "components": components}


def test_the_verify_answer_is_what_the_document_declares(app):
    from jsonschema import Draft202012Validator

    year = certify(app, UNIT)
    client = app.test_client()
    headers = api_login(client, UNIT)
    upload = client.post("/api/v1/attachments", headers=headers, content_type="multipart/form-data",
                         data={"file": (BytesIO(pdf_bytes("apply")), "申请表.pdf"), "kind": "reward_material"})
    created = client.post(f"{URL}?year={year}", headers=headers, json={**PAYEE, "attachment_ids": [upload.get_json()["id"]]})
    assert created.status_code == 201, created.get_json()
    approve(app, created.get_json()["application"]["id"])
    done = client.get(f"{URL}?year={year}", headers=headers).get_json()["application"]
    with app.extensions["quotacert"].transaction() as s:
        tokens = {c.kind: c.token for c in s.scalars(select(IssuedCertificate))}
    assert tokens["reward"] == done["certificate"]["verify_url"].rsplit("/", 1)[1]

    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/verify/{token}"]["get"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/CertificateCheck")
    declared = document["components"]["schemas"]["CertificateCheck"]["properties"]
    assert {"reward", "title"} <= set(declared)
    assert [option.get("$ref", "").rsplit("/", 1)[-1] for option in declared["reward"]["anyOf"]] == ["RewardCheck", ""]
    validator = Draft202012Validator(_closed(document, "CertificateCheck"))

    anonymous = app.test_client()
    reward = anonymous.get(f"/api/v1/verify/{tokens['reward']}").get_json()
    assert reward["kind"] == "reward" and reward["title"] == "超比例奖励审核认定书"
    assert reward["reward"]["amount"] == done["figures"]["amount"] and reward["reward"]["channel"] == "单位网上申请"
    assert "6222" not in str(reward)  # never the payee's account
    annual = anonymous.get(f"/api/v1/verify/{tokens['annual']}").get_json()
    assert annual["kind"] == "annual" and annual["reward"] is None
    for body in (reward, annual):
        assert sorted(e.message for e in validator.iter_errors(body)) == []
        checked = CertificateCheck.model_validate(body)
        assert checked.model_extra == {} and (checked.reward is None or checked.reward.model_extra == {})
