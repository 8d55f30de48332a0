"""Issue 11 "No 500, whatever arrives": each input that answered 5xx answers a 4xx with a
Chinese message and changes nothing — on the API and on the pages, on SQLite and on
PostgreSQL (whose INTEGER overflows where SQLite's does not)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from casework.demo import load_demo
from casework.models import AuditEntry, Contract, Placement, RelatedUnit, Unit
from casework.settings import Settings
from tests.api.conftest import CAPTCHA, api_login
from webapp import create_app

UNIT = "91210302052118596L"
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000
HUGE = 1180591620717411303424  # 2**70
JSON_WRITES = [
    ("put", "/api/v1/unit"),
    ("post", "/api/v1/unit/related-units"),
    ("put", "/api/v1/unit/related-units/1"),
    ("post", "/api/v1/placements"),
    ("put", "/api/v1/placements/1"),
    ("post", "/api/v1/placements/import"),
    ("post", "/api/v1/placements/1/contracts"),
    ("put", "/api/v1/placements/1/contracts/1"),
    ("post", "/api/v1/placements/1/certificates"),
    ("post", "/api/v1/placements/1/materials"),
    ("post", "/api/v1/placements/1/months"),
    ("post", "/api/v1/case/declaration"),
]


@pytest.fixture
def app(tmp_path, database_url, simulator_url):
    """The app over SQLite or PostgreSQL with jobs run in-process (no Redis needed)."""
    settings = Settings(
        var_dir=tmp_path, database_url=database_url, simulator_url=simulator_url,
        job_runner="manual", adapter_timeout=5.0,
    )  # fmt: skip
    app = create_app(
        settings,
        test_config={"TESTING": True, "CREATE_SCHEMA": True, "CAPTCHA_TEXT": lambda: CAPTCHA, "RATELIMIT_ENABLED": False},
    )
    with app.extensions["quotacert"].transaction() as session:
        load_demo(session)
    yield app
    app.extensions["quotacert"].close()


@pytest.fixture
def employer(app):
    client = app.test_client()
    return client, api_login(client, UNIT)


@pytest.fixture
def reviewer(app):
    client = app.test_client()
    return client, api_login(client, "reviewer_anshan")


def snapshot(app) -> dict[str, int]:
    with app.extensions["quotacert"].transaction() as s:
        counts = {
            m.__name__: s.scalar(select(func.count()).select_from(m))
            for m in (Placement, Contract, RelatedUnit, AuditEntry)
        }
        counts["unit"] = hash(tuple(sorted((k, str(v)) for k, v in vars(s.scalar(select(Unit).where(Unit.credit_code == UNIT))).items() if not k.startswith("_"))))
    return counts


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def assert_refused(response, status: int = 400) -> dict:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert chinese(body["error"]), body
    for message in (body.get("fields") or {}).values():
        assert chinese(message), body
    return body


def page_login(client, login: str, *, staff: bool = False) -> None:
    url = "/login?tab=staff" if staff else "/login"
    page = client.get(url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    client.get("/captcha.png")
    response = client.post(
        url, data={"csrf_token": token.group(1), "login": login, "password": "Demo@2025", "captcha": CAPTCHA}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


# --- JSON nested 100,000 levels deep -------------------------------------------------------


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("method", "path"), JSON_WRITES)
@pytest.mark.parametrize("payload", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_deep_json_on_every_employer_write(app, employer, method, path, payload):
    client, headers = employer
    before = snapshot(app)
    response = getattr(client, method)(path, headers=headers, data=payload, content_type="application/json")
    assert assert_refused(response)["error"] == "请求体须为JSON对象"
    assert snapshot(app) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("payload", [DEEP, DEEP_OBJECT], ids=["array", "object"])
def test_deep_json_on_anonymous_and_reviewer_writes(app, reviewer, payload):
    anonymous = app.test_client(use_cookies=False)
    for path in ("/api/v1/levy/estimate", "/api/v1/auth/login"):
        assert_refused(anonymous.post(path, data=payload, content_type="application/json"))
    client, headers = reviewer
    assert_refused(client.post("/api/v1/tasks/x/decision", headers=headers, data=payload, content_type="application/json"))


# --- overflowing numbers on the levy estimate ---------------------------------------------

LEVY = {
    "year": 2025, "staff_count": 120, "avg_annual_wage": 90000, "social_avg_annual_wage": 60000,
    "severe_person_months": 12, "other_person_months": 6,
}  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("staff_count", 1e308), ("staff_count", HUGE), ("staff_count", -HUGE), ("avg_annual_wage", 1e308),
        ("social_avg_annual_wage", 1e308), ("severe_person_months", 1e308), ("other_person_months", HUGE),
        ("ratio", 1e308), ("year", HUGE), ("avg_annual_wage", -1e308),
    ],
)  # fmt: skip
def test_overflowing_levy_numbers(app, field, value):
    client = app.test_client(use_cookies=False)
    body = assert_refused(client.post("/api/v1/levy/estimate", json={**LEVY, field: value}))
    assert field in body["fields"]


# --- ids beyond the database's integer range ----------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/placements/1099511627776", f"/api/v1/placements/{HUGE}", "/api/v1/placements/2147483648",
        "/api/v1/placements/0", "/api/v1/notices/3000000000", "/api/v1/units/3000000000",
    ],
)  # fmt: skip
def test_api_ids_out_of_range_are_404(app, employer, path):
    client, headers = employer
    assert_refused(client.get(path, headers=headers), 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", f"/api/v1/unit/related-units/{HUGE}"), ("delete", "/api/v1/placements/3000000000"),
        ("delete", f"/api/v1/placements/1/contracts/{HUGE}"), ("post", "/api/v1/placements/3000000000/submit"),
        ("delete", "/api/v1/placements/1/certificates/3000000000"),
    ],
)  # fmt: skip
def test_api_writes_to_ids_out_of_range_change_nothing(app, employer, method, path):
    client, headers = employer
    before = snapshot(app)
    assert getattr(client, method)(path, headers=headers).status_code in (404, 405)
    assert snapshot(app) == before


@pytest.mark.parametrize(
    "path",
    ["/placements/1180591620717411303424", "/placements/1099511627776", "/notices/3000000000",
     "/attachments/3000000000", "/units/3000000000", f"/unit/related/{HUGE}/edit"],
)  # fmt: skip
def test_page_ids_out_of_range_are_404(app, path):
    client = app.test_client()
    page_login(client, UNIT)
    response = client.get(path)
    assert response.status_code == 404
    assert "页面不存在" in response.get_data(as_text=True)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ids_out_of_range_inside_bodies(app, employer):
    client, headers = employer
    before = snapshot(app)
    related = {"region_code": "210302", "credit_code": "91210302022607006N", "name": "关联单位", "relation": "上下级"}
    for ids in ([HUGE], [2**31], [0], [-1]):
        body = assert_refused(client.post("/api/v1/unit/related-units", headers=headers, json={**related, "attachment_ids": ids}))
        assert set(body["fields"]) == {"attachment_ids"}
    assert_refused(client.post("/api/v1/placements/1/materials", headers=headers, json={"attachment_id": HUGE, "material": "情况说明"}))
    assert snapshot(app) == before


# --- wrong JSON types -------------------------------------------------------------------


PERSON = {
    "id_number": "210302198001011234", "name": "张三", "phone": "13812345678", "household_type": "本市户籍",
    "household_region": "210302", "household_address": "鞍山市铁东区示范路1号",
}  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("value", [12345, True, [], {}, None, 1.5])
def test_id_number_must_be_text(app, employer, value):
    client, headers = employer
    before = snapshot(app)
    body = assert_refused(client.post("/api/v1/placements", headers=headers, json={**PERSON, "id_number": value}))
    assert "id_number" in body["fields"]
    assert snapshot(app) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("value", [12345, True, "x" * 1_000_000, {"1": 1}, [True], ["1"], [1.0]])
def test_attachment_ids_must_be_a_list_of_ids(app, employer, value):
    client, headers = employer
    before = snapshot(app)
    related = {"region_code": "210302", "credit_code": "91210302022607006N", "name": "关联单位", "relation": "上下级"}
    body = assert_refused(client.post("/api/v1/unit/related-units", headers=headers, json={**related, "attachment_ids": value}))
    assert set(body["fields"]) == {"attachment_ids"}
    contract = client.post("/api/v1/placements/1/contracts", headers=headers, json={"attachment_ids": value})
    assert "attachment_ids" in assert_refused(contract)["fields"]
    assert snapshot(app) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("value", [12345, True, "210302198001011234", {"a": 1}, [12345], [[]]])
def test_import_needs_a_list_of_id_numbers(app, employer, value):
    client, headers = employer
    before = snapshot(app)
    body = assert_refused(client.post("/api/v1/placements/import", headers=headers, json={"id_numbers": value}))
    assert set(body["fields"]) == {"id_numbers"}
    assert snapshot(app) == before


# --- numbers, booleans, lists or objects for text fields ---------------------------------


UNIT_FIELDS = {
    "name": "鞍山市铁东区示范机械有限公司", "nature": "企业", "economic_type": "私营有限责任公司", "industry": "制造业",
    "cdpf_region": "210302", "tax_region": "210302", "admin_region": "210302", "legal_name": "王法人",
    "legal_id_number": "G12345678", "legal_phone": "13812345678", "contact_name": "李经办",
    "contact_phone": "13812345678", "business_address": "鞍山市铁东区示范路1号", "registered_address": "鞍山市铁东区示范路1号",
}  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("value", [12345, True, ["张三"], {"a": "b"}, 1.5])
@pytest.mark.parametrize(
    ("path", "base", "field"),
    [
        ("/api/v1/placements", PERSON, "name"),
        ("/api/v1/placements", PERSON, "household_address"),
        ("/api/v1/placements", PERSON, "guardian_name"),
        ("/api/v1/unit", UNIT_FIELDS, "name"),
        ("/api/v1/unit", UNIT_FIELDS, "business_address"),
        ("/api/v1/unit", UNIT_FIELDS, "legal_id_number"),
        ("/api/v1/unit", UNIT_FIELDS, "phone"),
        ("/api/v1/placements/1/contracts", {}, "position"),
    ],
)
def test_text_fields_refuse_other_types(app, employer, path, base, field, value):
    client, headers = employer
    before = snapshot(app)
    method = client.put if path == "/api/v1/unit" else client.post
    body = assert_refused(method(path, headers=headers, json={**base, field: value}))
    assert body["fields"][field].endswith("须为文本"), body
    assert snapshot(app) == before


# --- paging ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["per_page=-1", "per_page=0", "per_page=101", "page=0", "page=-1", "page=null", "page=abc",
     "page=5133860637649256054784", "page=2147483648", "per_page=1e3"],
)  # fmt: skip
def test_api_paging_out_of_range_is_refused(app, employer, reviewer, query):
    client, headers = employer
    for path in ("/api/v1/placements", "/api/v1/notices"):
        body = assert_refused(client.get(f"{path}?{query}", headers=headers))
        assert set(body["fields"]) <= {"page", "per_page"}
    staff_client, staff_headers = reviewer
    assert_refused(staff_client.get(f"/api/v1/tasks?{query}", headers=staff_headers))


def test_api_paging_in_range(app, employer):
    client, headers = employer
    body = client.get("/api/v1/placements?page=1&per_page=100", headers=headers).get_json()
    assert body["per_page"] == 100 and body["page"] == 1


@pytest.mark.parametrize("query", ["page=5133860637649256054784", "page=0", "page=null", "per_page=-1"])
def test_pages_show_the_first_page_for_a_bad_page_number(app, query):
    client = app.test_client()
    page_login(client, UNIT)
    for path in ("/placements/", "/notices"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, response.status_code)
    staff = app.test_client()
    page_login(staff, "reviewer_anshan", staff=True)
    assert staff.get(f"/review/?{query}").status_code == 200


def test_search_text_too_long_to_search_for(app, employer, reviewer):
    """SQLite refuses a LIKE pattern over 50,000 bytes ("pattern too complex"): the one
    declaration of `q` (at most 100 characters) answers first, on the API and the pages."""
    q = "x" * 100_000
    client, headers = employer
    for path in ("/api/v1/placements", "/api/v1/notices"):
        assert set(assert_refused(client.get(path, headers=headers, query_string={"q": q}))["fields"]) == {"q"}
    staff_client, staff_headers = reviewer
    assert_refused(staff_client.get("/api/v1/tasks", headers=staff_headers, query_string={"q": q}))
    employer_page = app.test_client()
    page_login(employer_page, UNIT)
    staff_page = app.test_client()
    page_login(staff_page, "reviewer_anshan", staff=True)
    for page, path in ((employer_page, "/placements/"), (employer_page, "/notices"), (staff_page, "/review/"),
                       (staff_page, "/review/export.xlsx"), (staff_page, "/units")):  # fmt: skip
        response = page.get(path, query_string={"q": q})
        assert response.status_code == 400, path
        assert "关键字不能超过100个字" in response.get_data(as_text=True)


NASTY = ["", "x" * 100_000, "1e999999", "-1", "9" * 40, "\x00", "NaN", "2025-02-30", "１２", "<script>"]
PAGE_FORMS = {
    "/unit": ["name", "tax_number", "nature", "cdpf_region", "legal_id_number", "legal_phone", "org_code",
              "staff_last_year", "business_address", "cdpf_region__1", "cdpf_region__3"],
    "/unit/related/new": ["region_code", "credit_code", "tax_number", "org_code", "name", "phone", "address",
                          "relation", "remove_attachments"],
    "/placements/new": ["id_number", "name", "phone", "household_type", "household_region", "household_address",
                        "education", "guardian_phone", "is_graduate"],
    "/placements/import": ["id_numbers", "id_number"],
    "/placements/declare": ["pledge_read"],
}  # fmt: skip


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("path", sorted(PAGE_FORMS))
def test_page_forms_answer_4xx_to_anything(app, path):
    client = app.test_client()
    page_login(client, UNIT)
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/unit").get_data(as_text=True)).group(1)
    before = snapshot(app)
    for field in PAGE_FORMS[path]:
        for value in NASTY:
            response = client.post(path, data={"csrf_token": token, field: value})
            assert response.status_code < 500, (field, value[:20], response.status_code)
    assert snapshot(app)["Placement"] == before["Placement"]
