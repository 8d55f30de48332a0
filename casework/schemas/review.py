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
from casework.schemas.types import fail, id_list, text
from domain.errors import DomainError

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


class NoInput(Request):
    """A step completed by a click: nothing to send."""


class ApprovalInput(Request):
    """审批: the outcome (which ones a step offers, and which need a reason, is set in the
    diagram and checked by the command), a reason, attachments already uploaded."""

    outcome: text(
        "审批结果", enum=("approve", "return", "reject"),
        description="approve通过，return退回补正，reject不通过（以流程图中该步骤提供的为准）",
    )
    reason: text("理由", required=False, max_len=500, description="退回补正、不通过时必填（以流程图设置为准）") = ""
    attachment_ids: id_list("附件", max_items=20) = []


class CustomFormInput(Request):
    """自定义表单: the values of the step's own form by field name (the form a process
    owner designed; its fields, types and required ones are checked by the command)."""

    values: dict[str, Any] = Field(
        default_factory=dict, title="表单内容", description="按表单设计中的字段名（key）填写各项取值", max_length=60,
    )
    attachment_ids: id_list("附件", max_items=20) = []
    page: bool = Field(False, title="页面提交", description="由页面提交时为true：各项取值按文字解析")


def _region(value: str) -> str:
    from casework.scope import region_prefix

    try:
        region_prefix(value)
    except DomainError as exc:
        raise fail(exc.message) from None
    return value


class TaskQuery(PageQuery):
    """The inbox's filters, on the workbench page and in the API alike."""

    q: text("单位名称或统一社会信用代码", required=False, max_len=100, verb="请输入") = ""
    form: text("任务类型", required=False, max_len=100, description="表单键，即待办页签，如placement_review") = ""
    year: Annotated[int | None, Label("业务年度"), Field(ge=2000, le=2100, title="业务年度")] = None
    region: text("所属区域", required=False, max_len=6, rule=_region, description="辖区内的6位行政区划代码") = ""
    person: text("残疾人姓名或身份证号", required=False, max_len=40, verb="请输入") = ""
    due: text("办理期限", required=False, enum=("overdue", "soon", "later"), description="overdue已逾期，soon2个工作日内到期，later其余") = ""
    mine: Annotated[bool, Label("只看我办理的"), Field(title="只看我办理的")] = False


class SupervisionInput(Request):
    """逾期督办: give the late task to someone, take it over, or urge it on."""

    action: text("督办方式", enum=("reassign", "take_over", "remind"), description="reassign改派，take_over本人接办，remind督促原办理人")
    assignee: text("改派给", required=False, max_len=60, select=True, description="改派时必填：工作人员用户名") = ""
    note: text("督办意见", required=False, max_len=500) = ""


class AssignInput(Request):
    """改派: the worker who gets the task (the supervisor's own login takes it over)."""

    assignee: text("办理人", max_len=60, select=True, description="工作人员用户名")
