"""The change form of 参数设置: typed inputs in, a checked change out, or every wrong input
named in Chinese.

Each kind of parameter has its own inputs (a percentage for the quota ratio, month-day
pairs for the 申报期, one working-day count per time limit, a region and a year for the
wage tables). They are read here into the value as the parameter files hold it, and then
passed through the same converters as the files (``domain.params_types.check_value``), so
an owner can enter nothing a shipped file could not hold. Errors are keyed by input name,
so the page shows each beside its input; a wrong input is never half stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from domain import regions
from domain.errors import DomainError, FieldErrors
from domain.params_types import (
    FEMALE_TRACK_VALUES,
    FIELD_LABELS,
    MAX_TIME_LIMIT,
    NATIONAL_ONLY,
    TABLE_LABELS,
    TimeLimits,
    check_value,
)

NOTE_MAX = 200
LAST_DAY = date(2099, 12, 31)
FIRST_YEAR = 2000
MAX_MONTHLY_WAGE = Decimal(100_000)
MAX_ANNUAL_WAGE = Decimal(5_000_000)

# what the form asks for each parameter an owner may change (the others are national)
EDITABLE: dict[str, str] = {
    "quota_ratio": "percent",
    "declaration_window": "window",
    "upload_limit_mb": "integer",
    "reward_base": "money",
    "reward_coefficient": "decimal",
    "graduate_subsidy": "money",
    "time_limits": "time_limits",
    "withdrawal_needs_supervisor": "yes_no",
    "female_retirement_track": "choice",
    "minimum_wage": "monthly_wage",
    "social_average_wage": "annual_wage",
}
TIME_LIMIT_LABELS: dict[str, str] = {
    "window_acceptance": "窗口受理",
    "manual_review": "人工审核",
    "feedback": "年审认证反馈",
    "send_to_tax": "报送税务",
    "certificate_download_after": "审核认定书可下载（完成申报后）",
}
WINDOW_INPUTS: dict[str, str] = {
    "start": "申报期开始",
    "end": "申报期结束",
    "concentrated_start": "集中申报期开始",
    "concentrated_end": "集中申报期结束",
}
# ASCII digits only: str.isdigit() and \d also admit "²" and "٣", which int() refuses
_MONTH_DAY = re.compile(r"^([0-9]{1,2})-([0-9]{1,2})$")
_NUMBER = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,4})?$")
_INTEGER = re.compile(r"^[0-9]{1,6}$")


# -- reading the form -----------------------------------------------------------------------


def _decimal(text: str, errors: dict[str, str], name: str, message: str) -> Decimal | None:
    cleaned = text.strip().replace(",", "").replace("，", "")
    if not _NUMBER.fullmatch(cleaned):
        errors[name] = message
        return None
    try:
        return Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        errors[name] = message
        return None


def _day(text: str, errors: dict[str, str], name: str, label: str) -> date | None:
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        errors[name] = f"{label}格式应为年-月-日，如2027-01-01"
        return None


def _month_day(text: str, errors: dict[str, str], name: str) -> str | None:
    found = _MONTH_DAY.fullmatch((text or "").strip())
    if not found:
        errors[name] = "请按“月-日”填写，如03-01"
        return None
    month, day = int(found.group(1)), int(found.group(2))
    try:
        date(2024, month, day)  # a leap year: 02-29 is a day some years have
    except ValueError:
        errors[name] = "不是有效的月份和日期"
        return None
    return f"{month:02d}-{day:02d}"


def _window(form: Mapping[str, str], errors: dict[str, str]) -> dict[str, str] | None:
    values = {}
    for name in ("start", "end"):
        values[name] = _month_day(form.get(name, ""), errors, name)
    concentrated = {n: (form.get(n) or "").strip() for n in ("concentrated_start", "concentrated_end")}
    if any(concentrated.values()):
        for name, text in concentrated.items():
            if not text:
                errors[name] = "集中申报期须同时填写开始和结束"
            else:
                values[name] = _month_day(text, errors, name)
    if any(name in errors for name in WINDOW_INPUTS):
        return None
    return {k: v for k, v in values.items() if v}


def _time_limits(form: Mapping[str, str], errors: dict[str, str]) -> dict[str, int] | None:
    values = {}
    for name in TimeLimits.__dataclass_fields__:
        text = (form.get(name) or "").strip()
        if not _INTEGER.fullmatch(text) or len(text) > 3:
            errors[name] = "请填写工作日天数（0或正整数）"
        elif int(text) > MAX_TIME_LIMIT:
            errors[name] = f"不能超过{MAX_TIME_LIMIT}个工作日"
        else:
            values[name] = int(text)
    return None if any(name in errors for name in TimeLimits.__dataclass_fields__) else values


def _raw_value(key: str, form: Mapping[str, str], errors: dict[str, str]) -> Any:
    """The value as the parameter files hold it, from the form's typed inputs."""
    kind = EDITABLE[key]
    text = (form.get("value") or "").strip()
    if kind == "percent":
        number = _decimal(text.rstrip("%％"), errors, "value", "请填写百分比数字，如1.5")
        if number is None:
            return None
        if not Decimal(0) < number < Decimal(100):
            errors["value"] = "须大于0且小于100（百分比）"
            return None
        return format((number / 100).normalize(), "f")
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            errors["value"] = "请填写正整数"
            return None
        return int(text)
    if kind in ("money", "decimal", "monthly_wage", "annual_wage"):
        number = _decimal(text, errors, "value", "请填写数字，最多4位小数")
        if number is None:
            return None
        cap = {"monthly_wage": MAX_MONTHLY_WAGE, "annual_wage": MAX_ANNUAL_WAGE}.get(kind)
        if cap is not None and number > cap:
            errors["value"] = f"金额过大（不超过{cap}元）"
            return None
        return format(number.normalize(), "f")
    if kind == "yes_no":
        if text not in ("1", "0"):
            errors["value"] = "请选择“是”或“否”"
            return None
        return text == "1"
    if kind == "choice":
        if text not in FEMALE_TRACK_VALUES:
            errors["value"] = "请选择一项"
            return None
        return text
    if kind == "window":
        return _window(form, errors)
    return _time_limits(form, errors)


def _convert(key: str, raw: Any, errors: dict[str, str]) -> Any:
    """The rules of the files on top of the form's own checks; a rule over several inputs
    (a window ending before it starts) is put beside the input it concerns."""
    try:
        return check_value(key, raw)
    except DomainError as exc:
        name = "value"
        if key == "declaration_window":
            name = "concentrated_start" if "集中" in exc.message else "end"
        elif key == "time_limits":
            name = next(iter(TimeLimits.__dataclass_fields__))
        errors[name] = exc.message
        return None


def _region(form: Mapping[str, str], province: str, errors: dict[str, str]) -> str:
    code = (form.get("region") or "").strip()
    known = regions.find(code) if _INTEGER.fullmatch(code) and len(code) == 6 else None
    if known is None or code[:2] != province[:2] or known.historical:
        errors["region"] = "请选择本省（区、市）现行的行政区划"
        return ""
    return code


def _year(form: Mapping[str, str], today: date, errors: dict[str, str]) -> int | None:
    text = (form.get("year") or "").strip()
    if not _INTEGER.fullmatch(text) or not FIRST_YEAR <= int(text) <= today.year:
        errors["year"] = f"请填写{FIRST_YEAR}年至{today.year}年之间的年份"
        return None
    return int(text)


@dataclass(frozen=True)
class ChangeRequest:
    """What an owner asks for, already checked (see `read_change`)."""

    key: str
    raw: Any
    valid_from: date
    valid_to: date | None
    region: str
    year: int | None
    note: str


def read_change(form: Mapping[str, str], province: str, today: date) -> ChangeRequest:
    """Check a change from the page's inputs (str → str); FieldErrors names every wrong one."""
    key = (form.get("field") or "").strip()
    if key in NATIONAL_ONLY:
        raise FieldErrors({"field": f"“{FIELD_LABELS[key]}”由国家统一规定，不能按省修改"})
    if key not in EDITABLE:
        raise FieldErrors({"field": "请选择要修改的参数"})
    errors: dict[str, str] = {}
    region = _region(form, province, errors) if key in TABLE_LABELS else ""
    year = _year(form, today, errors) if key == "social_average_wage" else None
    raw = _raw_value(key, form, errors)
    if raw is not None and not errors:
        _convert(key, raw, errors)
    valid_from = _day(form.get("valid_from", ""), errors, "valid_from", "生效日期")
    if valid_from is None and "valid_from" not in errors:
        errors["valid_from"] = "请填写生效日期"
    elif valid_from is not None and valid_from < today:
        errors["valid_from"] = f"生效日期不能早于今天（{today.isoformat()}）：已经适用过的参数不能改写"
    elif valid_from is not None and valid_from > LAST_DAY:
        errors["valid_from"] = f"生效日期不能晚于{LAST_DAY.isoformat()}"
    valid_to = _day(form.get("valid_to", ""), errors, "valid_to", "截止日期")
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        errors["valid_to"] = "截止日期不能早于生效日期"
    elif valid_to is not None and valid_to > LAST_DAY:
        errors["valid_to"] = f"截止日期不能晚于{LAST_DAY.isoformat()}"
    note = (form.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"依据说明不能超过{NOTE_MAX}字"
    elif any(ord(c) < 32 for c in note):  # PostgreSQL refuses NUL in text; the rest is noise
        errors["note"] = "依据说明不能包含控制字符"
    if errors:
        raise FieldErrors(errors)
    assert valid_from is not None
    return ChangeRequest(key, raw, valid_from, valid_to, region, year, note)
