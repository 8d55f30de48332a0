"""Reviewer operations: the inbox query and the 安置登记审核 decision."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from casework.schemas.base import Request
from casework.schemas.common import PageQuery
from casework.schemas.messages import Label
from casework.schemas.types import text


class Decision(Request):
    valid: Annotated[bool, Label("认定结果"), Field(description="true有效，false无效")]
    reason: text("理由", required=False, max_len=200, description="认定无效时必填") = ""


Month = Annotated[str, StringConstraints(pattern=r"^(1[0-2]|[1-9])$")]


class DecisionInput(Request):
    decisions: Annotated[
        dict[Month, Decision],
        Label("认定结果"),
        Field(max_length=12, description="键为月份（1–12），须覆盖全部申报的月份"),
    ]


class TaskQuery(PageQuery):
    q: text("关键字", required=False, max_len=100) = ""
    task: text("任务类型", required=False, max_len=50) = ""
