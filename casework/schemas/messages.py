"""Chinese messages for pydantic's validation errors, one per field.

pydantic reports errors by type (`string_type`, `int_parsing`, `missing`, …) in English;
users of this system read Chinese. Each type maps to one sentence built from the field's
label (its `title`), so a new field needs no message of its own. Rules that already have a
sentence of their own (`domain` errors raised by our validators) keep it.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from domain.errors import DomainError, FieldErrors

M = TypeVar("M", bound=BaseModel)

TEMPLATES: dict[str, str] = {
    "missing": "请填写{label}",
    "string_type": "{label}须为文本",
    "string_too_long": "{label}不能超过{max_length}个字",
    "string_too_short": "请填写{label}",
    "string_pattern_mismatch": "{label}格式不正确",
    "int_type": "{label}须为整数",
    "int_parsing": "{label}须为整数",
    "int_parsing_size": "{label}超出允许范围",
    "int_from_float": "{label}须为整数",
    "bool_type": "{label}须为true或false",
    "bool_parsing": "{label}须为true或false",
    "float_type": "{label}须为数字",
    "float_parsing": "{label}须为数字",
    "finite_number": "{label}须为数字",
    "decimal_type": "{label}须为数字",
    "decimal_parsing": "{label}须为数字",
    "list_type": "{label}须为列表",
    "dict_type": "{label}须为JSON对象",
    "model_type": "{label}须为JSON对象",
    "model_attributes_type": "{label}须为JSON对象",
    "greater_than": "{label}须大于{gt}",
    "greater_than_equal": "{label}不能小于{ge}",
    "less_than": "{label}须小于{lt}",
    "less_than_equal": "{label}不能大于{le}",
    "too_long": "{label}最多{max_length}项",
    "too_short": "{label}至少{min_length}项",
    "literal_error": "请选择{label}",
    "enum": "请选择{label}",
    "date_type": "{label}格式应为YYYY-MM-DD",
    "date_parsing": "{label}格式应为YYYY-MM-DD",
    "date_from_datetime_parsing": "{label}格式应为YYYY-MM-DD",
    "recursion_loop": "{label}嵌套过深",
}


class Label:
    """Annotated metadata: how a field is named to the user, and whether it is a choice
    ("请选择…" rather than "请填写…" when it is missing)."""

    def __init__(self, text: str, *, select: bool = False, verb: str | None = None) -> None:
        self.text, self.select = text, select
        self.verb = verb or ("请选择" if select else "请填写")


class PerKey:
    """Annotated metadata on a mapping field (e.g. decisions by month): a problem inside
    one entry is reported under `prefix` + that entry's key (month_3), so the API names
    the entry and a page can show the message beside that entry's inputs."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `M`, `list[M]`, `dict[str, M]` or `M | None`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _describe(model: type[BaseModel], loc: tuple) -> tuple[str, Label]:
    """The field key reported (the top-level name) and the label of the deepest field."""
    key = str(loc[0]) if loc else "request"
    label = Label("请求内容")
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None or not isinstance(part, str) or part not in current.model_fields:
            continue
        info = current.model_fields[part]
        per_key = next((m for m in info.metadata if isinstance(m, PerKey)), None)
        if per_key is not None and current is model and part == loc[0] and len(loc) > 1:
            key = f"{per_key.prefix}{loc[1]}"
        found = next((m for m in info.metadata if isinstance(m, Label)), None)
        label = found or Label(info.title or part)
        current = _inner_model(info.annotation)
    return key, label


def _as_number(value: Any) -> Any:
    """Form text such as "-3" read as the number it is (for the negative-number message)."""
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _plain(value: Any) -> Any:
    """1000000000.0 reads as 1000000000 in a message."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def message_for(error: Mapping[str, Any], label: Label) -> str:
    kind = error["type"]
    ctx = dict(error.get("ctx") or {})
    if kind == "domain":
        return str(ctx.get("message") or error["msg"])
    if kind == "value_error" and isinstance(ctx.get("error"), DomainError):
        return ctx["error"].message  # a rule of domain/casework with its own sentence
    if kind == "missing":
        return f"{label.verb}{label.text}"
    value = _as_number(error.get("input"))
    if (
        kind in ("greater_than", "greater_than_equal")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and value < 0 <= float(ctx.get("ge", ctx.get("gt", 0)))
    ):
        return f"{label.text}不能为负数"
    if kind == "greater_than_equal" and ctx.get("ge") == 1:
        return f"{label.text}须为正整数"
    ctx = {k: _plain(v) for k, v in ctx.items()}
    template = TEMPLATES.get(kind, "{label}有误")
    try:
        return template.format(label=label.text, **ctx)
    except (KeyError, IndexError, ValueError):
        return f"{label.text}有误"


def field_messages(
    model: type[BaseModel], exc: ValidationError, labels: Mapping[str, str] | None = None
) -> dict[str, str]:
    """{field: 中文消息}, the first problem of each field. `labels` renames fields the way
    a page shows them (e.g. 单位员工人数 for 在职职工人数)."""
    messages: dict[str, str] = {}
    for error in exc.errors(include_url=False):
        key, label = _describe(model, tuple(error["loc"]))
        if labels and key in labels:
            label = Label(labels[key], select=label.select, verb=label.verb)
        messages.setdefault(key, message_for(error, label))
    return messages


def parse(
    model: type[M],
    data: Any,
    *,
    strict: bool | None = None,
    labels: Mapping[str, str] | None = None,
) -> M:
    """`data` validated by `model`, or FieldErrors in Chinese.

    JSON clients are held to the declared types (strict); page forms send every value as
    text, so they validate with `strict=False` and "120" may stand for 120.
    """
    try:
        return model.model_validate(data, strict=strict)
    except ValidationError as exc:
        raise FieldErrors(field_messages(model, exc, labels)) from None
