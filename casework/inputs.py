"""Parsers of single values with Chinese errors, used by the declarations of
`casework.schemas` (dates, money) and by the rules that need the database (`collect`
gathers their messages so that the user fixes all at once). Field types, required fields
and limits are declared in `casework.schemas`, not here.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.errors import DomainError, FieldErrors


def a_date(value: Any, field: str, label: str) -> date:
    if isinstance(value, date):
        return value
    s = "" if value is None else str(value).strip()
    if not s:
        raise DomainError(f"请选择{label}", field)
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", s)
    if not m:
        raise DomainError(f"{label}格式应为YYYY-MM-DD", field)
    try:
        day = date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        raise DomainError(f"{label}不存在（{s}）", field) from None
    if not 1900 <= day.year <= 2100:
        raise DomainError(f"{label}不合理（{s}）", field)
    return day


def money(value: Any, field: str, label: str, *, maximum: Decimal = Decimal("10000000")) -> Decimal:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(f"请输入{label}", field)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise DomainError(f"{label}须为数字", field) from None
    if not amount.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise DomainError(f"{label}须为数字", field)
    if amount <= 0:
        raise DomainError(f"{label}须大于0", field)
    if amount > maximum:
        raise DomainError(f"{label}不能超过{maximum}", field)
    if amount != amount.quantize(Decimal("0.01")):
        raise DomainError(f"{label}最多保留两位小数", field)
    return amount


def integer(value: Any, field: str, label: str, *, minimum: int, maximum: int) -> int:
    if isinstance(value, bool):
        raise DomainError(f"{label}须为整数", field)
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(f"{label}须为整数", field) from None
    if not minimum <= n <= maximum:
        raise DomainError(f"{label}须在{minimum}到{maximum}之间", field)
    return n


def collect(parsers: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run each parser; return the values or raise FieldErrors with every message."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, parse in parsers.items():
        try:
            values[name] = parse()
        except FieldErrors as exc:
            errors.update(exc.errors)
        except DomainError as exc:
            errors[exc.field or name] = exc.message
    if errors:
        raise FieldErrors(errors)
    return values
