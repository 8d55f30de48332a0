"""超比例奖励申请 at the window (002 申办系统): the unit search, the 业务年度 picked, and the
filters of the jurisdiction's list. The filing form itself is RewardApplicationInput
(casework.schemas.reward_application), the same the unit submits online."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from casework.models.reward import CHANNEL_NAMES, STATUS_NAMES
from casework.schemas.base import Query
from casework.schemas.common import PageQuery
from casework.schemas.messages import Label
from casework.schemas.types import text

Year = Annotated[int | None, Label("业务年度"), Field(default=None, ge=2000, le=2100, description="业务年度")]


class RewardUnitQuery(PageQuery):
    """查找用人单位: at least two characters of the name, or the full 统一社会信用代码."""

    q: text("单位名称或统一社会信用代码", required=False, max_len=50, verb="请输入") = ""


class RewardYearQuery(Query):
    """The 业务年度 whose certified people and figures the window page shows."""

    year: Year = None


class RewardListQuery(PageQuery):
    """超比例奖励申请查询: the jurisdiction's applications, both ways of filing."""

    q: text("单位名称或统一社会信用代码", required=False, max_len=100) = ""
    status: text("审核状态", required=False, enum=tuple(STATUS_NAMES),
                  description="first_review待初审，returned退回补正，second_review待复审（复核），approved复审通过，rejected审核不通过") = ""
    channel: text("申请方式", required=False, enum=tuple(CHANNEL_NAMES), description="employer单位网上申请，window窗口代为申请") = ""
    year: Year = None
