"""The 残保金 estimate request (casework.schemas.levy), the one declaration that the API
and the calculator page validate with: every field gets its Chinese message; JSON
clients are held to the declared types, the page's text is read as numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest

from casework.schemas import parse
from casework.schemas.levy import LevyEstimateInput
from domain.errors import FieldErrors
from domain.levy import LevyInput

D = Decimal
GOOD = {
    "year": 2025,
    "staff_count": 1000,
    "avg_annual_wage": 780000,
    "social_avg_annual_wage": 400000,
    "severe_person_months": 0,
    "other_person_months": 0,
}


def errors(data: dict, *, strict: bool = True) -> dict[str, str]:
    with pytest.raises(FieldErrors) as caught:
        parse(LevyEstimateInput, data, strict=strict)
    return caught.value.errors


def test_valid_input_from_json_numbers_or_form_text():
    assert parse(LevyEstimateInput, GOOD).levy_input() == LevyInput(2025, 1000, D("780000"), D("400000"), 0, 0)
    text = {k: str(v) for k, v in GOOD.items()} | {"ratio": "0.017", "is_enterprise": "false"}
    data = parse(LevyEstimateInput, text, strict=False).levy_input()
    assert data.ratio == D("0.017")
    assert data.is_enterprise is False


def test_json_clients_send_numbers_not_text():
    assert errors(GOOD | {"staff_count": "1000"}) == {"staff_count": "在职职工人数须为整数"}
    assert errors(GOOD | {"is_enterprise": "false"}) == {"is_enterprise": "是否企业须为true或false"}


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"year": None}, "year", "业务年度须为整数"),
        ({"avg_annual_wage": "abc"}, "avg_annual_wage", "在职职工年平均工资须为数字"),
        ({"avg_annual_wage": True}, "avg_annual_wage", "在职职工年平均工资须为数字"),
        ({"avg_annual_wage": float("nan")}, "avg_annual_wage", "在职职工年平均工资须为数字"),
        ({"social_avg_annual_wage": float("inf")}, "social_avg_annual_wage", "当地社会平均工资须为数字"),
        ({"social_avg_annual_wage": [1]}, "social_avg_annual_wage", "当地社会平均工资须为数字"),
        ({"avg_annual_wage": -1}, "avg_annual_wage", "在职职工年平均工资不能为负数"),
        ({"avg_annual_wage": 1e308}, "avg_annual_wage", "在职职工年平均工资不能大于1000000000"),
        ({"social_avg_annual_wage": 0}, "social_avg_annual_wage", "当地社会平均工资须大于0"),
        ({"staff_count": 0}, "staff_count", "在职职工人数须为正整数"),
        ({"staff_count": 10.5}, "staff_count", "在职职工人数须为整数"),
        ({"staff_count": 1e308}, "staff_count", "在职职工人数须为整数"),
        ({"staff_count": 10**30}, "staff_count", "在职职工人数不能大于10000000"),
        ({"staff_count": -3}, "staff_count", "在职职工人数不能为负数"),
        ({"severe_person_months": 1.5}, "severe_person_months", "1–2级（含军人1–3级）安置人月数须为整数"),
        ({"other_person_months": -1}, "other_person_months", "其他等级安置人月数不能为负数"),
        ({"ratio": 0}, "ratio", "安置比例须大于0且小于1（如1.5%填0.015）"),
        ({"ratio": 1.5}, "ratio", "安置比例须大于0且小于1（如1.5%填0.015）"),
        ({"ratio": float("nan")}, "ratio", "安置比例须为数字"),
        ({"year": 1999}, "year", "业务年度须为2007至2099之间的年份"),
        ({"year": 2100}, "year", "业务年度须为2007至2099之间的年份"),
        ({"is_enterprise": "maybe"}, "is_enterprise", "是否企业须为true或false"),
        ({"region_code": "2103"}, "region_code", "行政区划代码应为6位数字"),
        ({"region_code": 210302}, "region_code", "行政区划须为文本"),
    ],
)
def test_invalid_fields_get_chinese_messages(changes, field, message):
    assert errors(GOOD | changes)[field] == message


def test_form_text_gets_the_same_messages():
    found = errors({**{k: str(v) for k, v in GOOD.items()}, "staff_count": "", "year": "2025.5"}, strict=False)
    assert found["staff_count"] == "在职职工人数须为整数"
    assert found["year"] == "业务年度须为整数"
    assert errors(GOOD | {"avg_annual_wage": "Infinity"}, strict=False)["avg_annual_wage"] == "在职职工年平均工资须为数字"


def test_person_months_cannot_exceed_staff_times_twelve():
    found = errors(GOOD | {"staff_count": 2, "severe_person_months": 20, "other_person_months": 5})
    assert found == {"other_person_months": "安置人月数不能超过职工人数×12"}
    parse(LevyEstimateInput, GOOD | {"staff_count": 2, "severe_person_months": 20, "other_person_months": 4})


def test_every_missing_field_is_reported_at_once():
    found = errors({})
    assert set(found) == set(GOOD)
    assert found["staff_count"] == "请输入在职职工人数"
