"""安置残疾大学生申请 through the JSON API (the employer's side): the year's persons and
applications; 提交 (201, then 409 for the same person); 补正 only when returned (409
otherwise); bad input a Chinese 4xx, never a 500; only employers; every operation in the
OpenAPI document with the one input declaration."""

from __future__ import annotations

from io import BytesIO

import pytest

from tests.api.conftest import api_login
from tests.api.files import pdf_bytes
from tests.reliefkit import open_year
from tests.web.test_graduate_pages import decide, person, today

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
UNIT = "91210302052118596L"
URL = "/api/v1/graduates"


def _upload(client, headers) -> int:
    response = client.post("/api/v1/attachments", headers=headers, content_type="multipart/form-data",
                           data={"file": (BytesIO(pdf_bytes("diploma")), "毕业证书.pdf"), "kind": "graduate_material"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _fields(app, placement_id: int, **changes) -> dict:
    graduated = today(app).replace(year=today(app).year - 1).isoformat()
    return {"placement_id": placement_id, "school": "辽宁大学", "major": "计算机科学与技术", "education": "本科",
            "degree": "学士", "graduated_on": graduated, "diploma_no": "101401202405001234", **changes}


def test_apply_return_and_correct(app):
    year = open_year(app, UNIT)
    pid = person(app, year)
    client = app.test_client()
    headers = api_login(client, UNIT)
    state = client.get(URL, headers=headers).get_json()
    assert state["year"] == year and pid in [p["placement_id"] for p in state["persons"]]

    missing = client.post(f"{URL}?year={year}", headers=headers, json=_fields(app, pid))
    assert missing.status_code == 400 and "attachment_ids" in missing.get_json()["fields"]
    proof = _upload(client, headers)
    created = client.post(f"{URL}?year={year}", headers=headers, json=_fields(app, pid, attachment_ids=[proof]))
    assert created.status_code == 201, created.get_json()
    application = created.get_json()["applications"][0]
    assert application["status_name"] == "待初审" and application["months"] == 10
    assert pid not in [p["placement_id"] for p in created.get_json()["persons"]]
    again = client.post(f"{URL}?year={year}", headers=headers, json=_fields(app, pid, attachment_ids=[proof]))
    assert again.status_code == 409 and "只能申请一次" in again.get_json()["error"]

    url = f"{URL}/{application['id']}/correction"
    assert client.post(url, headers=headers, json=_fields(app, pid, attachment_ids=[proof])).status_code == 409
    decide(app, "reviewer_anshan", application["id"], "return", "请补充学位证书")
    state = client.get(URL, headers=headers).get_json()["applications"][0]
    assert state["can_correct"] and state["decisions"][0]["outcome_label"] == "退回补正"
    fixed = client.post(url, headers=headers, json=_fields(app, pid, months=12, attachment_ids=[proof]))
    assert fixed.status_code == 200, fixed.get_json()
    assert fixed.get_json()["applications"][0]["status"] == "first_review"
    assert fixed.get_json()["applications"][0]["months"] == 12


@pytest.mark.parametrize("body", [
    [], "x", {"placement_id": "abc"}, {"placement_id": 2**40}, {"placement_id": True, "school": 1},
])
def test_garbage_is_a_chinese_400(app, body):
    year = open_year(app, UNIT)
    client = app.test_client()
    headers = api_login(client, UNIT)
    response = client.post(f"{URL}?year={year}", headers=headers, json=body)
    assert response.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.get_json()["error"])


def test_only_employers_and_documented(app):
    client = app.test_client()
    assert client.get(URL).status_code == 401
    staff = api_login(client, "reviewer_anshan")
    assert client.get(URL, headers=staff).status_code == 403
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert {"get", "post"} <= set(paths[URL]) and "post" in paths[URL + "/{graduate_id}/correction"]
