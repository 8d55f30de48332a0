from decimal import Decimal

import pytest

from domain.levy import (
    LevyInput,
    LevyRules,
    estimate_levy,
    estimate_savings,
    rules_for,
)
from domain.params_types import LevyRule, LevyTier

D = Decimal


def levy(year=2025, staff=1000, avg="780000", social="400000", severe=0, other=0, **kw):
    return estimate_levy(
        LevyInput(year, staff, D(avg), D(social), severe, other, ratio=kw.pop("ratio", D("0.015")), **kw)
    )


def test_calculator_example_of_001_full_levy():
    # 1000 staff × 1.5%, monthly 65000 → (1000*1.5% − 0) × 65000 × 12 = 11700000.00
    result = levy(year=2019)
    assert result.quota == D("15")
    assert result.actual == D("0")
    assert result.wage_base == D("780000.00")
    assert result.levy_full == D("11700000.00")
    assert result.rate == D("1")
    assert result.levy_due == D("11700000.00")
    assert result.exempt is False


def test_same_unit_during_the_relief_pays_90_percent():
    result = levy(year=2025)
    assert result.levy_full == D("11700000.00")
    assert result.rate == D("0.9")
    assert result.levy_due == D("10530000.00")


def test_wage_is_capped_at_twice_the_social_average():
    result = levy(avg="900000", social="400000")
    assert result.wage_base == D("800000.00")
    assert result.levy_full == D("12000000.00")


def test_severe_months_count_twice():
    # actual = (2×12 + 6)/12 = 2.5 persons; shortfall 12.5 × 780000
    result = levy(severe=12, other=6)
    assert result.actual == D("2.5000")
    assert result.levy_full == D("9750000.00")
    assert result.rate == D("0.9")  # 2.5 / 1000 = 0.25% < 1%


@pytest.mark.parametrize(
    ("staff", "is_enterprise", "exempt", "rate"),
    [
        (30, True, True, D("0")),
        (31, True, False, D("0.9")),
        (30, False, False, D("0.9")),
        (1, True, True, D("0")),
    ],
)
def test_small_enterprise_exemption(staff, is_enterprise, exempt, rate):
    result = levy(staff=staff, avg="100000", social="100000", is_enterprise=is_enterprise)
    assert result.exempt is exempt
    assert result.rate == rate
    assert result.levy_full > 0
    assert (result.levy_due == 0) is exempt


def test_small_enterprise_pays_outside_the_relief_period():
    result = levy(year=2028, staff=30, avg="100000", social="100000")
    assert result.exempt is False
    assert result.rate == D("1")
    assert result.levy_due == D("45000.00")  # 0.45 × 100000


@pytest.mark.parametrize(
    ("other_months", "rate", "levy_full", "levy_due"),
    [
        (12, D("0.5"), D("50000.00"), D("25000.00")),  # exactly 1%: half
        (11, D("0.9"), D("58333.33"), D("52500.00")),  # just below 1%
        (0, D("0.9"), D("150000.00"), D("135000.00")),
        (18, D("0"), D("0.00"), D("0.00")),  # quota met exactly
        (30, D("0"), D("0.00"), D("0.00")),  # above quota
    ],
)
def test_actual_ratio_thresholds_for_100_staff(other_months, rate, levy_full, levy_due):
    result = levy(staff=100, avg="100000", social="100000", other=other_months)
    assert result.rate == rate
    assert result.levy_full == levy_full
    assert result.levy_due == levy_due


def test_rounding_to_the_fen_half_up():
    # quota 10 × 2% = 0.2; 0.2 × 5000.625 = 1000.125 → 1000.13 (half-even would give .12)
    result = levy(year=2019, staff=10, avg="5000.625", social="100000", ratio=D("0.02"), is_enterprise=False)
    assert result.levy_full == D("1000.13")


def test_ratio_defaults_to_the_province_parameter():
    data = LevyInput(2025, 1000, D("780000"), D("400000"), 0, 0, region_code="210302")
    assert estimate_levy(data).ratio == D("0.015")
    assert estimate_levy(LevyInput(2025, 1000, D("780000"), D("400000"), 0, 0)).levy_full == D("11700000.00")


def test_rules_are_parameters_not_literals():
    rules = LevyRules(
        rule=LevyRule(small_unit_max_staff=50, small_unit_enterprise_only=True,
                      tiers=(LevyTier(D("0.012"), D("0.3")),), base_rate=D("0.8")),
        wage_cap_multiple=D("3"),
        quota_ratio=D("0.02"),
    )
    data = LevyInput(2025, 100, D("400000"), D("100000"), 0, 18)
    result = estimate_levy(data, rules)
    assert result.ratio == D("0.02")
    assert result.wage_base == D("300000.00")
    assert result.rate == D("0.3")  # 1.5 / 100 ≥ 1.2%
    assert result.levy_due == D("45000.00")  # (2 − 1.5) × 300000 × 0.3
    assert estimate_levy(LevyInput(2025, 50, D("1"), D("1"), 0, 0), rules).exempt


def test_rules_for_reads_the_year():
    assert rules_for(2020).rule.small_unit_max_staff == 30
    assert rules_for(2017).wage_cap_multiple == D("2")
    assert rules_for(2016).wage_cap_multiple == D("3")


# --- 预计可节约 (001 残保金计算器) ---------------------------------------------------


@pytest.mark.parametrize(
    ("severe", "other", "avg", "disabled", "saving"),
    [
        (0, 0, 65000, 5536, D("0.00")),
        (12, 6, 6000, 4000, D("60000.00")),
        (1, 0, "5000.5", "4000.25", D("2000.50")),
        (0, 12, 4000, 5000, D("-12000.00")),
    ],
)
def test_estimate_savings(severe, other, avg, disabled, saving):
    assert estimate_savings(severe, other, avg, disabled) == saving


# --- input validation ---------------------------------------------------------------

def test_float_inputs_are_read_as_their_decimal_text():
    # 1000 × 0.015 is exactly 15 only in decimal; 180 severe months meet the quota exactly
    data = LevyInput(2025, 1000, 780000.0, 400000.0, 90, 0, ratio=0.015)
    result = estimate_levy(data)
    assert result.quota == D("15.000")
    assert result.rate == D("0")
    assert result.levy_full == D("0.00")
