"""安置残疾大学生申请 in the employer's API (`/api/v1/graduates…`): the year asked for, and
what is answered — the year's placed persons who may still be applied for, and each
application with where it stands and the 初审/复审 decisions on it. The body sent is
`GraduateSubsidyInput` (casework.schemas.graduate_subsidy), the page's own."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from casework.schemas.answers import Answer
from casework.schemas.base import Query
from casework.schemas.levy_relief_answers import LevyReliefDecision
from casework.schemas.messages import Label

YEAR = Annotated[int, Label("业务年度"), Field(ge=2000, le=2100, description="业务年度（须有该年度的年审记录）")]


class GraduateQuery(Query):
    """GET: the year to show; omitted, the unit's latest certification year."""

    year: Annotated[int | None, Label("业务年度"), Field(default=None, ge=2000, le=2100, description="业务年度，可省略")] = None


class GraduateYear(Query):
    """POST: the year applied for, required."""

    year: YEAR


class GraduatePerson(Answer):
    placement_id: int = Field(description="安置人员编号（提交时的placement_id）")
    name: str
    confirmed_months: int = Field(description="本年度安置确认的月数（months省略时按此计算）")


class GraduateApplication(Answer):
    id: int
    year: int
    placement_id: int
    person_name: str
    school: str
    major: str
    education: str
    degree: str
    graduated_on: str = Field(description="毕业时间（YYYY-MM-DD）")
    diploma_no: str
    months: int = Field(description="当年就业月数")
    standard: str = Field(description="补贴标准（元/人·年，提交时的省级参数）")
    amount: str = Field(description="补贴金额（元，保留到分）= 补贴标准 × 月数 ÷ 12")
    attachment_ids: list[int]
    status: str = Field(description="first_review待初审，returned退回补正，second_review待复审，approved已批准，rejected未批准")
    status_name: str
    can_correct: bool = Field(description="true：已退回补正，可通过POST /api/v1/graduates/{id}/correction重新提交")
    decisions: list[LevyReliefDecision] = Field(description="审核记录，按时间先后")


class GraduateState(Answer):
    """本单位某业务年度的安置残疾大学生申请"""

    year: int | None = Field(description="业务年度（本单位尚无年审记录时为空）")
    years: list[int] = Field(description="本单位有年审记录的业务年度，最近的在前")
    persons: list[GraduatePerson] = Field(description="本年度尚未申请的安置人员（可为其申请）")
    applications: list[GraduateApplication] = Field(description="本年度的申请")
