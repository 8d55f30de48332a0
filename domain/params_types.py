"""The structured values a province parameter can hold: window, levy rule, time limits.

Kept apart from the loader (``domain.params``) so that the levy and the engine can use
these shapes, and tests can build them, without reading any file. The converters at the
end are the one set of rules every value passes, whether it comes from a shipped file or
from a process owner's change (``domain.param_changes``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from domain.errors import DomainError

FEMALE_TRACK_VALUES = ("cadre", "worker")
MAX_TIME_LIMIT = 250  # working days, about a year


def _month_day(text: str) -> tuple[int, int]:
    month, day = (int(part) for part in str(text).split("-"))
    date(2024, month, day)  # raises ValueError for 02-30; 2024 admits 02-29
    return month, day


def _on(year: int, month_day: tuple[int, int]) -> date:
    month, day = month_day
    if (month, day) == (2, 29) and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        day = 28
    return date(year, month, day)


@dataclass(frozen=True)
class DeclarationWindow:
    """申报期: the days of a calendar year when units declare the previous business year.

    000: 鞍山 accepts 2025 declarations from 2026-03-01 to 2026-10-31; 003: 浙江 from
    March 1 to December 31 with a concentrated period April 1 – June 30.
    """

    start: tuple[int, int]  # (month, day)
    end: tuple[int, int]
    concentrated_start: tuple[int, int] | None = None
    concentrated_end: tuple[int, int] | None = None

    @classmethod
    def from_data(cls, raw: dict[str, Any]) -> DeclarationWindow:
        window = cls(
            start=_month_day(raw["start"]),
            end=_month_day(raw["end"]),
            concentrated_start=_month_day(raw["concentrated_start"]) if raw.get("concentrated_start") else None,
            concentrated_end=_month_day(raw["concentrated_end"]) if raw.get("concentrated_end") else None,
        )
        if window.end < window.start:
            raise ValueError("申报期结束早于开始")
        if (window.concentrated_start is None) != (window.concentrated_end is None):
            raise ValueError("集中申报期须同时给出开始和结束")
        if window.concentrated_start is not None and window.concentrated_end is not None and not (
            window.start <= window.concentrated_start <= window.concentrated_end <= window.end
        ):
            raise ValueError("集中申报期须在申报期之内，且结束不早于开始")
        return window

    def dates(self, calendar_year: int) -> tuple[date, date]:
        """First and last day of the window in a calendar year (for business year − 1)."""
        return _on(calendar_year, self.start), _on(calendar_year, self.end)

    def concentrated_dates(self, calendar_year: int) -> tuple[date, date] | None:
        if self.concentrated_start is None or self.concentrated_end is None:
            return None
        return _on(calendar_year, self.concentrated_start), _on(calendar_year, self.concentrated_end)

    def is_open(self, day: date) -> bool:
        first, last = self.dates(day.year)
        return first <= day <= last

    def is_concentrated(self, day: date) -> bool:
        period = self.concentrated_dates(day.year)
        return period is not None and period[0] <= day <= period[1]

    def business_year_for(self, day: date) -> int:
        """The business year declared on `day` (the previous calendar year)."""
        return day.year - 1


@dataclass(frozen=True)
class LevyTier:
    """Pay `rate` of the full levy when the actual ratio is at least `min_actual_ratio`."""

    min_actual_ratio: Decimal
    rate: Decimal


@dataclass(frozen=True)
class LevyRule:
    """The levy relief in force for a period (财政部公告2019年第98号, 2023年第8号).

    2020–2027: enterprises with at most 30 staff are exempt; a unit below the quota pays
    50% when its actual ratio is at least 1%, 90% otherwise. Outside the relief the whole
    shortfall is due (no tiers, base rate 1).
    """

    small_unit_max_staff: int | None
    small_unit_enterprise_only: bool
    tiers: tuple[LevyTier, ...]  # highest threshold first
    base_rate: Decimal

    @classmethod
    def from_data(cls, raw: dict[str, Any]) -> LevyRule:
        tiers = tuple(
            sorted(
                (LevyTier(Decimal(str(t["min_actual_ratio"])), Decimal(str(t["rate"]))) for t in raw["tiers"]),
                key=lambda t: t.min_actual_ratio,
                reverse=True,
            )
        )
        rates = [t.rate for t in tiers] + [Decimal(str(raw["base_rate"]))]
        if any(not r.is_finite() or r < 0 or r > 1 for r in rates):
            raise ValueError("征收比例须在0到1之间")
        limit = raw.get("small_unit_max_staff")
        return cls(
            small_unit_max_staff=None if limit is None else int(limit),
            small_unit_enterprise_only=bool(raw.get("small_unit_enterprise_only", True)),
            tiers=tiers,
            base_rate=rates[-1],
        )

    def is_exempt(self, staff_count: int, is_enterprise: bool) -> bool:
        """Small-unit exemption (在职职工总数30人（含）以下的企业暂免征收)."""
        if self.small_unit_max_staff is None:
            return False
        if self.small_unit_enterprise_only and not is_enterprise:
            return False
        return staff_count <= self.small_unit_max_staff

    def rate_for(self, actual_ratio: Decimal | Fraction | float) -> Decimal:
        """Share of the full levy due for a unit below its quota with this actual ratio.

        Compared as exact fractions so that 1 person in 100 staff is exactly 1%.
        """
        exact = Fraction(actual_ratio)
        for tier in self.tiers:
            if exact >= Fraction(tier.min_actual_ratio):
                return tier.rate
        return self.base_rate


@dataclass(frozen=True)
class TimeLimits:
    """Working-day time limits of 003 四、申办业务流程及时限要求 (and 001 for the download)."""

    window_acceptance: int  # 窗口受理
    manual_review: int  # 人工审核
    feedback: int  # 年审认证反馈, after certification
    send_to_tax: int  # 报送税务, after first certification
    certificate_download_after: int  # 审核认定书 downloadable after 完成申报

    @classmethod
    def from_data(cls, raw: dict[str, Any]) -> TimeLimits:
        values = {key: raw[key] for key in cls.__dataclass_fields__}
        # a bound keeps a typing error from setting a timer decades away
        if any(isinstance(v, bool) or int(v) != v or not 0 <= v <= MAX_TIME_LIMIT for v in values.values()):
            raise ValueError(f"时限须为0至{MAX_TIME_LIMIT}之间的整数（工作日）")
        return cls(**{k: int(v) for k, v in values.items()})


# -- what each parameter is called and which values it admits ---------------------------

FIELD_LABELS: dict[str, str] = {
    "quota_ratio": "安置比例",
    "upload_limit_mb": "上传文件大小上限",
    "declaration_window": "申报期",
    "levy_rule": "残保金征收规则",
    "wage_cap_multiple": "工资封顶倍数",
    "reward_base": "超比例奖励基数",
    "reward_coefficient": "超比例奖励系数",
    "graduate_subsidy": "安置残疾大学生补贴标准",
    "time_limits": "办理时限",
    "female_retirement_track": "女职工退休年龄口径",
    "withdrawal_needs_supervisor": "年审申报撤回须业务主管审批",
}
# the two per-region tables, kept apart from the fields because they are looked up by region
TABLE_LABELS: dict[str, str] = {
    "minimum_wage": "最低工资标准",
    "social_average_wage": "社会平均工资",
}
# set by national policy (财政部公告2019年第98号, 财税〔2017〕18号): no province changes them
NATIONAL_ONLY = frozenset({"levy_rule", "wage_cap_multiple"})
MAX_UPLOAD_LIMIT_MB = 100  # the web app refuses bodies above 110 MB before any check
MIN_QUOTA_RATIO = Decimal("0.015")  # 《残疾人就业条例》第八条：不得低于在职职工总数的1.5%


def _positive_decimal(raw: Any) -> Decimal:
    value = Decimal(str(raw))
    if not value.is_finite() or value <= 0:
        raise ValueError("须为正数")
    return value


def _ratio(raw: Any) -> Decimal:
    """The quota ratio: a province sets it, but never below the national floor."""
    value = _positive_decimal(raw)
    if value >= 1:
        raise ValueError("须小于1")
    if value < MIN_QUOTA_RATIO:
        raise ValueError("不得低于1.5%（《残疾人就业条例》第八条）")
    return value


def _positive_int(raw: Any) -> int:
    if isinstance(raw, bool) or int(raw) != raw or int(raw) <= 0:
        raise ValueError("须为正整数")
    return int(raw)


def _upload_limit(raw: Any) -> int:
    """A limit above what the web app accepts at all would promise uploads it refuses."""
    value = _positive_int(raw)
    if value > MAX_UPLOAD_LIMIT_MB:
        raise ValueError(f"不能超过{MAX_UPLOAD_LIMIT_MB}")
    return value


def _yes_no(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError("须为true或false")
    return raw


def _female_track(raw: Any) -> str:
    if raw not in FEMALE_TRACK_VALUES:
        raise ValueError(f"须为{'或'.join(FEMALE_TRACK_VALUES)}")
    return str(raw)


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "quota_ratio": _ratio,
    "upload_limit_mb": _upload_limit,
    "declaration_window": DeclarationWindow.from_data,
    "levy_rule": LevyRule.from_data,
    "wage_cap_multiple": _positive_decimal,
    "reward_base": _positive_decimal,
    "reward_coefficient": _positive_decimal,
    "graduate_subsidy": _positive_decimal,
    "time_limits": TimeLimits.from_data,
    "female_retirement_track": _female_track,
    "withdrawal_needs_supervisor": _yes_no,
}
TABLE_CONVERTERS: dict[str, Callable[[Any], Decimal]] = {
    "minimum_wage": _positive_decimal,
    "social_average_wage": _positive_decimal,
}
_CHINESE = re.compile(r"[\u4e00-\u9fff]")


def check_value(key: str, raw: Any) -> Any:
    """Convert a value as a file or an owner's change gives it: one set of rules for both.

    Raises a DomainError with a Chinese message: the converter's own when it is one, else
    a general one (Python's "invalid literal for int()" is of no use to an office).
    """
    convert = CONVERTERS.get(key) or TABLE_CONVERTERS.get(key)
    if convert is None:
        raise DomainError("未知的参数", "field")
    try:
        return convert(raw)
    except (TypeError, ValueError, KeyError, ArithmeticError, AttributeError) as exc:
        text = str(exc)
        raise DomainError(text if _CHINESE.search(text) else "取值格式不正确", key) from None
