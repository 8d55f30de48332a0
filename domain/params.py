"""Province parameters as dated data: national defaults, overridden field by field per province.

Each province sets its own quota ratio, declaration window (000 鞍山 Mar 1–Oct 31; 003
浙江 Mar 1–Dec 31, concentrated Apr 1–Jun 30), upload limit (001 10 MB, 002 100 MB) and
reward figures (002), while the levy relief and its thresholds are national (2020–2027).
``domain/data/params/national.json`` holds the defaults and ``<2-digit code>.json`` a
province's overrides; a province period wins on the days it covers, the national one
elsewhere. Minimum wages and social average wages are per region (province, city or
county; the most specific one with a figure wins).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from domain import regions
from domain.datafiles import DATA_DIR, read_json
from domain.dated import Period, parse_periods, value_on
from domain.errors import DomainError
from domain.params_types import (
    FEMALE_TRACK_VALUES,
    DeclarationWindow,
    LevyRule,
    TimeLimits,
)

PARAMS_DIR = DATA_DIR / "params"
NATIONAL = "national"

FIELD_LABELS: dict[str, str] = {
    "quota_ratio": "安置比例",
    "upload_limit_mb": "上传文件大小上限",
    "declaration_window": "申报期",
    "levy_rule": "残保金征收规则",
    "wage_cap_multiple": "工资封顶倍数",
    "reward_base": "超比例奖励基数",
    "reward_coefficient": "超比例奖励系数",
    "time_limits": "办理时限",
    "female_retirement_track": "女职工退休年龄口径",
    "withdrawal_needs_supervisor": "年审申报撤回须业务主管审批",
}


def _positive_decimal(raw: Any) -> Decimal:
    value = Decimal(str(raw))
    if not value.is_finite() or value <= 0:
        raise ValueError("须为正数")
    return value


def _ratio(raw: Any) -> Decimal:
    value = _positive_decimal(raw)
    if value >= 1:
        raise ValueError("须小于1")
    return value


def _positive_int(raw: Any) -> int:
    if isinstance(raw, bool) or int(raw) != raw or int(raw) <= 0:
        raise ValueError("须为正整数")
    return int(raw)


def _yes_no(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError("须为true或false")
    return raw


def _female_track(raw: Any) -> str:
    if raw not in FEMALE_TRACK_VALUES:
        raise ValueError(f"须为{'或'.join(FEMALE_TRACK_VALUES)}")
    return str(raw)


_CONVERTERS = {
    "quota_ratio": _ratio,
    "upload_limit_mb": _positive_int,
    "declaration_window": DeclarationWindow.from_data,
    "levy_rule": LevyRule.from_data,
    "wage_cap_multiple": _positive_decimal,
    "reward_base": _positive_decimal,
    "reward_coefficient": _positive_decimal,
    "time_limits": TimeLimits.from_data,
    "female_retirement_track": _female_track,
    "withdrawal_needs_supervisor": _yes_no,
}


@dataclass(frozen=True)
class ProvinceParams:
    """The parameters in force in one province on one day.

    Ratios, rates and money are Decimal because the levy and the reward are computed
    to the fen with them.
    """

    province_code: str  # 6-digit code of the province ("210000")
    on: date
    quota_ratio: Decimal
    upload_limit_mb: int
    declaration_window: DeclarationWindow
    levy_rule: LevyRule
    wage_cap_multiple: Decimal
    reward_base: Decimal
    reward_coefficient: Decimal
    time_limits: TimeLimits
    female_retirement_track: str
    withdrawal_needs_supervisor: bool  # a supervisor approves 年审申报撤回 after the reviewer

    @property
    def upload_limit_bytes(self) -> int:
        return self.upload_limit_mb * 1024 * 1024


@dataclass(frozen=True)
class _Source:
    """One parsed parameter file."""

    fields: dict[str, list[Period[Any]]]
    minimum_wage: dict[str, list[Period[Decimal]]]
    social_average_wage: dict[str, dict[int, Decimal]]


def _table(raw: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    table = raw.get(key, {})
    if not isinstance(table, dict):
        raise DomainError(f"参数文件{name}.json中的{key}应为按地区代码的对象")
    return table


def _parse_source(raw: Any, name: str) -> _Source:
    if not isinstance(raw, dict):
        raise DomainError(f"参数文件{name}.json应为JSON对象")
    fields = {
        key: parse_periods(raw[key], f"{name}.{FIELD_LABELS[key]}", convert)
        for key, convert in _CONVERTERS.items()
        if key in raw
    }
    minimum = {
        region: parse_periods(periods, f"{name}.最低工资标准.{region}", _positive_decimal)
        for region, periods in _table(raw, "minimum_wage", name).items()
    }
    social: dict[str, dict[int, Decimal]] = {}
    for region, by_year in _table(raw, "social_average_wage", name).items():
        try:
            social[region] = {int(y): _positive_decimal(v) for y, v in by_year.items()}
        except (ValueError, ArithmeticError, AttributeError, TypeError):
            raise DomainError(f"参数文件{name}中{region}的社会平均工资格式错误") from None
    if name != NATIONAL:
        for region in [*minimum, *social]:
            if region[:2] != name:
                raise DomainError(f"参数文件{name}.json中的地区{region}不属于该省")
    return _Source(fields, minimum, social)


def _province_prefix(region_code: str) -> str:
    code = (region_code or "").strip()
    if len(code) != 6 or not code.isdigit():
        raise DomainError("行政区划代码应为6位数字", "region_code")
    if regions.find(code[:2] + "0000") is None:
        raise DomainError("所选行政区划不存在", "region_code")
    return code[:2]


def _region_chain(region_code: str) -> list[str]:
    """County, then city, then province code; a revoked code also tries its successor."""
    code = region_code.strip()
    chain = [code]
    known = regions.find(code)
    if known is not None and known.successor:
        chain.append(known.successor)
    for candidate in (code[:4] + "00", code[:2] + "0000"):
        if candidate not in chain:
            chain.append(candidate)
    return chain


def _region_label(region_code: str) -> str:
    region = regions.nearest_known(region_code)
    return regions.full_name(region.code, separator="") if region is not None else region_code


class ParamsStore:
    """Reads a directory of parameter files once and answers dated look-ups.

    Tests build one on a temporary directory; the application uses the shipped data
    through the module functions below.
    """

    def __init__(self, directory: Path = PARAMS_DIR) -> None:
        self.directory = Path(directory)
        self._sources: dict[str, _Source | None] = {}

    def _source(self, name: str) -> _Source | None:
        if name not in self._sources:
            path = self.directory / f"{name}.json"
            if name != NATIONAL and not path.exists():
                self._sources[name] = None
            else:
                self._sources[name] = _parse_source(read_json(path), name)
        return self._sources[name]

    def _national(self) -> _Source:
        source = self._source(NATIONAL)
        assert source is not None
        return source

    def _field(self, prefix: str | None, key: str, on: date, where: str) -> Any:
        sources = [self._source(prefix)] if prefix else []
        for source in [*sources, self._national()]:
            if source is None or key not in source.fields:
                continue
            period = value_on(source.fields[key], on)
            if period is not None:
                return period.value
        raise DomainError(f"未维护{where}{on.isoformat()}适用的参数“{FIELD_LABELS[key]}”")

    def params_for(self, region_code: str | None, on: date) -> ProvinceParams:
        """Parameters of the region's province on `on` (None or "" → national defaults)."""
        prefix = _province_prefix(region_code) if region_code else None
        where = _region_label(prefix + "0000") if prefix else "全国"
        values = {key: self._field(prefix, key, on, where) for key in _CONVERTERS}
        return ProvinceParams(
            province_code=(prefix + "0000") if prefix else "",
            on=on,
            **values,
        )

    def minimum_wage(self, region_code: str, year: int, month: int) -> float:
        """Monthly minimum wage in force on the first day of the month for the region.

        The first day is used because a raise during a month cannot be expected of
        wages already agreed for it.
        """
        prefix = _province_prefix(region_code)
        source = self._source(prefix)
        day = date(year, month, 1)
        if source is not None:
            for code in _region_chain(region_code):
                period = value_on(source.minimum_wage.get(code, []), day)
                if period is not None:
                    return float(period.value)
        raise DomainError(
            f"未维护{_region_label(region_code)}{year}年{month}月适用的最低工资标准", "minimum_wage"
        )

    def social_average_wage(self, region_code: str, year: int) -> float:
        """Annual social average wage of the region for the year (levy cap base)."""
        prefix = _province_prefix(region_code)
        source = self._source(prefix)
        if source is not None:
            for code in _region_chain(region_code):
                value = source.social_average_wage.get(code, {}).get(year)
                if value is not None:
                    return float(value)
        raise DomainError(
            f"未维护{_region_label(region_code)}{year}年的社会平均工资", "social_avg_annual_wage"
        )


@cache
def default_store() -> ParamsStore:
    return ParamsStore(PARAMS_DIR)


def params_for(region_code: str | None, on: date) -> ProvinceParams:
    """Shipped parameters of the region's province on `on`."""
    return default_store().params_for(region_code, on)


def minimum_wage(region_code: str, year: int, month: int) -> float:
    return default_store().minimum_wage(region_code, year, month)


def social_average_wage(region_code: str, year: int) -> float:
    return default_store().social_average_wage(region_code, year)
