"""Reviewer operations: the inbox query and the 安置登记审核 decision.

`DecisionInput` holds every rule of a decision that needs no database: the month is one
of 1–12, 有效/无效 is given, 无效 has a reason, a reason is at most 200 characters. The
API validates JSON against it (strict), the decision page its form text (lenient), and
`casework.review.decide` adds only what needs the case: which months were claimed.
Problems inside one month are reported under `month_<m>` (see `PerKey`), the key the
page shows beside that month's inputs.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema, model_validator

from casework.schemas.base import Request
from casework.schemas.common import PageQuery
from casework.schemas.messages import Label, PerKey
from casework.schemas.types import fail, text

MONTH_PATTERN = r"^(1[0-2]|[1-9])$"
UNKNOWN_MONTH = "认定的月份须为1至12月"
REASON_REQUIRED = "认定无效，请填写理由"


def _month_text(value: Any) -> Any:
    """A month key given as a number (3) by Python callers reads as its text ("3")."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _month(value: str) -> str:
    if not re.fullmatch(MONTH_PATTERN, value):
        raise fail(UNKNOWN_MONTH)
    return value


Month = Annotated[
    str,
    BeforeValidator(_month_text),
    AfterValidator(_month),
    WithJsonSchema({"type": "string", "pattern": MONTH_PATTERN}),
]


class Decision(Request):
    valid: Annotated[bool, Label("认定结果", select=True), Field(description="true有效，false无效")]
    reason: text("理由", required=False, max_len=200, description="认定无效时必填") = ""

    @model_validator(mode="after")
    def _reason_for_invalid(self) -> Decision:
        """无效 must say why: the unit reads the reason in its notice."""
        if not self.valid and not self.reason:
            raise fail(REASON_REQUIRED)
        return self


class DecisionInput(Request):
    decisions: Annotated[
        dict[Month, Decision],
        Label("认定结果"),
        PerKey("month_"),
        Field(
            max_length=12,
            description="键为月份（1–12），须覆盖全部申报的月份",
            json_schema_extra={"additionalProperties": False},
        ),
    ]

    def by_month(self) -> dict[int, Decision]:
        return {int(month): decision for month, decision in self.decisions.items()}


class TaskQuery(PageQuery):
    q: text("关键字", required=False, max_len=100) = ""
    task: text("任务类型", required=False, max_len=50) = ""
