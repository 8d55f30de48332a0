"""The tax exchange: the check result the tax side sends back, and the 发送税务查询 filters."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from casework.schemas.base import Request
from casework.schemas.common import PageQuery
from casework.schemas.messages import Label
from casework.schemas.types import text

STATUSES = ("sent", "confirmed", "inconsistent", "superseded")


class TaxCheckInput(Request):
    """税务部门确认并反馈: which version it checked (our key), and 一致 or 不一致 with why."""

    idempotency_key: text("报送记录", max_len=128, description="报送时的幂等键（标识某单位某年度的某一版本）")
    receipt_no: text("回执编号", required=False, max_len=100) = ""
    consistent: Annotated[bool, Label("核对结果", select=True), Field(description="true一致，false不一致")]
    reason: text("不一致原因", required=False, max_len=500) = ""


class TaxQuery(PageQuery):
    q: text("单位名称、统一社会信用代码或回执编号", required=False, max_len=100) = ""
    status: text("税务状态", required=False, enum=STATUSES, description="sent已发送，confirmed税务已确认，inconsistent税务反馈不一致，superseded已被更正（核对前已报送更正数据）") = ""
    year: Annotated[int | None, Label("业务年度"), Field(ge=2000, le=2100)] = None
