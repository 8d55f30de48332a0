"""单位注销安置登记: what the unit states — a placed person or the whole unit, why and when
the placement ended, the first month no longer counted, and the signed 注销业务申请书 with
proof. How the date and the month fit the year, and the documents, are checked by
`casework.placement_end`."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from casework.models.placement_end import REASONS, SCOPES
from casework.schemas.base import Request
from casework.schemas.messages import Label
from casework.schemas.types import date_text, db_id, id_list, text


class PlacementEndInput(Request):
    """提交 (or, when returned, 重新提交) a 注销安置登记 application."""

    scope: text("注销范围", enum=tuple(SCOPES), description="person：一名安置人员；unit：本单位本年度全部安置人员")
    placement_id: Annotated[db_id("安置人员") | None, Field(
        default=None, description="注销范围为person时必填：本单位该年度的安置人员")] = None
    reason: text("注销原因", enum=REASONS, description="人员：离职、退休、死亡、其他；单位：单位注销、单位合并或分立、其他")
    ended_on: Annotated[date_text("注销日期"), Field(
        description="离职、退休、死亡或单位注销的日期（YYYY-MM-DD），不能晚于今天")]
    from_month: Annotated[int, Label("注销起始月份"), Field(
        ge=1, le=12, title="注销起始月份",
        description="自该月起不再计入安置（1至12）：注销日期所在月或其次月；注销日期在该年度以前的为1")]
    note: text("情况说明", required=False, max_len=500) = ""
    attachment_ids: id_list("注销业务申请书及证明材料", max_items=20) = []
