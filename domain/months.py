"""Calendar-month helpers shared by the month checks, retirement and certificates.

The business year is judged month by month (001 人员信息校验), so "valid on at least one
day of the month" and "N months after a birth date" are needed in several rules.
"""

from __future__ import annotations

import calendar
from datetime import date


def month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's last day (31 Aug + 1 → 30 Sep)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def months_between(earlier: tuple[int, int], later: tuple[int, int]) -> int:
    """Whole months from (year, month) `earlier` to `later` (negative if later is earlier)."""
    return (later[0] - earlier[0]) * 12 + (later[1] - earlier[1])


def overlaps_month(start: date, end: date, year: int, month: int) -> bool:
    """Whether the closed period start..end shares at least one day with the month."""
    return start <= month_end(year, month) and end >= month_start(year, month)


def format_month(year: int, month: int) -> str:
    """2025年3月 — how reasons and notices name a month."""
    return f"{year}年{month}月"
