import json
from datetime import date
from decimal import Decimal

import pytest

from domain import params
from domain.errors import DomainError
from domain.params import PARAMS_DIR, ParamsStore


@pytest.fixture
def store(tmp_path):
    """A parameter directory of our own: national defaults plus a province 21."""
    national = json.loads((PARAMS_DIR / "national.json").read_text(encoding="utf-8"))
    (tmp_path / "national.json").write_text(json.dumps(national), encoding="utf-8")
    province = {
        "quota_ratio": [{"from": "2024-01-01", "value": "0.017"}],
        "upload_limit_mb": [
            {"from": "2024-01-01", "to": "2024-12-31", "value": 20},
            {"from": "2025-01-01", "value": 50},
            {"from": "2025-07-01", "value": 60},
        ],
        "minimum_wage": {
            "210000": [{"from": "2024-01-01", "value": 1500}],
            "210300": [{"from": "2024-01-01", "value": 1800}, {"from": "2025-03-15", "value": 1900}],
            "210302": [{"from": "2024-01-01", "to": "2024-12-31", "value": 2000}],
        },
        "social_average_wage": {"210000": {"2024": 90000}, "210300": {"2023": 80000}},
    }
    (tmp_path / "21.json").write_text(json.dumps(province), encoding="utf-8")
    return ParamsStore(tmp_path)


def test_province_field_overrides_national_on_the_days_it_covers(store):
    assert store.params_for("210302", date(2024, 6, 1)).quota_ratio == Decimal("0.017")
    assert store.params_for("210302", date(2023, 6, 1)).quota_ratio == Decimal("0.015")
    assert store.params_for("330106", date(2024, 6, 1)).quota_ratio == Decimal("0.015")
    assert store.params_for(None, date(2024, 6, 1)).quota_ratio == Decimal("0.015")


@pytest.mark.parametrize(
    ("on", "limit"),
    [(date(2023, 12, 31), 10), (date(2024, 12, 31), 20), (date(2025, 6, 30), 50), (date(2025, 7, 1), 60)],
)
def test_dated_periods_and_later_announcement_wins(store, on, limit):
    assert store.params_for("210000", on).upload_limit_mb == limit


def test_params_carry_province_and_day(store):
    p = store.params_for("210302", date(2025, 5, 1))
    assert p.province_code == "210000"
    assert p.on == date(2025, 5, 1)
    assert p.upload_limit_bytes == 50 * 1024 * 1024


@pytest.mark.parametrize(
    ("region", "year", "month", "wage"),
    [
        ("210302", 2024, 6, 2000.0),  # county figure
        ("210302", 2025, 1, 1800.0),  # county period over: the city's
        ("210302", 2025, 3, 1800.0),  # raise on 03-15: the month keeps the figure of its 1st day
        ("210302", 2025, 4, 1900.0),
        ("210321", 2024, 6, 1800.0),  # county without a figure: its city's
        ("210100", 2024, 6, 1500.0),  # city without a figure: the province's
    ],
)
def test_minimum_wage_most_specific_region_wins(store, region, year, month, wage):
    assert store.minimum_wage(region, year, month) == wage


def test_minimum_wage_missing_is_a_chinese_domain_error(store):
    with pytest.raises(DomainError, match="^未维护辽宁省沈阳市2023年5月适用的最低工资标准$"):
        store.minimum_wage("210100", 2023, 5)
    with pytest.raises(DomainError, match="^未维护浙江省杭州市西湖区2025年1月适用的最低工资标准$"):
        store.minimum_wage("330106", 2025, 1)


def test_social_average_wage_by_region_and_year(store):
    assert store.social_average_wage("210302", 2023) == 80000.0
    assert store.social_average_wage("210302", 2024) == 90000.0
    with pytest.raises(DomainError, match="2022年的社会平均工资"):
        store.social_average_wage("210302", 2022)


@pytest.mark.parametrize("bad", ["", "21", "2103021", "abcdef"])
def test_bad_region_code_is_a_domain_error(store, bad):
    with pytest.raises(DomainError, match="6位数字"):
        store.minimum_wage(bad, 2025, 1)


def test_unknown_province_is_not_silently_national(store):
    with pytest.raises(DomainError, match="所选行政区划不存在"):
        store.params_for("990101", date(2025, 1, 1))


def test_missing_field_names_the_parameter(tmp_path):
    (tmp_path / "national.json").write_text(
        json.dumps({"quota_ratio": [{"from": "2020-01-01", "value": "0.015"}]}), encoding="utf-8"
    )
    with pytest.raises(DomainError, match="参数“上传文件大小上限”"):
        ParamsStore(tmp_path).params_for("210302", date(2025, 1, 1))


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ({"quota_ratio": [{"from": "2020-01-01", "value": "1.5"}]}, "安置比例"),
        ({"quota_ratio": [{"from": "2020-13-01", "value": "0.015"}]}, "日期格式错误"),
        ({"quota_ratio": [{"from": "2021-01-01", "to": "2020-01-01", "value": "0.015"}]}, "早于"),
        ({"quota_ratio": {"value": "0.015"}}, "按日期分段"),
        ({"upload_limit_mb": [{"from": "2020-01-01", "value": 0}]}, "上传文件大小上限"),
        ({"female_retirement_track": [{"from": "2020-01-01", "value": "teacher"}]}, "女职工"),
        ({"minimum_wage": {"330100": [{"from": "2020-01-01", "value": 2000}]}}, "不属于该省"),
        ({"minimum_wage": [1900]}, "按地区代码的对象"),
        ({"social_average_wage": {"210000": [90000]}}, "社会平均工资格式错误"),
        ({"time_limits": [{"from": "2020-01-01", "value": {"feedback": 7}}]}, "办理时限"),
        ({"levy_rule": [{"from": "2020-01-01", "value": {"tiers": [], "base_rate": "2"}}]}, "残保金征收规则"),
        ({"declaration_window": [{"from": "2020-01-01", "value": {"start": "11-01", "end": "03-01"}}]}, "申报期"),
    ],
)
def test_broken_province_files_raise_domain_errors(tmp_path, content, fragment):
    national = (PARAMS_DIR / "national.json").read_text(encoding="utf-8")
    (tmp_path / "national.json").write_text(national, encoding="utf-8")
    (tmp_path / "21.json").write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(DomainError, match=fragment):
        ParamsStore(tmp_path).params_for("210302", date(2025, 1, 1))


def test_province_file_that_is_not_an_object(tmp_path):
    national = (PARAMS_DIR / "national.json").read_text(encoding="utf-8")
    (tmp_path / "national.json").write_text(national, encoding="utf-8")
    (tmp_path / "21.json").write_text("[]", encoding="utf-8")
    with pytest.raises(DomainError, match="应为JSON对象"):
        ParamsStore(tmp_path).params_for("210302", date(2025, 1, 1))


def test_unparseable_file_is_a_domain_error(tmp_path):
    (tmp_path / "national.json").write_text("{ not json", encoding="utf-8")
    with pytest.raises(DomainError, match="格式错误"):
        ParamsStore(tmp_path).params_for(None, date(2025, 1, 1))


# --- the shipped data -------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["11", "12", "15", "21", "22", "31", "33"])
def test_every_shipped_province_file_loads(prefix):
    p = params.params_for(prefix + "0000", date(2025, 6, 1))
    assert p.quota_ratio == Decimal("0.015")
    assert params.minimum_wage(prefix + "0000", 2025, 6) > 1000
    assert params.social_average_wage(prefix + "0000", 2024) > 50000


def test_anshan_declaration_window():
    window = params.params_for("210302", date(2026, 3, 1)).declaration_window
    assert window.dates(2026) == (date(2026, 3, 1), date(2026, 10, 31))
    assert window.is_open(date(2026, 10, 31))
    assert not window.is_open(date(2026, 11, 1))
    assert not window.is_open(date(2026, 2, 28))
    assert window.concentrated_dates(2026) is None
    assert window.business_year_for(date(2026, 5, 1)) == 2025


def test_zhejiang_declaration_window_with_concentrated_period():
    window = params.params_for("330106", date(2025, 5, 1)).declaration_window
    assert window.dates(2025) == (date(2025, 3, 1), date(2025, 12, 31))
    assert window.concentrated_dates(2025) == (date(2025, 4, 1), date(2025, 6, 30))
    assert window.is_concentrated(date(2025, 6, 30))
    assert not window.is_concentrated(date(2025, 7, 1))


def test_upload_limit_default_and_inner_mongolia():
    assert params.params_for("210302", date(2025, 1, 1)).upload_limit_mb == 10
    assert params.params_for("150924", date(2025, 1, 1)).upload_limit_mb == 100


@pytest.mark.parametrize(
    ("year", "exempt_max", "tiers", "base_rate"),
    [
        (2019, None, (), Decimal("1")),
        (2020, 30, ((Decimal("0.01"), Decimal("0.5")),), Decimal("0.9")),
        (2027, 30, ((Decimal("0.01"), Decimal("0.5")),), Decimal("0.9")),
        (2028, None, (), Decimal("1")),
    ],
)
def test_levy_rule_periods(year, exempt_max, tiers, base_rate):
    rule = params.params_for("210302", date(year, 12, 31)).levy_rule
    assert rule.small_unit_max_staff == exempt_max
    assert tuple((t.min_actual_ratio, t.rate) for t in rule.tiers) == tiers
    assert rule.base_rate == base_rate


def test_time_limits_reward_and_retirement_track():
    p = params.params_for("150924", date(2024, 5, 1))
    assert (p.time_limits.window_acceptance, p.time_limits.manual_review) == (3, 10)
    assert (p.time_limits.feedback, p.time_limits.send_to_tax) == (7, 20)
    assert p.time_limits.certificate_download_after == 3
    assert (p.reward_base, p.reward_coefficient) == (Decimal("6600"), Decimal("1.5"))
    assert p.wage_cap_multiple == Decimal("2")
    assert p.female_retirement_track == "cadre"


@pytest.mark.parametrize(
    ("region", "year", "month", "wage"),
    [
        ("210302", 2024, 12, 1710.0),  # 鞍山市区 二档
        ("210302", 2025, 1, 1900.0),
        ("210321", 2025, 1, 1800.0),  # 台安县 its own tier
        ("210381", 2025, 1, 1900.0),  # 海城市 falls back to 鞍山市
        ("210411", 2025, 1, 1700.0),  # a 抚顺 district: the province's lowest tier
        ("330106", 2025, 6, 2490.0),
        ("330127", 2025, 6, 2260.0),
        ("310230", 2025, 8, 2740.0),  # historical 崇明县 still finds 上海
        ("310151", 2025, 6, 2690.0),
        ("110105", 2024, 8, 2420.0),
        ("110105", 2024, 9, 2540.0),
    ],
)
def test_shipped_minimum_wages(region, year, month, wage):
    assert params.minimum_wage(region, year, month) == wage


def test_shipped_minimum_wage_missing_province():
    with pytest.raises(DomainError, match="未维护广东省.*2025年1月适用的最低工资标准"):
        params.minimum_wage("440300", 2025, 1)
