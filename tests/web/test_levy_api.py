"""POST /api/v1/levy/estimate and the 残保金计算器 page."""

from __future__ import annotations

import pytest

BASE = {
    "year": 2025,
    "staff_count": 120,
    "avg_annual_wage": 90000,
    "social_avg_annual_wage": 60000,
    "severe_person_months": 12,
    "other_person_months": 6,
    "ratio": 0.015,
    "is_enterprise": True,
}
KEYS = {"quota", "actual", "wage_base", "levy_full", "rate", "levy_due", "exempt"}


@pytest.fixture
def api(app):
    return app.test_client(use_cookies=False)


def estimate(api, **overrides):
    body = {**BASE, **overrides}
    for key in [k for k, v in overrides.items() if v is ...]:
        del body[key]
    return api.post("/api/v1/levy/estimate", json=body)


def numbers_only(body: dict) -> None:
    assert set(body) == KEYS
    for key in KEYS - {"exempt"}:
        assert isinstance(body[key], int | float) and not isinstance(body[key], bool), key
    assert isinstance(body["exempt"], bool)


def test_the_example(api):
    response = estimate(api)
    assert response.status_code == 200
    body = response.get_json()
    numbers_only(body)
    assert body == {
        "quota": 1.8,
        "actual": 2.5,
        "wage_base": 90000,
        "levy_full": 0,
        "rate": 0,
        "levy_due": 0,
        "exempt": False,
    }


def test_no_login_and_no_csrf_needed(api):
    assert api.post("/api/v1/levy/estimate", json=BASE).status_code == 200


def test_small_enterprise_is_exempt(api):
    body = estimate(api, staff_count=30, severe_person_months=0, other_person_months=0).get_json()
    assert body["exempt"] is True and body["rate"] == 0 and body["levy_due"] == 0
    assert body["levy_full"] == 40500  # 30 × 1.5% × 90000, shown before the exemption
    not_enterprise = estimate(
        api, staff_count=30, severe_person_months=0, other_person_months=0, is_enterprise=False
    )
    body = not_enterprise.get_json()
    assert body["exempt"] is False and body["rate"] == 0.9 and body["levy_due"] == 36450
    over = estimate(api, staff_count=31, severe_person_months=0, other_person_months=0).get_json()
    assert over["exempt"] is False


def test_at_least_one_percent_pays_half(api):
    body = estimate(api, staff_count=200, severe_person_months=0, other_person_months=24).get_json()
    assert body["actual"] == 2 and body["quota"] == 3
    assert body["rate"] == 0.5 and body["levy_full"] == 90000 and body["levy_due"] == 45000


def test_below_one_percent_pays_ninety(api):
    body = estimate(api, staff_count=200, severe_person_months=0, other_person_months=12).get_json()
    assert body["rate"] == 0.9 and body["levy_full"] == 180000 and body["levy_due"] == 162000


@pytest.mark.parametrize("year", [2019, 2028, 2015])
def test_outside_the_relief_years_the_whole_levy_is_due(api, year):
    body = estimate(
        api, year=year, staff_count=200, severe_person_months=0, other_person_months=12
    ).get_json()
    assert body["rate"] == 1 and body["levy_due"] == body["levy_full"] == 180000
    small = estimate(
        api, year=year, staff_count=20, severe_person_months=0, other_person_months=0
    ).get_json()
    assert small["exempt"] is False and small["rate"] == 1


@pytest.mark.parametrize("year", [2020, 2027])
def test_relief_years_inclusive(api, year):
    body = estimate(
        api, year=year, staff_count=200, severe_person_months=0, other_person_months=12
    ).get_json()
    assert body["rate"] == 0.9


def test_meeting_the_quota_pays_nothing(api):
    body = estimate(api, staff_count=200, severe_person_months=18, other_person_months=0).get_json()
    assert body["actual"] == 3 and body["quota"] == 3
    assert body["levy_full"] == 0 and body["rate"] == 0 and body["levy_due"] == 0


def test_wage_cap_and_rounding_to_the_fen(api):
    capped = estimate(
        api, staff_count=200, avg_annual_wage=200000, severe_person_months=0, other_person_months=0
    )
    assert capped.get_json()["wage_base"] == 120000
    body = estimate(
        api,
        staff_count=101,
        avg_annual_wage=90000.33,
        severe_person_months=0,
        other_person_months=0,
    ).get_json()
    assert body["levy_full"] == 136350.5
    assert body["levy_due"] == 122715.45
    assert isinstance(body["levy_due"], float)


def test_ratio_defaults_to_the_quota_parameter(api):
    body = estimate(api, ratio=..., is_enterprise=...).get_json()
    assert body["quota"] == 1.8


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"staff_count": -5}, "staff_count"),
        ({"staff_count": 0}, "staff_count"),
        ({"staff_count": 10.5}, "staff_count"),
        ({"staff_count": ...}, "staff_count"),
        ({"avg_annual_wage": ...}, "avg_annual_wage"),
        ({"avg_annual_wage": -1}, "avg_annual_wage"),
        ({"avg_annual_wage": "九万"}, "avg_annual_wage"),
        ({"social_avg_annual_wage": "abc"}, "social_avg_annual_wage"),
        ({"social_avg_annual_wage": 0}, "social_avg_annual_wage"),
        ({"severe_person_months": -1}, "severe_person_months"),
        ({"other_person_months": True}, "other_person_months"),
        ({"severe_person_months": 1000, "other_person_months": 500}, "other_person_months"),
        ({"ratio": 1.5}, "ratio"),
        ({"ratio": -0.01}, "ratio"),
        ({"year": ...}, "year"),
        ({"year": 1999}, "year"),
        ({"year": "二〇二五"}, "year"),
        ({"is_enterprise": "maybe"}, "is_enterprise"),
    ],
)
def test_bad_input_names_the_field(api, overrides, field):
    response = estimate(api, **overrides)
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "输入有误"
    assert field in body["fields"]
    message = body["fields"][field]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_months_over_twelve_times_staff(api):
    body = estimate(
        api, staff_count=40, severe_person_months=400, other_person_months=100
    ).get_json()
    assert body["fields"]["other_person_months"] == "安置人月数不能超过职工人数×12"


def test_body_must_be_a_json_object(api):
    assert api.post("/api/v1/levy/estimate", data="year=2025").status_code == 400
    response = api.post("/api/v1/levy/estimate", json=[1, 2])
    assert response.status_code == 400 and "error" in response.get_json()


# --- the page ----------------------------------------------------------------------------


def test_calculator_page_is_public(client):
    page = client.get("/calculator").get_data(as_text=True)
    for label in (
        "单位名称",
        "残疾人安置比例",
        "单位员工人数",
        "单位月平均工资",
        "残疾员工月薪",
        "1–2级伤残",
        "3–4级伤残",
    ):
        assert label in page
    assert 'data-step="-1"' in page and 'data-step="1"' in page
    assert "预计缴纳残保金：" not in page


def test_calculator_page_computes_001_example(client):
    # 001: 1000 staff, 1.5%, 65000 monthly wage, no placements → 11,700,000.00 before the relief
    query = {
        "unit_name": "测试单位", "year": "2019", "ratio_percent": "1.5", "staff_count": "1000",
        "avg_monthly_wage": "65000", "disabled_monthly_wage": "5536", "severe_months": "0", "other_months": "0",
        "is_enterprise": "1",
    }  # fmt: skip
    page = client.get("/calculator", query_string=query).get_data(as_text=True)
    assert "预计缴纳残保金" in page
    assert "11,700,000.00" in page
    assert "(1000×1.5%−(0×2+0)/12)×65,000.00×12" in page
    assert "预计可节约" in page and "0.00" in page


def test_calculator_page_relief_and_savings(client):
    query = {
        "unit_name": "测试单位", "year": "2025", "staff_count": "200", "avg_monthly_wage": "7500",
        "social_avg_annual_wage": "60000", "disabled_monthly_wage": "4000", "severe_months": "0",
        "other_months": "24", "is_enterprise": "1",
    }  # fmt: skip
    page = client.get("/calculator", query_string=query).get_data(as_text=True)
    assert "45,000.00" in page  # (3 − 2) × 90000 × 50%
    assert "50%" in page
    assert "84,000.00" in page  # savings: 24 × (7500 − 4000)


def test_calculator_page_field_errors(client):
    query = {
        "unit_name": "",
        "staff_count": "-3",
        "avg_monthly_wage": "abc",
        "ratio_percent": "150",
        "other_months": "x",
    }
    response = client.get("/calculator", query_string=query)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "请输入单位名称" in page
    assert "单位员工人数不能为负数" in page
    assert "单位月平均工资须为数字" in page
    assert "残疾人安置比例须大于0且小于100" in page
    assert "须为数字" in page
    assert "预计缴纳残保金：" not in page


def test_calculator_prefills_from_the_employers_unit(client, employer):
    from tests.web.conftest import login

    login(client, employer["login"])
    page = client.get("/calculator").get_data(as_text=True)
    assert 'value="鞍山示范科技有限公司"' in page
    assert 'value="120"' in page
    assert 'value="91000"' in page  # 鞍山市 social average wage of 2024, the latest kept
    assert "已按2024年当地社会平均工资预填" in page


def test_a_cleared_social_wage_stays_cleared(client, employer):
    """The hint says "不填则不封顶": after the user clears the prefilled figure and
    calculates, the page neither refills it nor caps the wage."""
    from lxml import html as lxml_html

    from tests.web.conftest import login

    login(client, employer["login"])
    query = {
        "unit_name": "鞍山示范科技有限公司", "year": "2025", "staff_count": "120", "avg_monthly_wage": "20000",
        "social_avg_annual_wage": "", "disabled_monthly_wage": "4000", "severe_months": "0", "other_months": "0",
        "is_enterprise": "1",
    }  # fmt: skip
    page = client.get("/calculator", query_string=query).get_data(as_text=True)
    assert lxml_html.fromstring(page).xpath("//input[@name='social_avg_annual_wage']/@value") in ([], [""])
    assert "×20,000.00×12" in page and "按2倍（" not in page  # not capped at 2 × 91000


@pytest.mark.parametrize(
    "field", ["year", "staff_count", "avg_monthly_wage", "social_avg_annual_wage",
              "disabled_monthly_wage", "ratio_percent", "severe_months", "other_months"],
)  # fmt: skip
@pytest.mark.parametrize("value", ["1e999999", "-1e999999", "NaN", "Infinity", "sNaN", "9" * 40])
def test_calculator_page_overflowing_numbers_are_a_chinese_400(client, field, value):
    query = {
        "unit_name": "测试单位", "year": "2025", "staff_count": "100", "avg_monthly_wage": "5000",
        "severe_months": "0", "other_months": "0", "is_enterprise": "1", field: value,
    }  # fmt: skip
    response = client.get("/calculator", query_string=query)
    assert response.status_code == 400
    assert "预计缴纳残保金：" not in response.get_data(as_text=True)
