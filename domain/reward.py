"""超比例奖励 (002): reward for placing more disabled staff than the quota requires.

002's screen: 上年度在职职工总数 30, 上年度安置残疾人数 2, 安置比例残疾人数 1 (= ceil(30 ×
1.5%)), 安置系数 1.5, 超比例奖励金额 9900 — i.e. (placed − quota persons) × coefficient ×
base with base 6600. Base and coefficient are province parameters (``domain.params``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from domain.errors import DomainError
from domain.params import params_for

FEN = Decimal("0.01")


@dataclass(frozen=True)
class RewardResult:
    quota_persons: int  # 安置比例残疾人数, rounded up
    excess: Decimal  # 超比例安置残疾人数 (0 when not above the quota)
    reward: Decimal  # 超比例奖励金额, to the fen
    coefficient: Decimal
    base: Decimal


def _decimal(value: Decimal | float | int | str, label: str) -> Decimal:
    if isinstance(value, bool):
        raise DomainError(f"{label}须为数字")
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        raise DomainError(f"{label}须为数字") from None
    if not number.is_finite() or number < 0:
        raise DomainError(f"{label}须为非负数字")
    return number


def quota_persons(staff_count: int, ratio: Decimal | float | str) -> int:
    """ceil(staff × ratio), in Decimal: 30 × 1.5% = 0.45 → 1, and 200 × 1.5% is exactly 3."""
    product = _decimal(staff_count, "在职职工总数") * _decimal(ratio, "安置比例")
    return int(product.to_integral_value(rounding=ROUND_CEILING))


def compute_reward(
    staff_count: int,
    placed: Decimal | float | int,
    ratio: Decimal | float | str,
    coefficient: Decimal | float | str,
    base: Decimal | float | str,
) -> RewardResult:
    """The reward for `placed` disabled staff (实际安排人数, may be fractional)."""
    quota = quota_persons(staff_count, ratio)
    coef = _decimal(coefficient, "安置系数")
    amount_base = _decimal(base, "奖励基数")
    excess = _decimal(placed, "安置残疾人数") - quota
    if excess <= 0:
        return RewardResult(quota, Decimal(0), Decimal("0.00"), coef, amount_base)
    reward = (excess * coef * amount_base).quantize(FEN, rounding=ROUND_HALF_UP)
    return RewardResult(quota, excess, reward, coef, amount_base)


def reward_for(region_code: str, year: int, staff_count: int, placed: Decimal | float | int) -> RewardResult:
    """The reward with the province's ratio, coefficient and base for the business year."""
    params = params_for(region_code, date(year, 12, 31))
    return compute_reward(
        staff_count, placed, params.quota_ratio, params.reward_coefficient, params.reward_base
    )
