"""残疾人就业保障金 estimate (001 残保金计算器; rules of 财税〔2015〕72号 and the 2020–2027 relief).

应缴 = (在职职工人数 × 比例 − 实际安排人数) × 在职职工年平均工资, the wage capped at
``wage_cap_multiple`` × the local social average wage; 实际安排人数 = (2 × 1–2级人月 +
其他人月) / 12. During the relief (2020–2027) small enterprises are exempt and units below
the quota pay a share by their actual ratio. Every rate, threshold, cap and period comes
from the dated ``levy_rule`` / ``wage_cap_multiple`` parameters, never from this code.
Arithmetic is exact (Fraction) and rounded once, to the fen, half up.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from domain.params import params_for
from domain.params_types import LevyRule

FEN = Decimal("0.01")
MONTHS_PER_YEAR = 12


@dataclass(frozen=True)
class LevyInput:
    year: int
    staff_count: int
    avg_annual_wage: Decimal
    social_avg_annual_wage: Decimal
    severe_person_months: int  # 残疾人证1–2级 / 残疾军人证1–3级, counted twice
    other_person_months: int
    ratio: Decimal | None = None  # None → the province (or national) quota ratio
    is_enterprise: bool = True
    region_code: str | None = None  # province whose ratio applies; None → national


@dataclass(frozen=True)
class LevyResult:
    quota: Decimal  # 应安排人数 = staff × ratio
    actual: Decimal  # 实际安排人数, shown to 4 decimals (the levy uses the exact value)
    wage_base: Decimal  # min(average wage, cap × social average)
    levy_full: Decimal  # before the relief rate, to the fen
    rate: Decimal  # share of levy_full that is due
    levy_due: Decimal  # levy_full × rate, to the fen
    exempt: bool  # small-unit exemption applied
    ratio: Decimal  # the quota ratio used


@dataclass(frozen=True)
class LevyRules:
    """The dated parameters one year's levy needs."""

    rule: LevyRule
    wage_cap_multiple: Decimal
    quota_ratio: Decimal


def rules_for(year: int, region_code: str | None = None) -> LevyRules:
    """Parameters in force at the end of the business year being levied."""
    params = params_for(region_code, date(year, 12, 31))
    return LevyRules(params.levy_rule, params.wage_cap_multiple, params.quota_ratio)


def _decimal(value: Decimal | float | int) -> Decimal:
    """Decimal of what a caller passed; a float goes through its text (0.015, not 0.01499…)."""
    return value if isinstance(value, Decimal) else Decimal(str(value))


def to_fen(value: Fraction | Decimal) -> Decimal:
    """Round to the fen, half up, from an exact value."""
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
        # Decimal division keeps 28 significant digits: ample for yuan amounts.
        return exact.quantize(FEN, rounding=ROUND_HALF_UP)
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def _four_places(value: Fraction) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)


def actual_persons(severe_person_months: int, other_person_months: int) -> Fraction:
    """实际安排人数 = (2 × severe + other) / 12, exactly."""
    return Fraction(2 * severe_person_months + other_person_months, MONTHS_PER_YEAR)


def estimate_levy(data: LevyInput, rules: LevyRules | None = None) -> LevyResult:
    """The levy for one year; `rules` defaults to the shipped parameters for the year."""
    rules = rules if rules is not None else rules_for(data.year, data.region_code)
    ratio = _decimal(data.ratio if data.ratio is not None else rules.quota_ratio)
    quota = Fraction(data.staff_count) * Fraction(ratio)
    actual = actual_persons(data.severe_person_months, data.other_person_months)
    cap = Fraction(rules.wage_cap_multiple) * Fraction(_decimal(data.social_avg_annual_wage))
    wage_base = min(Fraction(_decimal(data.avg_annual_wage)), cap)
    levy_full = to_fen(max(Fraction(0), quota - actual) * wage_base)

    exempt = rules.rule.is_exempt(data.staff_count, data.is_enterprise)
    if exempt or actual >= quota:
        rate = Decimal(0)
    else:
        rate = rules.rule.rate_for(actual / data.staff_count)
    return LevyResult(
        quota=Decimal(data.staff_count) * ratio,
        actual=_four_places(actual),
        wage_base=to_fen(wage_base),
        levy_full=levy_full,
        rate=rate,
        levy_due=to_fen(levy_full * rate),
        exempt=exempt,
        ratio=ratio,
    )


def estimate_savings(
    severe_months: int,
    other_months: int,
    avg_monthly_wage: Decimal | float | int,
    disabled_monthly_wage: Decimal | float | int,
) -> Decimal:
    """001 残保金计算器 预计可节约 = (1–2级人月 × 2 + 3–4级人月) × (平均月薪 − 残疾员工月薪).

    The calculator's own formula, shown as is: it may be negative when disabled staff
    earn more than the average, which tells the employer placement costs more than it saves.
    """
    months = 2 * severe_months + other_months
    difference = Decimal(str(avg_monthly_wage)) - Decimal(str(disabled_monthly_wage))
    return to_fen(months * difference)


# Sane business years for a levy estimate (the levy dates from 《残疾人就业条例》 2007).
YEAR_RANGE = range(2007, 2100)

# How each input is named in messages (the request is declared in casework.schemas.levy).
FIELD_LABELS = {
    "year": "业务年度",
    "staff_count": "在职职工人数",
    "avg_annual_wage": "在职职工年平均工资",
    "social_avg_annual_wage": "当地社会平均工资",
    "severe_person_months": "1–2级（含军人1–3级）安置人月数",
    "other_person_months": "其他等级安置人月数",
    "ratio": "安置比例",
    "is_enterprise": "是否企业",
    "region_code": "行政区划",
}
