"""参数设置: one dated change of a province parameter, declared once for the page's form
(POST /params/changes) and the API's body (POST /api/v1/params), and the API's query of
the parameters in force (GET /api/v1/params).

A change names the parameter (`field`) and gives the inputs its kind asks for
(``casework.province_param_form.EDITABLE``): `value` for a percentage, a number, an amount
or a choice; `start`/`end` (and the concentrated period) as 月-日 for the 申报期; one
working-day count per time limit; `region` (and `year`) for the wage tables. The page
sends them as text; a JSON client may send a number (or true/false for a yes/no
parameter) where one is natural. Whatever the source, they are read into the value as the
parameter files hold it and passed through the files' own converters
(``domain.params_types.check_value``), so an owner can enter nothing a shipped file could
not hold. Inputs a parameter does not use are ignored, and every wrong input is named
beside itself, all at once.

Who asks and on which day decide some rules — a region must be of the owner's province,
a year no later than this one, a change not start before today — so the declaration reads
them from pydantic's validation context (`context_of(province, today)`). Validated
without it, as spectree checks an API body's shape before the view knows its owner, only
the types are checked; `read_change` validates with the context and is the only way to
the checked `ChangeRequest`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import InitErrorDetails

from casework.province_param_form import (
    EDITABLE,
    FIRST_YEAR,
    LAST_DAY,
    MAX_ANNUAL_WAGE,
    MAX_MONTHLY_WAGE,
    NOTE_MAX,
    TIME_LIMIT_LABELS,
    WINDOW_INPUTS,
)
from casework.schemas.base import Query, Request
from casework.schemas.messages import Label, field_messages
from casework.schemas.types import fail
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

PROVINCE, TODAY = "province", "today"  # the keys of the validation context
# ASCII digits only: str.isdigit() and \d also admit "²" and "٣", which int() refuses
_MONTH_DAY = re.compile(r"^([0-9]{1,2})-([0-9]{1,2})$")
_NUMBER = re.compile(r"^[0-9]{1,9}(\.[0-9]{1,4})?$")
_INTEGER = re.compile(r"^[0-9]{1,6}$")
_REGION = re.compile(r"^[0-9]{6}$")
YES, NO = ("1", "true"), ("0", "false")


def first_input(key: str) -> str:
    """The input a message about the whole value of `key` is shown beside."""
    kind = EDITABLE.get(key)
    if kind == "window":
        return "start"
    if kind == "time_limits":
        return next(iter(TimeLimits.__dataclass_fields__))
    return "value"


def context_of(province: str, today: dt.date) -> dict[str, Any]:
    """The validation context of a change: the owner's province and the engine clock's
    China date."""
    return {PROVINCE: province, TODAY: today}


# -- the inputs ------------------------------------------------------------------------------


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _as_text(value: Any) -> Any:
    """A JSON number or boolean sent for an input that admits one, as the page would have
    sent it, so that the same rules read it (3 → "3", 1.6 → "1.6", true → "true")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if value.bit_length() <= 128 else "9" * 40  # far above every limit
    if isinstance(value, float):
        if not math.isfinite(value):
            return "NaN"
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    return value


def _text(label: str, description: str, **schema: Any) -> Any:
    """An input sent as text (JSON: a string; null counts as not filled in)."""
    return Annotated[
        str,
        Label(label),
        BeforeValidator(_blank),
        WithJsonSchema({"type": "string", "title": label, "description": description, **schema}),
    ]


def _scalar(label: str, description: str, *json_types: str) -> Any:
    """An input sent as text, or in JSON as one of `json_types` (read as its text)."""
    return Annotated[
        str,
        Label(label),
        BeforeValidator(_as_text),
        WithJsonSchema({"anyOf": [{"type": kind} for kind in json_types], "title": label,
                        "description": description}),
    ]


def _key(value: str) -> str:
    key = value.strip()
    if key in NATIONAL_ONLY:
        raise fail(f"“{FIELD_LABELS[key]}”由国家统一规定，不能按省修改")
    if key not in EDITABLE:
        raise fail("请选择要修改的参数")
    return key


_KINDS = {
    "percent": "value：百分比数字（如1.5表示1.5%，不低于1.5，小于100）",
    "window": "start、end：月-日（如03-01）；可另填concentrated_start、concentrated_end（集中申报期）",
    "integer": "value：1至100的整数（MB）",
    "money": "value：金额（元），最多4位小数",
    "decimal": "value：正数，最多4位小数",
    "time_limits": "window_acceptance、manual_review、feedback、send_to_tax、certificate_download_after："
    f"各为0至{MAX_TIME_LIMIT}的工作日数",
    "yes_no": "value：\"1\"或true为是，\"0\"或false为否",
    "choice": f"value：{'或'.join(FEMALE_TRACK_VALUES)}（cadre按女干部、worker按女工人）",
    "monthly_wage": f"region（本省现行行政区划代码）和value：月最低工资（元），不超过{MAX_MONTHLY_WAGE}",
    "annual_wage": f"region、year（{FIRST_YEAR}年至今年）和value：年社会平均工资（元），不超过{MAX_ANNUAL_WAGE}",
}
ParamKey = Annotated[
    str,
    Label("要修改的参数", select=True),
    BeforeValidator(_blank),
    AfterValidator(_key),
    WithJsonSchema({
        "type": "string", "enum": list(EDITABLE), "title": "要修改的参数",
        "description": "要修改的参数及其所需的输入（其余输入不读）：" + "；".join(
            f"{key}（{FIELD_LABELS.get(key) or TABLE_LABELS[key]}）— {_KINDS[kind]}" for key, kind in EDITABLE.items()
        ) + "。残保金征收规则、工资封顶倍数由国家统一规定，不能按省修改。",
    }),
]  # fmt: skip


@dataclass(frozen=True)
class ChangeRequest:
    """What an owner asks for, checked for their province and the day (see `read_change`):
    the value as the parameter files hold it, from `valid_from` on."""

    key: str
    raw: Any
    valid_from: dt.date
    valid_to: dt.date | None
    region: str
    year: int | None
    note: str


class ProvinceParamChange(Request):
    """新增一项省级参数修改：自生效日期起适用（不能早于今天），此前各日仍按原值计算。"""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"field": "quota_ratio", "value": "1.6", "valid_from": "2027-01-01", "note": "省人民政府关于调整安置比例的通知"},
        {"field": "declaration_window", "start": "03-01", "end": "11-30", "valid_from": "2027-01-01"},
        {"field": "time_limits", "window_acceptance": 3, "manual_review": 12, "feedback": 7, "send_to_tax": 20,
         "certificate_download_after": 3, "valid_from": "2027-01-01"},
        {"field": "minimum_wage", "region": "330100", "value": "2600", "valid_from": "2027-01-01"},
    ]})  # fmt: skip
    field: ParamKey
    value: _scalar("取值", "百分比、数字、金额或选项（按参数，见field）", "string", "number", "boolean") = ""
    start: _text(WINDOW_INPUTS["start"], "申报期：月-日，如03-01") = ""
    end: _text(WINDOW_INPUTS["end"], "申报期：月-日，如10-31") = ""
    concentrated_start: _text(WINDOW_INPUTS["concentrated_start"], "申报期：月-日，可不填") = ""
    concentrated_end: _text(WINDOW_INPUTS["concentrated_end"], "申报期：月-日，与开始同时填写") = ""
    window_acceptance: _scalar(TIME_LIMIT_LABELS["window_acceptance"], "办理时限：工作日数", "integer", "string") = ""
    manual_review: _scalar(TIME_LIMIT_LABELS["manual_review"], "办理时限：工作日数", "integer", "string") = ""
    feedback: _scalar(TIME_LIMIT_LABELS["feedback"], "办理时限：工作日数", "integer", "string") = ""
    send_to_tax: _scalar(TIME_LIMIT_LABELS["send_to_tax"], "办理时限：工作日数", "integer", "string") = ""
    certificate_download_after: _scalar(
        TIME_LIMIT_LABELS["certificate_download_after"], "办理时限：工作日数", "integer", "string") = ""
    region: _text("地区", "最低工资标准、社会平均工资：本省现行的6位行政区划代码（省、市或县）") = ""
    year: _scalar("年度", f"社会平均工资：{FIRST_YEAR}年至今年", "integer", "string") = ""
    valid_from: _text("生效日期", "YYYY-MM-DD，不能早于今天", format="date")
    valid_to: _text("截止日期", "YYYY-MM-DD，不早于生效日期；不填或为空表示长期有效") = ""
    note: _text("依据说明", f"如文件名称、文号，最多{NOTE_MAX}字", maxLength=NOTE_MAX) = ""

    _change: ChangeRequest | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _rules(self, info: ValidationInfo) -> ProvinceParamChange:
        context = info.context if isinstance(info.context, Mapping) else {}
        province, today = context.get(PROVINCE), context.get(TODAY)
        if not isinstance(province, str) or not isinstance(today, dt.date):
            return self  # the shape only: read_change validates again with the context
        errors: dict[str, str] = {}
        change = _read(self.model_dump(), province, today, errors)
        if change is None:  # every wrong input beside itself, at once
            raise ValidationError.from_exception_data(type(self).__name__, [
                InitErrorDetails(type=fail(message), loc=(name,), input=getattr(self, name, ""))
                for name, message in errors.items()
            ])  # fmt: skip
        self._change = change
        return self

    @property
    def change(self) -> ChangeRequest:
        """The checked change; only a validation with the context (`read_change`) has one."""
        if self._change is None:
            raise RuntimeError("ProvinceParamChange was validated without its context (read_change)")
        return self._change


def read_change(data: Mapping[str, Any] | ProvinceParamChange, province: str, today: dt.date) -> ChangeRequest:
    """Check a change for `province` on `today`: the page's form (text), an API body
    already validated for its shape, or a plain mapping. FieldErrors names every wrong
    input in Chinese."""
    if isinstance(data, ProvinceParamChange):
        data = data.model_dump()
    try:
        parsed = ProvinceParamChange.model_validate(data, strict=False, context=context_of(province, today))
    except ValidationError as exc:
        raise FieldErrors(field_messages(ProvinceParamChange, exc)) from None
    return parsed.change


# -- the rules -------------------------------------------------------------------------------


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


def _day(text: str, errors: dict[str, str], name: str, label: str) -> dt.date | None:
    cleaned = (text or "").strip()
    if not cleaned:
        return None
    try:
        return dt.date.fromisoformat(cleaned)
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
        dt.date(2024, month, day)  # a leap year: 02-29 is a day some years have
    except ValueError:
        errors[name] = "不是有效的月份和日期"
        return None
    return f"{month:02d}-{day:02d}"


def _window(inputs: Mapping[str, str], errors: dict[str, str]) -> dict[str, str] | None:
    values = {}
    for name in ("start", "end"):
        values[name] = _month_day(inputs.get(name, ""), errors, name)
    concentrated = {n: (inputs.get(n) or "").strip() for n in ("concentrated_start", "concentrated_end")}
    if any(concentrated.values()):
        for name, text in concentrated.items():
            if not text:
                errors[name] = "集中申报期须同时填写开始和结束"
            else:
                values[name] = _month_day(text, errors, name)
    if any(name in errors for name in WINDOW_INPUTS):
        return None
    return {k: v for k, v in values.items() if v}


def _time_limits(inputs: Mapping[str, str], errors: dict[str, str]) -> dict[str, int] | None:
    values = {}
    for name in TimeLimits.__dataclass_fields__:
        text = (inputs.get(name) or "").strip()
        if not _INTEGER.fullmatch(text) or len(text) > 3:
            errors[name] = "请填写工作日天数（0或正整数）"
        elif int(text) > MAX_TIME_LIMIT:
            errors[name] = f"不能超过{MAX_TIME_LIMIT}个工作日"
        else:
            values[name] = int(text)
    return None if any(name in errors for name in TimeLimits.__dataclass_fields__) else values


def _raw_value(key: str, inputs: Mapping[str, str], errors: dict[str, str]) -> Any:
    """The value as the parameter files hold it, from the inputs of its kind."""
    kind = EDITABLE[key]
    text = (inputs.get("value") or "").strip()
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
        if text not in YES + NO:
            errors["value"] = "请选择“是”或“否”"
            return None
        return text in YES
    if kind == "choice":
        if text not in FEMALE_TRACK_VALUES:
            errors["value"] = "请选择一项"
            return None
        return text
    if kind == "window":
        return _window(inputs, errors)
    return _time_limits(inputs, errors)


def _convert(key: str, raw: Any, errors: dict[str, str]) -> None:
    """The rules of the files on top of the inputs' own checks; a rule over several inputs
    (a window ending before it starts) is put beside the input it concerns."""
    try:
        check_value(key, raw)
    except DomainError as exc:
        name = first_input(key)
        if key == "declaration_window":
            name = "concentrated_start" if "集中" in exc.message else "end"
        errors[name] = exc.message


def _region(inputs: Mapping[str, str], province: str, errors: dict[str, str]) -> str:
    code = (inputs.get("region") or "").strip()
    known = regions.find(code) if _REGION.fullmatch(code) else None
    if known is None or code[:2] != province[:2] or known.historical:
        errors["region"] = "请选择本省（区、市）现行的行政区划"
        return ""
    return code


def _year(inputs: Mapping[str, str], today: dt.date, errors: dict[str, str]) -> int | None:
    text = (inputs.get("year") or "").strip()
    if not _INTEGER.fullmatch(text) or not FIRST_YEAR <= int(text) <= today.year:
        errors["year"] = f"请填写{FIRST_YEAR}年至{today.year}年之间的年份"
        return None
    return int(text)


def _read(inputs: Mapping[str, str], province: str, today: dt.date, errors: dict[str, str]) -> ChangeRequest | None:
    """The change the inputs ask for (None, with `errors` filled, when any is wrong)."""
    key = inputs["field"]
    region = _region(inputs, province, errors) if key in TABLE_LABELS else ""
    year = _year(inputs, today, errors) if key == "social_average_wage" else None
    raw = _raw_value(key, inputs, errors)
    if raw is not None and not errors:
        _convert(key, raw, errors)
    valid_from = _day(inputs.get("valid_from", ""), errors, "valid_from", "生效日期")
    if valid_from is None and "valid_from" not in errors:
        errors["valid_from"] = "请填写生效日期"
    elif valid_from is not None and valid_from < today:
        errors["valid_from"] = f"生效日期不能早于今天（{today.isoformat()}）：已经适用过的参数不能改写"
    elif valid_from is not None and valid_from > LAST_DAY:
        errors["valid_from"] = f"生效日期不能晚于{LAST_DAY.isoformat()}"
    valid_to = _day(inputs.get("valid_to", ""), errors, "valid_to", "截止日期")
    if valid_to is not None and valid_from is not None and valid_to < valid_from:
        errors["valid_to"] = "截止日期不能早于生效日期"
    elif valid_to is not None and valid_to > LAST_DAY:
        errors["valid_to"] = f"截止日期不能晚于{LAST_DAY.isoformat()}"
    note = (inputs.get("note") or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = f"依据说明不能超过{NOTE_MAX}字"
    elif any(ord(c) < 32 for c in note):  # PostgreSQL refuses NUL in text; the rest is noise
        errors["note"] = "依据说明不能包含控制字符"
    if errors or valid_from is None:
        return None
    return ChangeRequest(key, raw, valid_from, valid_to, region, year, note)


# -- GET /api/v1/params ----------------------------------------------------------------------


def _query_region(value: str) -> str:
    code = value.strip()
    if not code:
        return ""
    if not _REGION.fullmatch(code):
        raise fail("地区须为6位行政区划代码")
    if regions.find(code) is None:
        raise fail("所选行政区划不存在")
    return code


def _query_day(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    text = str(value).strip() if isinstance(value, str) else None
    if text is None:
        raise fail("日期格式应为年-月-日，如2027-01-01")
    if not text:
        return None
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise fail("日期格式应为年-月-日，如2027-01-01")
    if not dt.date(FIRST_YEAR, 1, 1) <= day <= LAST_DAY:
        raise fail(f"日期须在{FIRST_YEAR}-01-01至{LAST_DAY.isoformat()}之间")
    return day


def _no_default(schema: dict[str, Any]) -> None:
    schema.pop("default", None)


class ParamsQuery(Query):
    """Which parameters to show: the owner's province (or one of its regions, for the wage
    tables) on a day (today when omitted)."""

    region: Annotated[
        str, Label("地区"), BeforeValidator(_blank), AfterValidator(_query_region),
        WithJsonSchema({"type": "string", "title": "地区", "description":
                        "本省或本省的市、县的6位行政区划代码，省略为本省；为市、县时工资表只列该地区及其上下级"}),
    ] = ""  # fmt: skip
    date: Annotated[
        dt.date | None, Label("日期"), BeforeValidator(_query_day),
        WithJsonSchema({"type": "string", "format": "date", "title": "日期", "description":
                        f"YYYY-MM-DD（{FIRST_YEAR}-01-01至{LAST_DAY.isoformat()}），给出该日适用的值和其后已排定的变更；省略为今天"}),
        Field(json_schema_extra=_no_default),  # omitted means today: no default the schema could state
    ] = None  # fmt: skip
