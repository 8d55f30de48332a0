"""缓减免申请: what the unit asks — the kind, the reason, the year's levy as it stands, the
amount (减缴) or the months (缓缴), and the documents. Which of amount and months a kind
needs, and the limits of 第二十一条, are checked by `casework.levy_relief`."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field

from casework.models.levy_relief import KIND_NAMES, MAX_DEFER_MONTHS
from casework.schemas.base import Request
from casework.schemas.messages import Label
from casework.schemas.types import id_list, money, text


class LevyReliefInput(Request):
    """提交 (or, when returned, 重新提交) a 缓减免 application."""

    kind: text("申请类型", enum=tuple(KIND_NAMES), description="defer缓缴，reduce减缴，exempt免缴")
    reason: text("申请理由", max_len=2000, min_len=10,
                 description="遭受不可抗力自然灾害或其他突发事件造成重大直接经济损失的情况")
    levy_due: money("应缴残保金金额", maximum=Decimal("100000000"))
    amount: money("申请减缴金额", maximum=Decimal("100000000")) | None = None
    defer_months: Annotated[int | None, Label("缓缴期限（月）"),
                            Field(default=None, ge=1, le=MAX_DEFER_MONTHS, title="缓缴期限（月）")] = None
    attachment_ids: id_list("证明材料", max_items=20) = []
