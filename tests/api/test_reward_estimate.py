"""POST /api/v1/reward/estimate (issue 15): the 超比例奖励 estimate of 002.

quota persons = ceil(staff × ratio), over persons = placed − quota (0 when not above),
amount = over × coefficient × base to the fen; ratio, coefficient and base default to the
province's parameters of `region_code`, else of the caller's region, as in force on
today's China date on the engine clock (or on Dec 31 of `year`). Whatever arrives, a bad
request is a 400 with a Chinese message per field, never a 5xx."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest

from casework import province_params
from casework.demo import DEMO_PASSWORD
from casework.models import User
from tests.api.conftest import CAPTCHA, api_login

URL = "/api/v1/reward/estimate"
EXAMPLE = {"staff_count": 30, "placed_persons": 2, "ratio": 0.015, "coefficient": 1.5, "base_amount": 6600}
HUGE = 1180591620717411303424  # 2**70
DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000
LIAONING_EMPLOYER = "91210302052118596L"  # 鞍山市铁东区 210302
ZHEJIANG_EMPLOYER = "913301064149113062"  # 杭州市西湖区 330106
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def api(app):
    return app.test_client(use_cookies=False)


def post(api, body, **kwargs):
    return api.post(URL, json=body, **kwargs)


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def refused(response) -> dict:
    """A 400 whose error and every field message are Chinese."""
    assert response.status_code == 400, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert chinese(body["error"]), body
    for message in (body.get("fields") or {}).values():
        assert chinese(message), body
    return body


def page_login(client, login: str) -> None:
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    client.get("/captcha.png")
    form = {"csrf_token": token.group(1), "login": login, "password": DEMO_PASSWORD, "captcha": CAPTCHA}
    response = client.post("/login", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def change(app, login: str, **form: str) -> None:
    """A process owner's dated parameter change (the 参数设置 page's act)."""
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        owner = session.query(User).filter_by(login=login).one()
        province_params.add_change(
            session, owner, form, today=system.today(), now=system.runtime.clock.now()
        )


# --- the rule ----------------------------------------------------------------------------


@sqlite_only
def test_the_002_example(api):
    response = post(api, EXAMPLE)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body == {"quota_persons": 1, "over_persons": 1, "amount": 9900}
    for key in body:
        assert isinstance(body[key], int | float) and not isinstance(body[key], bool), key


@sqlite_only
def test_no_login_and_no_csrf_needed_even_with_a_session(app):
    client = app.test_client()  # cookies on, no CSRF header
    assert post(client, EXAMPLE).status_code == 200


@sqlite_only
@pytest.mark.parametrize("placed", [0, 0.5, 1])
def test_not_above_the_quota_is_no_reward(api, placed):
    assert post(api, {**EXAMPLE, "placed_persons": placed}).get_json() == {
        "quota_persons": 1, "over_persons": 0, "amount": 0,
    }  # fmt: skip


@sqlite_only
def test_quota_is_rounded_up_and_exact(api):
    assert post(api, {**EXAMPLE, "staff_count": 200, "placed_persons": 5}).get_json() == {
        "quota_persons": 3, "over_persons": 2, "amount": 19800,
    }  # fmt: skip  (200 × 1.5% is exactly 3, not 4)
    assert post(api, {**EXAMPLE, "staff_count": 201, "placed_persons": 5}).get_json()["quota_persons"] == 4


@sqlite_only
def test_fractional_placed_persons(api):
    body = post(api, {**EXAMPLE, "placed_persons": 2.5}).get_json()
    assert body == {"quota_persons": 1, "over_persons": 1.5, "amount": 14850}
    assert isinstance(body["over_persons"], float)


@sqlite_only
def test_amount_to_the_fen_half_up(api):
    # 0.3333 × 1.5 × 6601 = 3300.16665 → 3300.17
    body = post(api, {**EXAMPLE, "placed_persons": 1.3333, "base_amount": 6601}).get_json()
    assert body == {"quota_persons": 1, "over_persons": 0.3333, "amount": 3300.17}
    assert isinstance(body["amount"], float)


@sqlite_only
def test_the_largest_amount_is_still_to_the_fen(api):
    response = post(api, {"staff_count": 1, "placed_persons": 9_999_999.99, "ratio": 0.015, "coefficient": 10,
                          "base_amount": 499_999.99})  # fmt: skip
    assert response.get_json()["quota_persons"] == 1
    expected = (Decimal("9999998.99") * 10 * Decimal("499999.99")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert expected == Decimal("49999993950000.10")
    assert Decimal(repr(response.get_json()["amount"])) == expected  # the JSON number, not a neighbour


# --- the province's parameters -----------------------------------------------------------


@sqlite_only
@pytest.mark.parametrize("region", ["150902", "210302", "330106", "110101"])
def test_defaults_from_the_region_code(api, region):
    body = post(api, {"staff_count": 30, "placed_persons": 2, "region_code": region}).get_json()
    assert body == {"quota_persons": 1, "over_persons": 1, "amount": 9900}  # 0.015, 1.5, 6600 everywhere


def test_defaults_follow_a_province_owners_change(app, api):
    """A Zhejiang owner's figures apply to Zhejiang (by region_code or by the logged-in
    user's region), not to Liaoning; a field given in the request wins."""
    today = app.extensions["quotacert"].today().isoformat()
    change(app, "owner_zhejiang", field="reward_base", value="8000", valid_from=today)
    change(app, "owner_zhejiang", field="reward_coefficient", value="2", valid_from=today)
    change(app, "owner_zhejiang", field="quota_ratio", value="2", valid_from=today)  # percent
    body = {"staff_count": 120, "placed_persons": 4}
    zhejiang = post(api, {**body, "region_code": "330106"}).get_json()
    assert zhejiang == {"quota_persons": 3, "over_persons": 1, "amount": 16000}  # ceil(2.4); 1 × 2 × 8000
    liaoning = post(api, {**body, "region_code": "210302"}).get_json()
    assert liaoning == {"quota_persons": 2, "over_persons": 2, "amount": 19800}  # ceil(1.8); 2 × 1.5 × 6600
    mixed = post(api, {**body, "region_code": "330106", "ratio": 0.015, "base_amount": 6600}).get_json()
    assert mixed == {"quota_persons": 2, "over_persons": 2, "amount": 26400}  # 2 × 2 × 6600

    for login, expected in ((ZHEJIANG_EMPLOYER, zhejiang), (LIAONING_EMPLOYER, liaoning),
                            ("window_xihu", zhejiang), ("reviewer_anshan", liaoning)):  # fmt: skip
        client = app.test_client()
        headers = api_login(client, login)
        assert post(client, body, headers=headers).get_json() == expected, login
    client = app.test_client()
    headers = api_login(client, ZHEJIANG_EMPLOYER)
    assert post(client, {**body, "region_code": "210302"}, headers=headers).get_json() == liaoning

    # an employer's region is its unit's 残联主管部门, not a stale copy on the account
    with app.extensions["quotacert"].transaction() as session:
        session.query(User).filter_by(login=ZHEJIANG_EMPLOYER).one().region_code = "210302"
    assert post(client, body, headers=headers).get_json() == zhejiang

    # a browser session (cookie, no CSRF header) counts as the logged-in caller too
    browser = app.test_client()
    page_login(browser, ZHEJIANG_EMPLOYER)
    assert post(browser, body).get_json() == zhejiang


def test_parameters_of_the_engine_clocks_day_or_of_the_year(app, api):
    """Without `year`, today's China date on the engine clock (a change from next year
    does not apply yet); with `year`, Dec 31 of that year."""
    system = app.extensions["quotacert"]
    today = system.today()
    next_year = date(today.year + 1, 1, 1)
    change(app, "owner_nmg", field="reward_coefficient", value="2", valid_from=next_year.isoformat())
    body = {"staff_count": 30, "placed_persons": 2, "region_code": "150102"}
    assert post(api, body).get_json()["amount"] == 9900
    assert post(api, {**body, "year": today.year}).get_json()["amount"] == 9900
    assert post(api, {**body, "year": next_year.year}).get_json()["amount"] == 13200  # 1 × 2 × 6600
    assert post(api, {**body, "region_code": "210302", "year": next_year.year}).get_json()["amount"] == 9900


@sqlite_only
def test_public_callers_give_a_region_or_all_three(api):
    body = refused(post(api, {"staff_count": 30, "placed_persons": 2}))
    assert body["error"] == "输入有误"
    assert set(body["fields"]) == {"ratio", "coefficient", "base_amount", "region_code"}
    assert body["fields"]["region_code"] == "请填写行政区划代码，或填写安置比例、安置系数、奖励基数"
    assert "安置系数" in body["fields"]["coefficient"]
    only_two = refused(post(api, {**EXAMPLE, "coefficient": None}))
    assert set(only_two["fields"]) == {"coefficient", "region_code"}
    assert only_two["fields"]["region_code"] == "请填写行政区划代码，或填写安置系数"
    blank_region = refused(post(api, {**EXAMPLE, "base_amount": None, "region_code": ""}))
    assert blank_region["fields"]["base_amount"].startswith("请填写奖励基数")


@sqlite_only
def test_a_stale_token_is_401_not_anonymous(api):
    response = post(api, EXAMPLE, headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401 and chinese(response.get_json()["error"])


# --- bad input ---------------------------------------------------------------------------


@sqlite_only
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"staff_count": None}, "staff_count", "在职职工总数须为整数"),
        ({"staff_count": 0}, "staff_count", "在职职工总数须为正整数"),
        ({"staff_count": -5}, "staff_count", "在职职工总数不能为负数"),
        ({"staff_count": 10.5}, "staff_count", "在职职工总数须为整数"),
        ({"staff_count": "30"}, "staff_count", "在职职工总数须为整数"),
        ({"staff_count": True}, "staff_count", "在职职工总数须为整数"),
        ({"staff_count": 1e308}, "staff_count", "在职职工总数须为整数"),
        ({"staff_count": HUGE}, "staff_count", "在职职工总数不能大于10000000"),
        ({"staff_count": -HUGE}, "staff_count", "在职职工总数不能为负数"),
        ({"staff_count": float("nan")}, "staff_count", "在职职工总数须为整数"),
        ({"placed_persons": -1}, "placed_persons", "安置残疾人数不能为负数"),
        ({"placed_persons": -1e308}, "placed_persons", "安置残疾人数不能为负数"),
        ({"placed_persons": "2"}, "placed_persons", "安置残疾人数须为数字"),
        ({"placed_persons": False}, "placed_persons", "安置残疾人数须为数字"),
        ({"placed_persons": float("nan")}, "placed_persons", "安置残疾人数须为数字"),
        ({"placed_persons": float("inf")}, "placed_persons", "安置残疾人数须为数字"),
        ({"placed_persons": 1e308}, "placed_persons", "安置残疾人数不能大于10000000"),
        ({"placed_persons": HUGE}, "placed_persons", "安置残疾人数不能大于10000000"),
        ({"placed_persons": [2]}, "placed_persons", "安置残疾人数须为数字"),
        ({"placed_persons": {"n": 2}}, "placed_persons", "安置残疾人数须为数字"),
        ({"ratio": 0}, "ratio", "安置比例须大于0且小于1（如1.5%填0.015）"),
        ({"ratio": 1}, "ratio", "安置比例须大于0且小于1（如1.5%填0.015）"),
        ({"ratio": 1.5}, "ratio", "安置比例须大于0且小于1（如1.5%填0.015）"),
        ({"ratio": -0.01}, "ratio", "安置比例须大于0且小于1（如1.5%填0.015）"),
        ({"ratio": 1e308}, "ratio", "安置比例须大于0且小于1（如1.5%填0.015）"),
        ({"ratio": "0.015"}, "ratio", "安置比例须为数字"),
        ({"ratio": True}, "ratio", "安置比例须为数字"),
        ({"ratio": float("nan")}, "ratio", "安置比例须为数字"),
        ({"coefficient": 0}, "coefficient", "安置系数须大于0"),
        ({"coefficient": -1.5}, "coefficient", "安置系数不能为负数"),
        ({"coefficient": 11}, "coefficient", "安置系数不能大于10"),
        ({"coefficient": 1e308}, "coefficient", "安置系数不能大于10"),
        ({"coefficient": "1.5"}, "coefficient", "安置系数须为数字"),
        ({"coefficient": True}, "coefficient", "安置系数须为数字"),
        ({"coefficient": float("-inf")}, "coefficient", "安置系数须为数字"),
        ({"base_amount": 0}, "base_amount", "奖励基数须大于0"),
        ({"base_amount": -6600}, "base_amount", "奖励基数不能为负数"),
        ({"base_amount": 500_000.01}, "base_amount", "奖励基数不能大于500000"),
        ({"base_amount": HUGE}, "base_amount", "奖励基数不能大于500000"),
        ({"base_amount": "6600"}, "base_amount", "奖励基数须为数字"),
        ({"base_amount": False}, "base_amount", "奖励基数须为数字"),
        ({"region_code": "2103"}, "region_code", "行政区划代码应为6位数字"),
        ({"region_code": "abcdef"}, "region_code", "行政区划代码应为6位数字"),
        ({"region_code": "999999"}, "region_code", "所选行政区划不存在"),
        ({"region_code": "990000"}, "region_code", "所选行政区划不存在"),
        ({"region_code": 210302}, "region_code", "行政区划须为文本"),
        ({"region_code": True}, "region_code", "行政区划须为文本"),
        ({"region_code": "21\x000302"}, "region_code", "行政区划代码应为6位数字"),
        ({"year": 1999}, "year", "业务年度须为2007至2099之间的年份"),
        ({"year": 2100}, "year", "业务年度须为2007至2099之间的年份"),
        ({"year": HUGE}, "year", "业务年度须为2007至2099之间的年份"),
        ({"year": "2025"}, "year", "业务年度须为整数"),
        ({"year": 2025.5}, "year", "业务年度须为整数"),
        ({"year": True}, "year", "业务年度须为整数"),
    ],
)
def test_bad_input_names_the_field_in_chinese(api, changes, field, message):
    body = refused(post(api, {**EXAMPLE, **changes}))
    assert body["error"] == "输入有误"
    assert body["fields"][field] == message


@sqlite_only
@pytest.mark.parametrize("field", ["staff_count", "placed_persons"])
def test_required_fields(api, field):
    body = {k: v for k, v in EXAMPLE.items() if k != field}
    assert refused(post(api, body))["fields"] == {field: f"请输入{'在职职工总数' if field == 'staff_count' else '安置残疾人数'}"}


@sqlite_only
def test_every_wrong_field_at_once(api):
    body = refused(post(api, {"staff_count": -1, "placed_persons": "x", "ratio": 2, "coefficient": 0,
                              "base_amount": True, "region_code": "1", "year": 1}))  # fmt: skip
    assert set(body["fields"]) == {"staff_count", "placed_persons", "ratio", "coefficient", "base_amount",
                                   "region_code", "year"}  # fmt: skip


@sqlite_only
@pytest.mark.parametrize(
    "payload",
    ["[1, 2]", '"text"', "42", "null", "true", "", "{", "staff_count=30", DEEP, DEEP_OBJECT,
     '{"staff_count": 30, "placed_persons": NaN, "ratio": 0.015, "coefficient": 1.5, "base_amount": 6600}',
     '{"staff_count": 30, "placed_persons": Infinity, "ratio": 0.015, "coefficient": 1.5, "base_amount": 6600}',
     '{"staff_count": 30, "placed_persons": 1e999999, "ratio": 0.015, "coefficient": 1.5, "base_amount": 6600}',
     '{"staff_count": 30, "placed_persons": 2, "ratio": 0.015, "coefficient": 1.5, "base_amount": ' + "9" * 5000 + "}"],
    ids=["list", "string", "number", "null", "true", "empty", "broken", "form", "deep-array", "deep-object",
         "nan", "infinity", "overflow", "long-integer"],
)  # fmt: skip
def test_non_objects_and_odd_json_are_a_chinese_400(api, payload):
    refused(api.post(URL, data=payload, content_type="application/json"))


@sqlite_only
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"])
def test_form_bodies_are_a_chinese_400(api, content_type):
    """spectree skips a JSON model for form bodies; that must not reach the view as None."""
    body = refused(api.post(URL, data="staff_count=30&placed_persons=2", content_type=content_type))
    assert body["error"] == "请求体须为JSON对象"


# --- the document ------------------------------------------------------------------------


@sqlite_only
def test_openapi_lists_the_operation_with_its_schemas(api):
    from openapi_spec_validator import validate

    document = api.get("/api/v1/openapi.json").get_json()
    validate(document)
    operation = document["paths"][URL]["post"]
    assert operation["security"] == []
    assert operation["summary"] == "估算超比例奖励"
    assert {"200", "400", "401"} <= set(operation["responses"])

    def schema(ref_holder: dict) -> dict:
        name = ref_holder["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
        return document["components"]["schemas"][name]

    request = schema(operation["requestBody"])
    assert set(request["properties"]) == {
        "staff_count", "placed_persons", "ratio", "coefficient", "base_amount", "region_code", "year",
    }  # fmt: skip
    assert set(request["required"]) == {"staff_count", "placed_persons"}
    answer = schema(operation["responses"]["200"])
    assert set(answer["required"]) == {"quota_persons", "over_persons", "amount"}
    assert answer["properties"]["over_persons"]["type"] == "number"
    assert answer["properties"]["amount"]["type"] == "number"
