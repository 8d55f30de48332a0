"""Dated parameter values: a list of periods ``{"from", "to"?, "value"}``, one in force per day.

Rates, caps and wages change by announcement on a given date (the levy relief runs
2020-01-01 to 2027-12-31; minimum wages rise on a published day), and a case must be
judged with the figures of its own business year, not today's. So no parameter is a bare
value: each is a list of periods, and a lookup names the day.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from domain.errors import DomainError

T = TypeVar("T")


@dataclass(frozen=True)
class Period(Generic[T]):
    start: date
    end: date | None  # inclusive; None while open-ended
    value: T
    note: str = ""

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def parse_day(text: Any, what: str) -> date:
    try:
        return date.fromisoformat(str(text))
    except ValueError:
        raise DomainError(f"参数“{what}”的日期格式错误：{text}（应为YYYY-MM-DD）") from None


def parse_periods(raw: Any, what: str, convert: Callable[[Any], T]) -> list[Period[T]]:
    """Read a JSON list of periods, converting each value; bad data names the parameter."""
    if not isinstance(raw, list):
        raise DomainError(f"参数“{what}”应为按日期分段的列表")
    periods: list[Period[T]] = []
    for item in raw:
        if not isinstance(item, dict) or "from" not in item or "value" not in item:
            raise DomainError(f"参数“{what}”的每一段须包含from和value")
        start = parse_day(item["from"], what)
        end = parse_day(item["to"], what) if item.get("to") else None
        if end is not None and end < start:
            raise DomainError(f"参数“{what}”的时段结束日期早于开始日期：{item['from']}～{item['to']}")
        try:
            value = convert(item["value"])
        except (TypeError, ValueError, KeyError, ArithmeticError) as exc:
            raise DomainError(f"参数“{what}”的取值错误：{item['value']!r}（{exc}）") from None
        periods.append(Period(start, end, value, str(item.get("note", ""))))
    return periods


def value_on(periods: Sequence[Period[T]], day: date) -> Period[T] | None:
    """The period in force on `day`; when periods overlap the one that started last wins.

    A later announcement is usually entered as a new open period without closing the old
    one, and it must take over from its own start date.
    """
    covering = [p for p in periods if p.covers(day)]
    return max(covering, key=lambda p: p.start) if covering else None
