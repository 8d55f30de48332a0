"""Province parameters as dated data: national defaults, province files, owners' changes.

Each province sets its own quota ratio, declaration window (000 鞍山 Mar 1–Oct 31; 003
浙江 Mar 1–Dec 31, concentrated Apr 1–Jun 30), upload limit (001 10 MB, 002 100 MB) and
reward figures (002), while the levy relief and its thresholds are national (2020–2027).
``domain/data/params/national.json`` holds the defaults and ``<2-digit code>.json`` a
province's overrides; a province period wins on the days it covers, the national one
elsewhere. Minimum wages and social average wages are per region (province, city or
county; the most specific one with a figure wins).

Over the files lies a third layer: the dated changes a province's process owner makes
(`ParamChange`, stored by casework). A change from day D wins from D on, over the
province file and the national default, so an owner never edits a shipped file and a
release never overrides an owner's figure. The domain only sees changes through a
`ChangeSource` the application declares once (`use_changes`); every lookup through the
module functions asks that source for its generation and rebuilds the layered store only
when it moved, so each web and worker process sees a change without a restart.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from domain import regions
from domain.datafiles import DATA_DIR, read_json
from domain.dated import Period, parse_periods, value_on
from domain.errors import DomainError
from domain.param_changes import (
    ORIGIN_FILE,
    ORIGIN_NATIONAL,
    ChangeSource,
    ParamChange,
    Resolved,
    index_changes,
    latest,
)
from domain.params_types import (
    CONVERTERS,
    FIELD_LABELS,
    TABLE_CONVERTERS,
    DeclarationWindow,
    LevyRule,
    TimeLimits,
)

__all__ = [
    "FIELD_LABELS",
    "PARAMS_DIR",
    "ParamChange",
    "ParamsStore",
    "ProvinceParams",
    "current_store",
    "default_store",
    "minimum_wage",
    "params_for",
    "social_average_wage",
    "stop_using_changes",
    "use_changes",
]

PARAMS_DIR = DATA_DIR / "params"
NATIONAL = "national"
_CONVERTERS = CONVERTERS  # the one set of rules (domain.params_types), files and changes alike
_wage = TABLE_CONVERTERS["minimum_wage"]


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
    graduate_subsidy: Decimal  # 安置残疾大学生补贴 (yuan per graduate per year)
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
    demo: str = ""  # the file's "_demo" notice: its wage figures are not confirmed


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
        region: parse_periods(periods, f"{name}.最低工资标准.{region}", _wage)
        for region, periods in _table(raw, "minimum_wage", name).items()
    }
    social: dict[str, dict[int, Decimal]] = {}
    for region, by_year in _table(raw, "social_average_wage", name).items():
        try:
            social[region] = {int(y): _wage(v) for y, v in by_year.items()}
        except (ValueError, ArithmeticError, AttributeError, TypeError):
            raise DomainError(f"参数文件{name}中{region}的社会平均工资格式错误") from None
    if name != NATIONAL:
        for region in [*minimum, *social]:
            if region[:2] != name:
                raise DomainError(f"参数文件{name}.json中的地区{region}不属于该省")
    return _Source(fields, minimum, social, str(raw.get("_demo", "")))


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
    """Reads a directory of parameter files once and answers dated look-ups, with the
    owners' changes (if given) laid over the files.

    Tests build one on a temporary directory; the application uses the shipped data
    through the module functions below.
    """

    def __init__(self, directory: Path = PARAMS_DIR, changes: Iterable[ParamChange] = ()) -> None:
        self.directory = Path(directory)
        self._sources: dict[str, _Source | None] = {}
        self._changes = index_changes(changes)

    def with_changes(self, changes: Iterable[ParamChange]) -> ParamsStore:
        """The same files (parsed once, shared) under another set of changes."""
        layered = ParamsStore.__new__(ParamsStore)
        layered.directory = self.directory
        layered._sources = self._sources
        layered._changes = index_changes(changes)
        return layered

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

    # -- fields ---------------------------------------------------------------------------
    def resolve_field(self, prefix: str | None, key: str, on: date) -> Resolved:
        """The value of `key` in force on `on`: an owner's change, else the province file,
        else the national default (None or "" prefix: the national default only)."""
        if prefix:
            entry = latest(self._changes.fields.get((prefix, key), []), on)
            if entry is not None:
                return entry.resolved()
            source = self._source(prefix)
            period = value_on(source.fields.get(key, []), on) if source is not None else None
            if period is not None:
                return Resolved(period.value, period.start, period.end, period.note, ORIGIN_FILE)
        period = value_on(self._national().fields.get(key, []), on)
        if period is not None:
            return Resolved(period.value, period.start, period.end, period.note, ORIGIN_NATIONAL)
        where = _region_label(prefix + "0000") if prefix else "全国"
        raise DomainError(f"未维护{where}{on.isoformat()}适用的参数“{FIELD_LABELS[key]}”")

    def params_for(self, region_code: str | None, on: date) -> ProvinceParams:
        """Parameters of the region's province on `on` (None or "" → national defaults)."""
        prefix = _province_prefix(region_code) if region_code else None
        values = {key: self.resolve_field(prefix, key, on).value for key in _CONVERTERS}
        return ProvinceParams(
            province_code=(prefix + "0000") if prefix else "",
            on=on,
            **values,
        )

    # -- the per-region tables ------------------------------------------------------------
    def resolve_minimum_wage(self, region_code: str, day: date, *, exact: bool = False) -> Resolved | None:
        """The minimum wage figure in force on `day` for the region (the most specific
        region with one, or with `exact` only the region's own), None when there is none."""
        prefix = _province_prefix(region_code)
        source = self._source(prefix)
        for code in [region_code.strip()] if exact else _region_chain(region_code):
            entry = latest(self._changes.minimum_wage.get(code, []), day)
            if entry is not None:
                return entry.resolved(code)
            period = value_on(source.minimum_wage.get(code, []), day) if source is not None else None
            if period is not None:
                return Resolved(period.value, period.start, period.end, period.note, ORIGIN_FILE,
                                code, demo=bool(source and source.demo))
        return None

    def resolve_social_average_wage(
        self, region_code: str, year: int, on: date, *, exact: bool = False
    ) -> Resolved | None:
        """The social average wage of `year` for the region as known on `on`."""
        prefix = _province_prefix(region_code)
        source = self._source(prefix)
        for code in [region_code.strip()] if exact else _region_chain(region_code):
            entry = latest(self._changes.social_average_wage.get((code, year), []), on)
            if entry is not None:
                return entry.resolved(code)
            value = source.social_average_wage.get(code, {}).get(year) if source is not None else None
            if value is not None:
                return Resolved(value, None, None, "", ORIGIN_FILE, code, demo=bool(source and source.demo))
        return None

    def minimum_wage(self, region_code: str, year: int, month: int) -> float:
        """Monthly minimum wage in force on the first day of the month for the region.

        The first day is used because a raise during a month cannot be expected of
        wages already agreed for it.
        """
        found = self.resolve_minimum_wage(region_code, date(year, month, 1))
        if found is None:
            raise DomainError(
                f"未维护{_region_label(region_code)}{year}年{month}月适用的最低工资标准", "minimum_wage"
            )
        return float(found.value)

    def social_average_wage(self, region_code: str, year: int, on: date | None = None) -> float:
        """Annual social average wage of the region for the year (levy cap base), as known
        on `on`. Without a day: at the end of the following year, when that year's levy
        is declared (as `domain.levy` reads the other parameters at a fixed day)."""
        day = on or date(year + 1, 12, 31)
        found = self.resolve_social_average_wage(region_code, year, day)
        if found is None:
            raise DomainError(
                f"未维护{_region_label(region_code)}{year}年的社会平均工资", "social_avg_annual_wage"
            )
        return float(found.value)

    # -- what the parameter page shows ----------------------------------------------------
    def demo_notice(self, prefix: str) -> str:
        """The province file's note that its wage figures are for demonstration ("" if none)."""
        source = self._source(prefix)
        return source.demo if source is not None else ""

    def table_regions(self, prefix: str, table: str) -> list[str]:
        """Regions of the province with a figure in its file or an owner's change."""
        source = self._source(prefix)
        found: set[str] = set()
        if table == "minimum_wage":
            found |= set(source.minimum_wage) if source else set()
            found |= set(self._changes.minimum_wage)
        else:
            found |= set(source.social_average_wage) if source else set()
            found |= {region for region, _ in self._changes.social_average_wage}
        return sorted(code for code in found if code[:2] == prefix)

    def social_years(self, region_code: str) -> list[int]:
        """Years with a social average wage figure for exactly this region."""
        source = self._source(region_code[:2])
        years = set(source.social_average_wage.get(region_code, {})) if source else set()
        years |= {year for region, year in self._changes.social_average_wage if region == region_code}
        return sorted(years)

    def shipped_figures(self, prefix: str, table: str, region: str) -> Any:
        """The file's figures of one region as JSON: what an owner confirms as checked."""
        source = self._source(prefix)
        if source is None:
            return None
        if table == "minimum_wage":
            periods = source.minimum_wage.get(region)
            if not periods:
                return None
            return [[p.start.isoformat(), p.end.isoformat() if p.end else None, str(p.value)] for p in periods]
        by_year = source.social_average_wage.get(region)
        return {str(y): str(v) for y, v in sorted(by_year.items())} if by_year else None

    def _change_days(self, prefix: str, key: str, region: str, year: int | None) -> set[date]:
        """Days on which what is in force may change: starts and the day after each end."""
        periods: list[Period[Any]] = []
        if key in _CONVERTERS:
            periods += [e.period for e in self._changes.fields.get((prefix, key), [])]
            source = self._source(prefix)
            periods += source.fields.get(key, []) if source else []
            periods += self._national().fields.get(key, [])
        elif key == "minimum_wage":
            source = self._source(prefix)
            for code in _region_chain(region):
                periods += [e.period for e in self._changes.minimum_wage.get(code, [])]
                periods += source.minimum_wage.get(code, []) if source else []
        else:
            for code in _region_chain(region):
                periods += [e.period for e in self._changes.social_average_wage.get((code, year or 0), [])]
        days = {p.start for p in periods}
        days |= {p.end + timedelta(days=1) for p in periods if p.end is not None and p.end < date.max}
        return days

    def upcoming(
        self, prefix: str, key: str, today: date, *, region: str = "", year: int | None = None
    ) -> list[tuple[date, Resolved | None]]:
        """The dated changes after `today` that alter the value in force (a change hidden
        by a later one, or repeating the value, is left out); None: nothing applies."""

        def resolve(day: date) -> Resolved | None:
            if key in _CONVERTERS:
                try:
                    return self.resolve_field(prefix, key, day)
                except DomainError:
                    return None
            if key == "minimum_wage":
                return self.resolve_minimum_wage(region, day, exact=True)
            return self.resolve_social_average_wage(region, year or 0, day, exact=True)

        result: list[tuple[date, Resolved | None]] = []
        previous = resolve(today)
        for day in sorted(d for d in self._change_days(prefix, key, region, year) if d > today):
            current = resolve(day)
            if (current is None and previous is None) or (current is not None and current.same_as(previous)):
                continue
            result.append((day, current))
            previous = current
        return result


@cache
def default_store() -> ParamsStore:
    """The shipped files without any owner's change."""
    return ParamsStore(PARAMS_DIR)


class _Layering:
    """The one declared hook: which ChangeSource the module functions layer over the files,
    and the layered store built for its last generation."""

    def __init__(self) -> None:
        self.source: ChangeSource | None = None
        self.cached: tuple[ChangeSource, Hashable, ParamsStore] | None = None

    def store(self) -> ParamsStore:
        source = self.source
        if source is None:
            return default_store()
        generation = source.generation()
        cached = self.cached
        if cached is not None and cached[0] is source and cached[1] == generation:
            return cached[2]
        # read after the generation: a change committed in between is included early and
        # the next look-up rebuilds once more, never the reverse
        store = default_store().with_changes(source.changes())
        self.cached = (source, generation, store)
        return store


_layering = _Layering()


def use_changes(source: ChangeSource | None) -> None:
    """Declare where the owners' changes come from (the application does it once per
    process when it opens its database); None: the shipped files alone."""
    _layering.source = source
    _layering.cached = None


def stop_using_changes(source: ChangeSource) -> None:
    """Forget `source` if it is still the declared one (its database is being closed)."""
    if _layering.source is source:
        use_changes(None)


def current_store() -> ParamsStore:
    """The files with the declared owners' changes over them, as of now."""
    return _layering.store()


def params_for(region_code: str | None, on: date) -> ProvinceParams:
    """Parameters of the region's province on `on` (files and owners' changes)."""
    return current_store().params_for(region_code, on)


def minimum_wage(region_code: str, year: int, month: int) -> float:
    return current_store().minimum_wage(region_code, year, month)


def social_average_wage(region_code: str, year: int, on: date | None = None) -> float:
    return current_store().social_average_wage(region_code, year, on)
