"""Bad input gets a clear Chinese message per field and changes nothing (no half-written
person, contract or certificate); other units' records answer 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.models import Contract, Placement
from tests.api.conftest import api_login
from tests.api.files import pdf_bytes
from tests.api.test_journey import UNIT, person_json, upload

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def employer(app):
    client = app.test_client()
    return client, api_login(client, UNIT)


def count(app, model) -> int:
    with app.extensions["quotacert"].transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"id_number": "210302198001011235"}, "id_number", "校验位错误"),
        ({"id_number": "21030219800230123X"}, "id_number", "出生日期不存在"),
        ({"id_number": "2103021980"}, "id_number", "应为18位"),
        ({"household_region": "999999"}, "household_region", "行政区划"),
        ({"phone": "12345"}, "phone", "格式不正确"),
        ({"name": ""}, "name", "请输入姓名"),
        ({"household_type": "火星户籍"}, "household_type", "请选择户籍地类型"),
    ],
)
def test_person_refused_per_field(app, employer, population, change, field, message):
    client, headers = employer
    data = {**person_json(population.select(unit=UNIT, scenario="clean")[0]), **change}
    response = client.post("/api/v1/placements", headers=headers, json=data)
    assert response.status_code == 400
    body = response.get_json()
    assert message in body["fields"][field]
    assert count(app, Placement) == 0


@pytest.fixture
def person(app, employer, population):
    client, headers = employer
    p = population.select(unit=UNIT, scenario="clean")[0]
    response = client.post("/api/v1/placements", headers=headers, json=person_json(p))
    assert response.status_code == 201
    att = upload(client, headers, pdf_bytes(), "合同.pdf", "contract")
    c = p.contracts[-1]
    good = {
        "dispatched": False, "relation": "本单位", "contract_type": "固定期限",
        "start": "2025-01-01", "end": "2025-12-31", "position": "装配工", "monthly_wage": 4000,
        "pension_unit": c.pension_unit, "medical_unit": c.medical_unit, "wage_unit": c.wage_unit,
        "attachment_ids": [att],
    }
    return response.get_json()["id"], good


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start": "2025-02-30"}, "start", "不存在"),
        ({"end": "2025/12/31"}, "end", "格式应为YYYY-MM-DD"),
        ({"start": "2025-06-01", "end": "2025-03-01"}, "end", "不能早于开始日期"),
        ({"monthly_wage": "三千元"}, "monthly_wage", "须为数字"),
        ({"monthly_wage": -5}, "monthly_wage", "须大于0"),
        ({"monthly_wage": True}, "monthly_wage", "请输入"),
        ({"pension_unit": "91210302052118596X"}, "pension_unit", "校验位错误"),
        ({"wage_unit": "913301064149113062"}, "wage_unit", "须为本单位或已登记的关联单位"),
        ({"dispatched": True}, "agency_unit", "请输入统一社会信用代码"),
        ({"attachment_ids": [999999]}, "attachment_ids", "附件不存在"),
        ({"contract_type": ""}, "contract_type", "请选择合同类型"),
    ],
)
def test_contract_refused_per_field(app, employer, person, change, field, message):
    client, headers = employer
    pid, good = person
    response = client.post(f"/api/v1/placements/{pid}/contracts", headers=headers, json={**good, **change})
    assert response.status_code == 400, response.get_json()
    assert message in response.get_json()["fields"][field]
    assert count(app, Contract) == 0


def test_related_unit_rule(app, employer, person):
    """001: not dispatched, hired through a related unit ⇒ one of the three units is ours."""
    client, headers = employer
    pid, good = person
    related = "91210302022607006N"  # 鞍山示范机械销售有限公司 (上下级)
    data = {**good, "relation": "上下级", "pension_unit": related, "medical_unit": related, "wage_unit": related}
    response = client.post(f"/api/v1/placements/{pid}/contracts", headers=headers, json=data)
    body = response.get_json()
    assert response.status_code == 400, body
    assert "至少有一个须为本单位" in body["fields"].get("relation", ""), body
    data["wage_unit"] = UNIT
    assert client.post(f"/api/v1/placements/{pid}/contracts", headers=headers, json=data).status_code == 201


def test_submit_without_contract_is_refused(app, employer, person):
    client, headers = employer
    pid, _ = person
    response = client.post(f"/api/v1/placements/{pid}/submit", headers=headers)
    assert response.status_code == 400
    assert "劳动合同" in response.get_json()["fields"]["contracts"]


def test_certificate_number_must_belong_to_the_person(app, employer, person):
    client, headers = employer
    pid, _ = person
    att = upload(client, headers, pdf_bytes(), "证件.pdf", "certificate")
    response = client.post(
        f"/api/v1/placements/{pid}/certificates", headers=headers,
        json={"kind": "残疾人证", "number": "11010519491231002X" + "34", "valid_from": "2015-01-01", "valid_to": "2025-01-01", "attachment_ids": [att]},
    )
    assert response.status_code == 400
    assert "不一致" in response.get_json()["error"]


def test_other_units_ids_answer_404(app, employer, person):
    client, _ = employer
    pid, good = person
    stranger = api_login(client, "91210303306812749R")
    assert client.get(f"/api/v1/placements/{pid}", headers=stranger).status_code == 404
    assert client.post(f"/api/v1/placements/{pid}/contracts", headers=stranger, json=good).status_code == 404
    assert client.delete(f"/api/v1/placements/{pid}", headers=stranger).status_code == 404
    reviewer = api_login(client, "reviewer_anshan")
    assert client.get(f"/api/v1/placements/{pid}", headers=reviewer).status_code == 403
    assert client.get(f"/api/v1/placements/{pid}").status_code == 401


def test_malformed_json_is_a_clear_400(app, employer):
    client, headers = employer
    response = client.post("/api/v1/placements", headers=headers, data="{not json", content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"] == "请求体须为JSON对象"



def test_public_levy_needs_no_csrf_even_with_a_session(app):
    """A logged-in browser may call the public estimate without the CSRF header, while a
    cookie-authenticated write elsewhere still needs it."""
    import re

    from tests.api.conftest import CAPTCHA

    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(r'value="([^"]+)"[^>]*name="csrf_token"', page)
    client.get("/captcha.png")
    response = client.post("/login", data={"csrf_token": token.group(1), "login": UNIT, "password": "Demo@2025", "captcha": CAPTCHA})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    estimate = client.post(
        "/api/v1/levy/estimate",
        json={"year": 2025, "staff_count": 120, "avg_annual_wage": 90000, "social_avg_annual_wage": 60000,
              "severe_person_months": 12, "other_person_months": 6},
    )
    assert estimate.status_code == 200, estimate.get_json()
    write = client.post("/api/v1/placements", json={"id_number": "x"})
    assert write.status_code == 400 and "页面已过期" in write.get_json()["error"]


def test_openapi_document_is_valid_and_complete(app):
    from openapi_spec_validator import validate

    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    validate(doc)
    for path in ("/api/v1/levy/estimate", "/api/v1/placements", "/api/v1/placements/{placement_id}/months",
                 "/api/v1/tasks/{task_id}/decision", "/api/v1/case/declaration", "/api/v1/auth/login"):
        assert path in doc["paths"], path


def test_a_lost_race_is_a_clear_409_not_a_server_error(app, employer, monkeypatch, population):
    from sqlalchemy.orm.exc import StaleDataError

    from casework import placements

    def raced(*args, **kwargs):
        raise StaleDataError("instance revision moved")

    monkeypatch.setattr(placements, "add_placement", raced)
    client, headers = employer
    response = client.post("/api/v1/placements", headers=headers, json=person_json(population.select(unit=UNIT, scenario="clean")[0]))
    assert response.status_code == 409 and "刷新" in response.get_json()["error"]


def test_search_wildcards_are_plain_characters(app, employer, person):
    client, headers = employer
    assert client.get("/api/v1/placements", headers=headers).get_json()["total"] == 1
    for q in ("%", "_", "%%"):
        assert client.get("/api/v1/placements", headers=headers, query_string={"q": q}).get_json()["total"] == 0

