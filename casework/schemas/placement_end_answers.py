"""单位注销安置登记 in the employer's API (`/api/v1/placement-ends…`) and the staff's list
(`/review/placement-ends`): the year asked for, and what is answered — the year's placed
persons who may still be ended, whether the whole unit may be, and each request with
where it stands and the 初审/复审 decisions on it. The body sent is `PlacementEndInput`
(casework.schemas.placement_end), the page's own."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from casework.models.placement_end import STATUS_NAMES
from casework.schemas.answers import Answer
from casework.schemas.base import Query
from casework.schemas.common import PageQuery
from casework.schemas.levy_relief_answers import LevyReliefDecision
from casework.schemas.messages import Label
from casework.schemas.types import text

YEAR = Annotated[int, Label("业务年度"), Field(ge=2000, le=2100, description="业务年度（须有该年度的年审记录）")]
OPTIONAL_YEAR = Annotated[int | None, Label("业务年度"), Field(default=None, ge=2000, le=2100, description="业务年度，可省略")]
STATUS_TEXT = "first_review待初审，returned退回补正，second_review待复审，approved已注销，rejected不予注销"


class PlacementEndQuery(Query):
    """GET: the year to show; omitted, the unit's latest certification year."""

    year: OPTIONAL_YEAR = None


class PlacementEndYear(Query):
    """POST: the year whose registrations are ended, required."""

    year: YEAR


class PlacementEndPerson(Answer):
    placement_id: int = Field(description="安置人员编号（提交时的placement_id）")
    name: str
    id_number: str = Field(description="身份证号（中间已遮盖）")
    registered_months: int = Field(description="本年度安置登记的月数")


class PlacementEndRequest(Answer):
    id: int
    year: int
    scope: str = Field(description="person安置人员注销，unit单位整体注销")
    scope_name: str
    placement_id: int | None = Field(description="注销的安置人员（单位整体注销时为空）")
    person_name: str
    id_number: str = Field(description="身份证号（中间已遮盖；单位整体注销时为空）")
    reason: str = Field(description="注销原因")
    ended_on: str = Field(description="注销日期（YYYY-MM-DD）")
    from_month: int = Field(description="注销起始月份：自该月起不再计入安置")
    note: str = Field(description="情况说明")
    attachment_ids: list[int]
    status: str = Field(description=STATUS_TEXT)
    status_name: str
    status_help: str = Field(description="该状态对单位意味着什么")
    months_removed: int = Field(description="已不再计入的安置登记月份数（审核通过后）")
    tax_corrected: bool = Field(description="true：本年度已报送税务，更正数据已报送税务部门")
    can_correct: bool = Field(description="true：已退回补正，可通过POST /api/v1/placement-ends/{id}/correction重新提交")
    decisions: list[LevyReliefDecision] = Field(description="审核记录，按时间先后")


class PlacementEndState(Answer):
    """本单位某业务年度的单位注销安置登记"""

    year: int | None = Field(description="业务年度（本单位尚无年审记录时为空）")
    years: list[int] = Field(description="本单位有年审记录的业务年度，最近的在前")
    persons: list[PlacementEndPerson] = Field(description="本年度尚未注销、也没有待审核注销申请的安置人员")
    can_end_unit: bool = Field(description="true：可申请单位整体注销（本年度有安置人员，且没有待审核的单位整体注销申请）")
    requests: list[PlacementEndRequest] = Field(description="本年度的注销申请")


class PlacementEndListQuery(PageQuery):
    """单位注销安置登记 of the jurisdiction (reviewers and supervisors)."""

    q: text("单位名称或统一社会信用代码", required=False, max_len=100) = ""
    status: text("审核状态", required=False, enum=tuple(STATUS_NAMES), description=STATUS_TEXT) = ""
    year: OPTIONAL_YEAR = None
