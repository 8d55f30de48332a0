"""缓减免申请 in the employer's API (`/api/v1/levy/relief…`): the 业务年度 asked for, and what
is answered — whether the unit can apply for that year (and why not), and its application
with where it stands, what was asked, the 初审/复审 decisions on it and what was granted.
The body sent is `LevyReliefInput` (casework.schemas.levy_relief), the page's own."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from casework.schemas.answers import Answer
from casework.schemas.base import Query
from casework.schemas.messages import Label

YEAR = Annotated[int, Label("业务年度"), Field(ge=2000, le=2100, description="业务年度（残保金所属年度，须有该年度的年审记录）")]


class LevyReliefQuery(Query):
    """GET: the year to show; omitted, the unit's latest certification year."""

    year: Annotated[int | None, Label("业务年度"), Field(default=None, ge=2000, le=2100, description="业务年度，可省略")] = None


class LevyReliefYear(Query):
    """POST: the year applied for (or corrected), required."""

    year: YEAR


class LevyReliefDecision(Answer):
    step: str = Field(description="环节：初审、复审")
    outcome: str = Field(description="approve通过，return退回，reject不予批准")
    outcome_label: str = Field(description="审核结果（环节所给的名称，如初审通过、退回补正、批准、退回初审、不予批准）")
    reason: str = Field(description="审核意见")
    actor_name: str = Field(description="审核人")
    at: str = Field(description="审核时间（ISO 8601，北京时间）")


class LevyReliefDetail(Answer):
    id: int
    year: int
    kind: str = Field(description="defer缓缴，reduce减缴，exempt免缴")
    kind_name: str
    reason: str = Field(description="申请理由")
    levy_due: str = Field(description="应缴残保金金额（元，保留到分）")
    amount: str | None = Field(default=None, description="减缴（免缴）金额（元，保留到分）；缓缴为空")
    defer_months: int | None = Field(default=None, description="缓缴期限（月）；减缴、免缴为空")
    asked: str = Field(description="申请内容，如“缓缴4个月”“减缴20,000.00元”")
    attachment_ids: list[int] = Field(description="证明材料（已上传附件的编号）")
    status: str = Field(description="first_review待初审，returned退回补正，second_review待复审，approved已批准，rejected未批准")
    status_name: str
    status_help: str = Field(description="状态说明")
    filed_at: str = Field(description="提交时间（ISO 8601，北京时间）")
    can_correct: bool = Field(description="true：已退回补正，可通过POST /api/v1/levy/relief/correction重新提交")
    granted: str = Field(description="批准结果，如“缓缴6个月至2027年6月6日”“减缴20000.00元”；未批准时为空")
    defer_until: str | None = Field(default=None, description="批准缓缴时的缓缴截止日期（YYYY-MM-DD）")
    decisions: list[LevyReliefDecision] = Field(description="审核记录，按时间先后")


class LevyReliefState(Answer):
    """本单位某业务年度的残保金缓减免申请：能否申请（不能时的原因）和申请的办理情况"""

    year: int | None = Field(description="业务年度（本单位尚无年审记录时为空）")
    years: list[int] = Field(description="本单位有年审记录的业务年度，最近的在前")
    can_apply: bool = Field(description="true：现在可以提交申请")
    refusal: str | None = Field(default=None, description="不能申请的原因（尚无年审记录）")
    application: LevyReliefDetail | None = Field(default=None, description="本年度的申请（未申请时为空）")
