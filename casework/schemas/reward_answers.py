"""超比例奖励申请 in the employer's API (`/api/v1/reward/application…`): the 业务年度 asked
for, and what is answered — the figures of the year or why the unit cannot apply, and its
application with where it stands and the 初审/复审 decisions on it. The form sent is
`RewardApplicationInput` (casework.schemas.reward_application), the page's own."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from casework.schemas.answers import Answer
from casework.schemas.base import Query
from casework.schemas.messages import Label

YEAR = Annotated[int, Label("业务年度"), Field(ge=2000, le=2100, description="业务年度（审核认定书所属年度）")]


class EmployerRewardQuery(Query):
    """GET: the year to show; omitted, the latest with an application, else the latest the
    unit can apply for, else its latest certification year."""

    year: Annotated[int | None, Label("业务年度"), Field(default=None, ge=2000, le=2100, description="业务年度，可省略")] = None


class EmployerRewardYear(Query):
    """POST: the year applied for (or corrected), required."""

    year: YEAR


class RewardApplicationFigures(Answer):
    """超比例奖励信息 (persons may be fractional: weighted certified months / 12)."""

    certificate_number: str | None = Field(default=None, description="所依据的审核认定书编号（申请后为空）")
    staff_count: int = Field(description="上年度在职职工总数")
    placed_persons: str = Field(description="上年度安置残疾人数（经审核认定，计算系数折算后）")
    quota_persons: int = Field(description="安置比例残疾人数（按比例应安排，向上取整）")
    over_persons: str = Field(description="超比例安置残疾人数")
    coefficient: str = Field(description="安置系数")
    base_amount: str = Field(description="奖励基数（元/人）")
    amount: str = Field(description="超比例奖励金额（元，保留到分）")


class RewardApplicationDecision(Answer):
    step: str = Field(description="环节：初审、复审、复核")
    outcome: str = Field(description="approve通过，return退回，reject不通过")
    outcome_label: str = Field(description="审核结果（环节所给的名称）")
    reason: str = Field(description="审核意见")
    actor_name: str = Field(description="审核人")
    at: str = Field(description="审核时间（ISO 8601，北京时间）")


class RewardApplicationCertificate(Answer):
    number: str = Field(description="奖励审核认定书编号，如JL-2025-210302-000001")
    issued_at: str = Field(description="发证时间（ISO 8601，北京时间）")
    status: str = Field(description="valid有效")
    verify_url: str = Field(description="公开核验地址（二维码所指）")


class RewardApplicationDetail(Answer):
    id: int
    year: int
    channel: str = Field(description="employer单位网上申请，window窗口代为申请")
    channel_name: str
    status: str = Field(description="first_review待初审，returned退回补正，second_review待复审（复核），approved复审通过，rejected审核不通过")
    status_name: str
    status_help: str = Field(description="状态说明")
    filed_at: str = Field(description="提交时间（ISO 8601，北京时间）")
    figures: RewardApplicationFigures = Field(description="提交（或补正）时确定的超比例奖励信息")
    payee_name: str = Field(description="收款单位名称")
    payee_account: str = Field(description="收款单位银行账户")
    payee_bank: str = Field(description="收款单位开户银行名称")
    attachment_ids: list[int] = Field(description="附件材料（已上传附件的编号）")
    can_correct: bool = Field(description="true：已退回补正，可通过POST /api/v1/reward/application/correction重新提交")
    decisions: list[RewardApplicationDecision] = Field(description="审核记录，按时间先后")
    certificate: RewardApplicationCertificate | None = Field(default=None, description="复审通过后的奖励审核认定书")


class RewardApplicationState(Answer):
    """本单位某业务年度的超比例奖励：能否申请（不能时的原因）、超比例奖励信息和申请的办理情况"""

    year: int | None = Field(description="业务年度（本单位尚无年审记录时为空）")
    years: list[int] = Field(description="本单位有年审记录的业务年度，最近的在前")
    can_apply: bool = Field(description="true：现在可以提交申请")
    refusal: str | None = Field(default=None, description="不能申请的原因（未取得有效审核认定书、未维护上年度职工数、未超过按比例应安排人数）")
    refusal_field: str | None = Field(default=None, description="staff_count：需先在单位信息维护管理中维护上年度职工数")
    figures: RewardApplicationFigures | None = Field(default=None, description="按当前数据计算的超比例奖励信息")
    application: RewardApplicationDetail | None = Field(default=None, description="本年度的申请（未申请时为空）")
