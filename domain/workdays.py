"""Working-day arithmetic for time limits (003: 3 / 10 / 7 / 20 个工作日).

Chinese public holidays move every year and come with make-up working days (调休), so a
time limit is counted on the official calendar: ``chinese_calendar`` (which knows
2004–2026 and raises NotImplementedError outside), then a ``HolidayTable`` an
administrator extends for later years, and only then Monday–Friday with a visible warning.
A deadline must never crash a case because a year is not yet published.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import chinese_calendar

from domain.errors import DomainError

CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
MAX_SPAN_DAYS = 3660  # refuse runaway loops on absurd input (about ten years)


def _unmaintained_warning(year: int) -> str:
    return f"{year}年节假日安排尚未维护，已按周一至周五计算"


@dataclass
class HolidayTable:
    """Holidays and make-up working days entered by an administrator (JSON-able).

    A year is "maintained" when listed in `years` or when any date of it is entered;
    within a maintained year, unlisted days follow Monday–Friday. Entries also override
    ``chinese_calendar`` for years it knows, so a late change of arrangement can be applied.
    """

    holidays: set[date] = field(default_factory=set)
    workdays: set[date] = field(default_factory=set)  # 调休上班的周末
    years: set[int] = field(default_factory=set)

    def maintained_years(self) -> set[int]:
        return self.years | {d.year for d in self.holidays | self.workdays}

    def add_holiday(self, day: date) -> None:
        self.workdays.discard(day)
        self.holidays.add(day)

    def add_workday(self, day: date) -> None:
        self.holidays.discard(day)
        self.workdays.add(day)

    def to_dict(self) -> dict[str, Any]:
        return {
            "years": sorted(self.years),
            "holidays": [d.isoformat() for d in sorted(self.holidays)],
            "workdays": [d.isoformat() for d in sorted(self.workdays)],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HolidayTable:
        """Read what to_dict wrote (or an administrator typed); bad dates are DomainErrors."""

        def days(key: str) -> set[date]:
            result = set()
            for text in data.get(key, []):
                try:
                    result.add(date.fromisoformat(str(text)))
                except ValueError:
                    raise DomainError(f"节假日表中的日期格式错误：{text}（应为YYYY-MM-DD）", key) from None
            return result

        holidays, workdays = days("holidays"), days("workdays")
        both = holidays & workdays
        if both:
            raise DomainError(
                f"同一日期不能既是节假日又是调休工作日：{min(both).isoformat()}", "holidays"
            )
        try:
            years = {int(y) for y in data.get("years", [])}
        except (TypeError, ValueError):
            raise DomainError("节假日表中的年份须为整数", "years") from None
        return cls(holidays=holidays, workdays=workdays, years=years)


def _classify(day: date, table: HolidayTable | None) -> tuple[bool, str | None]:
    """(is working day, warning or None)."""
    if table is not None:
        if day in table.holidays:
            return False, None
        if day in table.workdays:
            return True, None
        if day.year in table.maintained_years():
            return day.weekday() < 5, None
    try:
        return chinese_calendar.is_workday(day), None
    except NotImplementedError:
        return day.weekday() < 5, _unmaintained_warning(day.year)


def is_working_day(day: date, table: HolidayTable | None = None) -> bool:
    """Whether `day` is a working day (官方节假日与调休; fallback Monday–Friday)."""
    return _classify(day, table)[0]


@dataclass(frozen=True)
class WorkdayResult:
    due: datetime
    warnings: list[str] = field(default_factory=list)


def _local_date(moment: datetime) -> date:
    """The calendar day in China: naive datetimes are taken as Beijing time."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(CHINA_TZ).date()


def add_working_days(start: datetime, n: int, table: HolidayTable | None = None) -> WorkdayResult:
    """The moment `n` working days after `start`, at the same time of day.

    The day of `start` itself is not counted (a limit of 3 working days set on a Friday
    ends on the third working day after it). From Fri 2025-09-26 10:00, 10 working days
    is 2025-10-16 10:00: the National Day holiday is skipped and the make-up Sunday
    2025-09-28 and Saturday 2025-10-11 count.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    local = start.astimezone(CHINA_TZ) if start.tzinfo is not None else start
    day = local.date()
    warnings: list[str] = []
    counted = 0
    for _ in range(MAX_SPAN_DAYS):
        if counted == n:
            break
        day += timedelta(days=1)
        working, warning = _classify(day, table)
        if warning and warning not in warnings:
            warnings.append(warning)
        counted += working
    else:
        raise DomainError(f"{n}个工作日超出可计算范围")
    due = datetime.combine(day, local.timetz())
    if start.tzinfo is not None:
        due = due.astimezone(start.tzinfo)
    return WorkdayResult(due=due, warnings=warnings)


def working_days_between(a: date | datetime, b: date | datetime, table: HolidayTable | None = None) -> int:
    """Working days d with a < d ≤ b (so add_working_days(a, n) lands n after a); negative if b < a."""
    first = _local_date(a) if isinstance(a, datetime) else a
    last = _local_date(b) if isinstance(b, datetime) else b
    if last < first:
        return -working_days_between(last, first, table)
    if (last - first).days > MAX_SPAN_DAYS:
        raise DomainError("日期间隔过长，无法计算工作日")
    return sum(
        is_working_day(first + timedelta(days=i), table) for i in range(1, (last - first).days + 1)
    )


def calendar_warnings(a: date, b: date, table: HolidayTable | None = None) -> list[str]:
    """Warnings for the years between a and b that neither source knows."""
    warnings: list[str] = []
    for year in range(min(a, b).year, max(a, b).year + 1):
        _, warning = _classify(date(year, 1, 1), table)
        if warning and warning not in warnings:
            warnings.append(warning)
    return warnings
