"""POST /api/v1/levy/estimate: the 残保金 estimate of `domain.levy`, public."""

from __future__ import annotations

from decimal import Decimal

from flask import jsonify

from domain.levy import LevyResult, estimate_levy, validate_levy_input
from webapp.api import ApiError, bp, document, json_body, schema


def _number(value: Decimal) -> int | float:
    """A JSON number: an int when whole, else a float (money is already to the fen)."""
    return int(value) if value == value.to_integral_value() else float(value)


def result_json(result: LevyResult) -> dict:
    return {
        "quota": _number(result.quota),
        "actual": _number(result.actual),
        "wage_base": _number(result.wage_base),
        "levy_full": _number(result.levy_full),
        "rate": _number(result.rate),
        "levy_due": _number(result.levy_due),
        "exempt": result.exempt,
    }


@bp.post("/levy/estimate")
def levy_estimate():
    levy_input, errors = validate_levy_input(json_body())
    if errors or levy_input is None:
        raise ApiError(400, "输入有误", errors)
    return jsonify(result_json(estimate_levy(levy_input)))


_NUMBER = {"type": "number"}
document(
    "/api/v1/levy/estimate",
    "post",
    {
        "tags": ["残保金计算器"],
        "summary": "估算残疾人就业保障金",
        "description": "应缴 = (在职职工人数 × 安置比例 − 实际安排人数) × 在职职工年平均工资（不超过当地社会平均工资的2倍）；"
        "实际安排人数 = (1–2级人月 × 2 + 其他人月) / 12。2020–2027年：在职职工30人（含）以下的企业免征，"
        "安排比例1%（含）以上按50%缴纳，1%以下按90%缴纳；其他年度全额（rate为1）。无需登录。",
        "security": [],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": schema(
                        "LevyEstimateRequest",
                        {
                            "type": "object",
                            "required": [
                                "year",
                                "staff_count",
                                "avg_annual_wage",
                                "social_avg_annual_wage",
                                "severe_person_months",
                                "other_person_months",
                            ],
                            "properties": {
                                "year": {
                                    "type": "integer",
                                    "description": "业务年度",
                                    "example": 2025,
                                },
                                "staff_count": {
                                    "type": "integer",
                                    "minimum": 1,
                                    "description": "在职职工年平均人数",
                                },
                                "avg_annual_wage": {
                                    **_NUMBER,
                                    "minimum": 0,
                                    "description": "在职职工年平均工资（元）",
                                },
                                "social_avg_annual_wage": {
                                    **_NUMBER,
                                    "exclusiveMinimum": 0,
                                    "description": "当地社会平均工资（元/年）",
                                },
                                "severe_person_months": {
                                    "type": "integer",
                                    "minimum": 0,
                                    "description": "1–2级残疾人证及1–3级残疾军人证安置人月数（按2人计）",
                                },
                                "other_person_months": {
                                    "type": "integer",
                                    "minimum": 0,
                                    "description": "其他安置人月数",
                                },
                                "ratio": {
                                    **_NUMBER,
                                    "exclusiveMinimum": 0,
                                    "exclusiveMaximum": 1,
                                    "description": "安置比例（如0.015）；省略时按region_code所在省或全国规定",
                                },
                                "is_enterprise": {
                                    "type": "boolean",
                                    "default": True,
                                    "description": "是否企业",
                                },
                                "region_code": {
                                    "type": "string",
                                    "description": "行政区划代码（可选，决定适用省份参数）",
                                },
                            },
                        },
                    ),
                    "example": {
                        "year": 2025,
                        "staff_count": 120,
                        "avg_annual_wage": 90000,
                        "social_avg_annual_wage": 60000,
                        "severe_person_months": 12,
                        "other_person_months": 6,
                        "ratio": 0.015,
                        "is_enterprise": True,
                    },
                }
            },
        },
        "responses": {
            "200": {
                "description": "估算结果（金额单位：元，保留到分）",
                "content": {
                    "application/json": {
                        "schema": schema(
                            "LevyEstimate",
                            {
                                "type": "object",
                                "required": [
                                    "quota",
                                    "actual",
                                    "wage_base",
                                    "levy_full",
                                    "rate",
                                    "levy_due",
                                    "exempt",
                                ],
                                "properties": {
                                    "quota": {
                                        **_NUMBER,
                                        "description": "应安排人数 = 职工人数 × 比例",
                                    },
                                    "actual": {**_NUMBER, "description": "实际安排人数（4位小数）"},
                                    "wage_base": {**_NUMBER, "description": "计征工资（封顶后）"},
                                    "levy_full": {**_NUMBER, "description": "减免前应缴金额"},
                                    "rate": {
                                        **_NUMBER,
                                        "description": "实际征收比例（0、0.5、0.9或1）",
                                    },
                                    "levy_due": {**_NUMBER, "description": "应缴金额"},
                                    "exempt": {
                                        "type": "boolean",
                                        "description": "是否适用小微企业免征",
                                    },
                                },
                            },
                        )
                    }
                },
            },
            "400": {
                "description": "输入有误：fields逐字段给出中文提示",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    },
)
