"""POST /api/v1/levy/estimate: the 残保金 estimate of `domain.levy`, public."""

from __future__ import annotations

from flask import jsonify

from casework.schemas.levy import LevyEstimate, LevyEstimateInput
from domain.levy import LevyResult, estimate_levy
from webapp.api import bp, spec


def result_json(result: LevyResult) -> dict:
    return LevyEstimate.answer(result)


@bp.post("/levy/estimate")
@spec.declare(
    tags=("残保金计算器",), json=LevyEstimateInput, answer=LevyEstimate,
    answer_description="估算结果（金额单位：元，保留到分）", public=True, errors=(400, 401, 429),
)  # fmt: skip
def levy_estimate():
    """估算残疾人就业保障金

    应缴 = (在职职工人数 × 安置比例 − 实际安排人数) × 在职职工年平均工资（不超过当地社会平均工资的2倍）；实际安排人数 = (1–2级人月 × 2 + 其他人月) / 12。2020–2027年：在职职工30人（含）以下的企业免征，安排比例1%（含）以上按50%缴纳，1%以下按90%缴纳；其他年度全额（rate为1）。无需登录。输入有误时为400，fields逐字段给出中文提示。"""
    data: LevyEstimateInput = spec.body()
    return jsonify(result_json(estimate_levy(data.levy_input())))
