"""Declarations shared by several operations: paging, the error answer, plain queries."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from casework.paging import MAX_PAGE, MAX_PER_PAGE, PER_PAGE
from casework.schemas.base import Query
from casework.schemas.messages import Label
from casework.schemas.types import text


class PageQuery(Query):
    """page 1…2³¹−1 and per_page 1…100: values outside are refused with 400 (not
    clamped), on the pages and in the API alike."""

    page: Annotated[
        int, Label("页码"), Field(ge=1, le=MAX_PAGE, title="页码", description="页码，从1开始")
    ] = 1
    per_page: Annotated[
        int,
        Label("每页条数"),
        Field(ge=1, le=MAX_PER_PAGE, title="每页条数", description=f"每页条数，1至{MAX_PER_PAGE}"),
    ] = PER_PAGE


class SearchQuery(PageQuery):
    q: text("关键字", required=False, max_len=100, verb="请输入") = ""


class ErrorBody(BaseModel):
    """错误：error为中文说明，fields为逐字段的中文提示（输入有误时）。"""

    error: str = Field(description="中文说明")
    fields: dict[str, str] | None = Field(default=None, description="逐字段的中文提示")
