"""Field types shared by the declarations: text, choices, regions, phones, dates, money,
database ids, with their limits and Chinese labels.

Every factory returns an `Annotated` type that carries its label (for the Chinese
message), its rule (the same function the domain uses) and its limits (so the OpenAPI
document states them). Text is text: a number, boolean, list or object sent for a text
field is refused in strict (JSON) validation. `None` counts as "not filled in".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from casework.schemas.messages import Label
from domain.errors import DomainError

DB_INT_MAX = 2**31 - 1  # INTEGER columns of SQLite and PostgreSQL alike (ids, counts)


def fail(message: str) -> PydanticCustomError:
    """A validation error whose Chinese sentence is already complete."""
    return PydanticCustomError("domain", "{message}", {"message": message})


def _blank_is_empty(value: Any) -> Any:
    return "" if value is None else value


def text(
    label: str,
    *,
    required: bool = True,
    max_len: int = 200,
    min_len: int = 0,
    rule: Callable[[str], str] | None = None,
    select: bool = False,
    enum: Sequence[str] | None = None,
    description: str | None = None,
    verb: str | None = None,
    strip: bool = True,
) -> Any:
    """A text field: stripped; required ⇒ not blank; `min_len`/`max_len` in characters;
    `rule` (a domain check raising DomainError) cleans a non-blank value; `enum` limits it
    to a list of choices."""
    verb = verb or ("请选择" if select or enum else "请填写")

    def check(value: str) -> str:
        value = value.strip() if strip else value
        if "\x00" in value:  # no database stores it (PostgreSQL refuses NUL in text)
            raise fail(f"{label}含有不能识别的字符")
        if not value:
            if required:
                raise fail(f"{verb}{label}")
            return ""
        if enum is not None and value not in enum:
            raise fail(f"请选择{label}")
        if len(value) > max_len:
            raise fail(f"{label}不能超过{max_len}个字")
        if min_len and len(value) < min_len:
            raise fail(f"{label}长度应为{min_len}至{max_len}个字符")
        return rule(value) if rule is not None else value

    schema: dict[str, Any] = {"type": "string", "title": label}
    if enum is not None:
        schema["enum"] = [*([] if required else [""]), *enum]
    else:
        schema["maxLength"] = max_len
        if required:
            schema["minLength"] = max(1, min_len)
    if description:
        schema["description"] = description
    return Annotated[
        str,
        Label(label, select=select or enum is not None, verb=verb),
        BeforeValidator(_blank_is_empty),
        AfterValidator(check),
        WithJsonSchema(schema),
    ]


def db_id(label: str) -> Any:
    """A record id: an integer 1…2³¹−1 (what the database's INTEGER column holds)."""
    return Annotated[int, Label(label), Field(ge=1, le=DB_INT_MAX, title=label)]


def id_list(label: str, *, max_items: int = 50) -> Any:
    """A list of record ids (e.g. attachments), at most `max_items`."""
    return Annotated[list[db_id(label)], Label(label), Field(max_length=max_items, title=label)]


def count(label: str, *, minimum: int = 0, maximum: int = 10_000_000, verb: str | None = None) -> Any:
    return Annotated[int, Label(label, verb=verb), Field(ge=minimum, le=maximum, title=label)]


def _date_text(label: str) -> Callable[[Any], date]:
    def parse(value: Any) -> date:
        from casework.inputs import a_date

        if isinstance(value, date):
            return value
        if not isinstance(value, str):
            raise fail(f"{label}格式应为YYYY-MM-DD")
        try:
            return a_date(value, "", label)
        except DomainError as exc:
            raise fail(exc.message) from None

    return parse


def date_text(label: str) -> Any:
    """A calendar date written YYYY-MM-DD (1900–2100), as JSON text or form text."""
    return Annotated[
        date,
        Label(label),
        BeforeValidator(_date_text(label)),
        WithJsonSchema({"type": "string", "format": "date", "title": label}),
    ]


def _money(label: str, maximum: Decimal) -> Callable[[Any], Decimal]:
    def parse(value: Any) -> Decimal:
        from casework.inputs import money

        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise fail(f"请输入{label}")
        try:
            return money(value, "", label, maximum=maximum)
        except DomainError as exc:
            raise fail(exc.message) from None

    return parse


def money(label: str, *, maximum: Decimal = Decimal("10000000")) -> Any:
    """An amount in yuan: finite, above 0, at most `maximum`, to the fen."""
    return Annotated[
        Decimal,
        Label(label),
        BeforeValidator(_money(label, maximum)),
        WithJsonSchema(
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": float(maximum),
                "multipleOf": 0.01,
                "title": label,
            }
        ),
    ]


def number(
    label: str,
    *,
    minimum: float | None = None,
    maximum: float | None = 1e12,
    verb: str | None = None,
    **limits: float,
) -> Any:
    """A finite JSON number within bounds (integers are numbers too; booleans are not)."""
    bounds: dict[str, float] = dict(limits)
    if maximum is not None:
        bounds["le"] = maximum
    if minimum is not None:
        bounds["ge"] = minimum
    return Annotated[
        float, Label(label, verb=verb), Field(allow_inf_nan=False, title=label, **bounds)
    ]
