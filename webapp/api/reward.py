"""POST /api/v1/reward/estimate: the 超比例奖励 estimate of `domain.reward`, public.

Parameters not given come from the province of `region_code`, else of the caller's
region (an employer's 残联主管部门, a staff member's jurisdiction); they are those in force
on Dec 31 of `year` when given, else on today's China date on the engine clock."""

from __future__ import annotations

from flask import jsonify

from casework.models import Unit
from casework.schemas.reward import RewardEstimate, RewardEstimateInput
from webapp.api import api_user, bp, spec
from webapp.extensions import db, system


def caller_region() -> str | None:
    """The logged-in caller's region, or None (anonymous, or a user without one)."""
    user = api_user()
    if user is None:
        return None
    if user.role == "employer" and user.unit_id is not None:
        unit = db().get(Unit, user.unit_id)
        if unit is not None and unit.cdpf_region:
            return unit.cdpf_region
    return user.region_code or None


@bp.post("/reward/estimate")
@spec.declare(
    tags=("超比例奖励",), json=RewardEstimateInput, answer=RewardEstimate,
    answer_description="估算结果（金额单位：元，保留到分）", public=True, errors=(400, 401, 429),
)  # fmt: skip
def reward_estimate():
    """估算超比例奖励

    按比例应安置人数 = 在职职工总数 × 安置比例，向上取整；超比例人数 = 安置残疾人数 − 应安置人数（不超过时为0，可为小数）；奖励金额 = 超比例人数 × 安置系数 × 奖励基数，保留到分。ratio、coefficient、base_amount可省略，省略时按region_code所在省份参数，未给region_code时按登录用户所在地区；未登录且未给region_code时三项均须填写。参数按year年12月31日适用的值，未给year时按当日（北京时间）适用的值。无需登录。输入有误时为400，fields逐字段给出中文提示。"""
    data: RewardEstimateInput = spec.body()
    result = data.reward(caller_region(), system().today())
    return jsonify(RewardEstimate.answer(result))
