"""单位注销安置登记 through the JSON API (the employer's side): the year's persons and
requests; 提交 (201, then 409 for the same person while it is open); 补正 only when returned
(409 otherwise); 初审 → 复审 → the months stop counting; the whole unit; bad input a
Chinese 400 per field, never a 500; another unit's request a 404; only employers; every
operation in the OpenAPI document with the one input declaration; the 注销业务申请书 PDF."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from pypdf import PdfReader

from tests.api.conftest import api_login
from tests.api.files import pdf_bytes
from tests.reliefkit import open_year
from tests.web.test_placement_end_pages import decide, placed

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
UNIT = "91210302052118596L"
NEIGHBOUR = "91210303306812749R"
URL = "/api/v1/placement-ends"


def _upload(client, headers) -> int:
    response = client.post("/api/v1/attachments", headers=headers, content_type="multipart/form-data",
                           data={"file": (BytesIO(pdf_bytes("end")), "注销业务申请书.pdf"), "kind": "placement_end_material"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _fields(year: int, placement_id: int | None, **changes) -> dict:
    return {"scope": "person", "placement_id": placement_id, "reason": "退休", "ended_on": date(year, 6, 30).isoformat(),
            "from_month": 7, "note": "达到法定退休年龄", **changes}


def test_apply_return_correct_and_approve(app):
    year = open_year(app, UNIT)
    pid = placed(app, UNIT, year)
    client = app.test_client()
    headers = api_login(client, UNIT)
    state = client.get(URL, headers=headers).get_json()
    assert state["year"] == year and state["can_end_unit"] and state["requests"] == []
    assert state["persons"] == [{"placement_id": pid, "name": "张注销", "id_number": "210302*****1011234", "registered_months": 12}]

    missing = client.post(f"{URL}?year={year}", headers=headers, json=_fields(year, pid))
    assert missing.status_code == 400 and "请上传" in missing.get_json()["fields"]["attachment_ids"]
    proof = _upload(client, headers)
    created = client.post(f"{URL}?year={year}", headers=headers, json=_fields(year, pid, attachment_ids=[proof]))
    assert created.status_code == 201, created.get_json()
    request = created.get_json()["requests"][0]
    assert (request["status_name"], request["scope_name"], request["from_month"]) == ("待初审", "安置人员注销", 7)
    assert request["id_number"] == "210302*****1011234" and not request["can_correct"]
    assert created.get_json()["persons"] == []
    again = client.post(f"{URL}?year={year}", headers=headers, json=_fields(year, pid, attachment_ids=[proof]))
    assert again.status_code == 409 and "待审核的注销申请" in again.get_json()["error"]

    url = f"{URL}/{request['id']}/correction"
    assert client.post(url, headers=headers, json=_fields(year, pid, attachment_ids=[proof])).status_code == 409
    decide(app, "reviewer_anshan", request["id"], "return", "请补充退休证")
    state = client.get(URL, headers=headers).get_json()["requests"][0]
    assert state["can_correct"] and state["decisions"][0]["outcome_label"] == "退回补正"
    moved = client.post(url, headers=headers, json=_fields(year, pid + 1, attachment_ids=[proof]))
    assert moved.status_code == 400 and "不能更换" in moved.get_json()["fields"]["placement_id"]
    fixed = client.post(url, headers=headers, json=_fields(year, pid, ended_on=date(year, 7, 15).isoformat(),
                                                            from_month=8, attachment_ids=[proof]))
    assert fixed.status_code == 200, fixed.get_json()
    assert (fixed.get_json()["requests"][0]["status"], fixed.get_json()["requests"][0]["from_month"]) == ("first_review", 8)

    decide(app, "reviewer_anshan", request["id"], "approve")
    decide(app, "supervisor_anshan", request["id"], "approve")
    done = client.get(f"{URL}?year={year}", headers=headers).get_json()
    assert (done["requests"][0]["status_name"], done["requests"][0]["months_removed"]) == ("已注销", 5)
    assert done["requests"][0]["tax_corrected"] is False
    assert done["persons"] == [] and not done["can_end_unit"]  # the only person is ended


def test_the_whole_unit(app):
    year = open_year(app, UNIT)
    first = placed(app, UNIT, year)
    second = placed(app, UNIT, year, "李注销", "21030219850505123X")
    client = app.test_client()
    headers = api_login(client, UNIT)
    body = _fields(year, None, scope="unit", reason="单位注销", ended_on=date(year, 1, 20).isoformat(), from_month=2,
                   attachment_ids=[_upload(client, headers)])
    wrong = client.post(f"{URL}?year={year}", headers=headers, json={**body, "reason": "离职"})
    assert wrong.status_code == 400 and wrong.get_json()["fields"]["reason"] == "注销原因请选择：单位注销、单位合并或分立、其他"
    created = client.post(f"{URL}?year={year}", headers=headers, json=body)
    assert created.status_code == 201 and not created.get_json()["can_end_unit"]
    assert {p["placement_id"] for p in created.get_json()["persons"]} == {first, second}  # each may still be ended alone
    end_id = created.get_json()["requests"][0]["id"]
    decide(app, "reviewer_anshan", end_id, "approve")
    decide(app, "supervisor_anshan", end_id, "approve")
    done = client.get(URL, headers=headers).get_json()
    assert done["requests"][0]["months_removed"] == 22 and done["persons"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"scope": "person", "placement_id": "abc"}, "placement_id"),
    ({"scope": "person", "placement_id": 2**40}, "placement_id"),
    ({"scope": "person", "placement_id": True}, "placement_id"),
    ({"scope": "everyone"}, "scope"),
    ({"from_month": 13}, "from_month"),
    ({"from_month": "七"}, "from_month"),
    ({"ended_on": "2025-02-30"}, "ended_on"),
    ({"reason": 7}, "reason"),
    ({"attachment_ids": ["x"]}, "attachment_ids"),
    ({"note": "说" * 501}, "note"),
])
def test_each_bad_field_is_a_chinese_400(app, body, field):
    year = open_year(app, UNIT)
    client = app.test_client()
    headers = api_login(client, UNIT)
    base = _fields(year, 1, attachment_ids=[1])
    response = client.post(f"{URL}?year={year}", headers=headers, json={**base, **body})
    assert response.status_code == 400, response.get_json()
    message = response.get_json()["fields"][field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


@pytest.mark.parametrize("raw", [b"\xff\xfe\x00garbage", b"[]", b'"x"', b"{", b"null"])
def test_garbage_bodies_are_a_chinese_400(app, raw):
    year = open_year(app, UNIT)
    client = app.test_client()
    headers = api_login(client, UNIT)
    for url in (f"{URL}?year={year}", f"{URL}/1/correction"):
        response = client.post(url, headers=headers, data=raw, content_type="application/json")
        assert response.status_code == 400, (url, response.get_json())
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.get_json()["error"])


def test_another_unit_roles_years_and_the_document(app):
    year = open_year(app, UNIT)
    pid = placed(app, UNIT, year)
    client = app.test_client()
    headers = api_login(client, UNIT)
    created = client.post(f"{URL}?year={year}", headers=headers,
                          json=_fields(year, pid, attachment_ids=[_upload(client, headers)]))
    end_id = created.get_json()["requests"][0]["id"]
    decide(app, "reviewer_anshan", end_id, "return", "请补充退休证")

    open_year(app, NEIGHBOUR)
    other = api_login(client, NEIGHBOUR)
    proof = _upload(client, other)
    assert client.get(URL, headers=other).get_json()["requests"] == []
    for url in (f"{URL}/{end_id}/correction", f"{URL}/2147483647/correction", f"{URL}/99999999999/correction"):
        answer = client.post(url, headers=other, json=_fields(year, pid, attachment_ids=[proof]))
        assert answer.status_code == 404 and answer.get_json()["error"], url
    stolen = client.post(f"{URL}?year={year}", headers=other, json=_fields(year, pid, attachment_ids=[proof]))
    assert stolen.status_code == 400 and stolen.get_json()["fields"]["placement_id"] == f"请选择本单位{year}年度的安置人员"
    borrowed = client.post(f"{URL}/{end_id}/correction", headers=headers, json=_fields(year, pid, attachment_ids=[proof]))
    assert borrowed.status_code == 400 and borrowed.get_json()["fields"]["attachment_ids"] == "附件不存在或不属于该单位"

    assert client.get(f"{URL}?year=2019", headers=headers).status_code == 404
    assert client.post(f"{URL}?year=2019", headers=headers, json=_fields(2019, pid, attachment_ids=[1])).status_code == 404
    for query in ("year=abc", "year=1999", "year=99999999999"):
        bad = client.get(f"{URL}?{query}", headers=headers)
        assert bad.status_code == 400 and "业务年度" in bad.get_json()["fields"]["year"], query
    assert client.post(URL, headers=headers, json=_fields(year, pid)).status_code == 400  # the year is required

    assert client.get(URL).status_code == 401
    for login in ("reviewer_anshan", "supervisor_anshan", "window_xihu"):
        staff = api_login(client, login)
        assert client.get(URL, headers=staff).status_code == 403
        assert client.post(f"{URL}?year={year}", headers=staff, json=_fields(year, pid)).status_code == 403
        assert client.post(f"{URL}/{end_id}/correction", headers=staff, json=_fields(year, pid)).status_code == 403

    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths[URL]) and "post" in paths[URL + "/{end_id}/correction"]
    post = paths[URL]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/PlacementEndInput")
    assert "201" in post["responses"] and "409" in post["responses"]

    pdf = client.get("/api/v1/case/deregistration.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    assert "注销业务申请书" in text and "鞍山市铁东区示范机械有限公司" in text and "张注销" in text
