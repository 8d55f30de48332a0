"""超比例奖励 estimate (002): the request of POST /api/v1/reward/estimate and the answer.

The rule is `domain.reward`: quota persons = ceil(staff × ratio), over persons = placed −
quota (0 when not above), amount = over × coefficient × base, to the fen. Ratio,
coefficient and base default to the province's parameters (`domain.params`) of the
request's `region_code`, else of the caller's region; a caller without either gives all
three. The parameters are those in force on Dec 31 of `year` when given, else on today's
China date on the engine clock. Bounds keep every number finite and the amount within
what a JSON number carries to the fen (below 2⁵³ fen), so an overflowing value is a 400
with a Chinese message, not an arithmetic error.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from casework.schemas.base import Request
from casework.schemas.messages import Label
from casework.schemas.types import count, fail, number
from domain import regions
from domain.errors import DomainError, FieldErrors
from domain.levy import YEAR_RANGE
from domain.params import params_for
from domain.reward import RewardResult, compute_reward

LABELS = {
    "staff_count": "在职职工总数",
    "placed_persons": "安置残疾人数",
    "ratio": "安置比例",
    "coefficient": "安置系数",
    "base_amount": "奖励基数",
    "region_code": "行政区划",
    "year": "业务年度",
}
L = LABELS
MAX_STAFF = 10_000_000
MAX_COEFFICIENT = 10
MAX_BASE = 500_000  # yuan per person over the quota; MAX_STAFF × 10 × this < 2⁵³ fen
PARAMETERS = ("ratio", "coefficient", "base_amount")  # what a province's parameters supply


class RewardEstimateInput(Request):
    staff_count: Annotated[
        count(L["staff_count"], minimum=1, maximum=MAX_STAFF, verb="请输入"),
        Field(description="上年度在职职工总数"),
    ]
    placed_persons: Annotated[
        number(L["placed_persons"], minimum=0, maximum=MAX_STAFF, verb="请输入"),
        Field(description="上年度实际安置残疾人数（可为小数，如按月折算的2.5人）", examples=[2]),
    ]
    ratio: Annotated[
        number(L["ratio"], maximum=None) | None,
        Label(L["ratio"]),
        Field(
            description="安置比例（如0.015）；省略时按适用省份参数",
            json_schema_extra={"exclusiveMinimum": 0, "exclusiveMaximum": 1},
        ),
    ] = None
    coefficient: Annotated[
        number(L["coefficient"], maximum=MAX_COEFFICIENT, gt=0) | None,
        Label(L["coefficient"]),
        Field(description="安置系数（如1.5）；省略时按适用省份参数"),
    ] = None
    base_amount: Annotated[
        number(L["base_amount"], maximum=MAX_BASE, gt=0) | None,
        Label(L["base_amount"]),
        Field(description="奖励基数（元/人，如6600）；省略时按适用省份参数"),
    ] = None
    region_code: Annotated[
        str | None,
        Label(L["region_code"]),
        Field(
            description="行政区划代码（可选，决定适用省份参数；省略时按登录用户所在地区。"
            "未登录且未给出时须填写ratio、coefficient和base_amount）",
            json_schema_extra={"pattern": r"^\d{6}$"},
        ),
    ] = None
    year: Annotated[
        int | None,
        Label(L["year"]),
        Field(
            description="业务年度（可选）：按该年12月31日适用的省份参数；省略时按当日（北京时间）适用的参数",
            json_schema_extra={"minimum": YEAR_RANGE.start, "maximum": YEAR_RANGE.stop - 1},
        ),
    ] = None

    @field_validator("ratio")
    @classmethod
    def _a_fraction(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value < 1:
            raise fail("安置比例须大于0且小于1（如1.5%填0.015）")
        return value

    @field_validator("region_code")
    @classmethod
    def _known_region(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            return regions.get(value.strip()).code
        except DomainError as exc:
            raise fail(exc.message) from None

    @field_validator("year")
    @classmethod
    def _known_year(cls, value: int | None) -> int | None:
        if value is not None and value not in YEAR_RANGE:
            raise fail(f"{L['year']}须为{YEAR_RANGE.start}至{YEAR_RANGE.stop - 1}之间的年份")
        return value

    def day(self, today: date) -> date:
        """The day whose parameters apply: Dec 31 of `year`, else `today`."""
        return date(self.year, 12, 31) if self.year is not None else today

    def reward(self, caller_region: str | None, today: date) -> RewardResult:
        """The estimate; the parameters not given come from the province of `region_code`,
        else of `caller_region`. FieldErrors (in Chinese, per field) when neither region
        is known and a parameter is missing."""
        given = {"ratio": self.ratio, "coefficient": self.coefficient, "base_amount": self.base_amount}
        missing = [key for key in PARAMETERS if given[key] is None]
        region = self.region_code or caller_region or None
        if missing and region is None:
            names = "、".join(L[key] for key in missing)
            errors = {key: f"请填写{L[key]}，或填写行政区划代码（region_code）按省份参数计算" for key in missing}
            errors["region_code"] = f"请填写行政区划代码，或填写{names}"
            raise FieldErrors(errors)
        if missing:
            params = params_for(region, self.day(today))
            defaults = {
                "ratio": params.quota_ratio,
                "coefficient": params.reward_coefficient,
                "base_amount": params.reward_base,
            }
            given = {key: defaults[key] if value is None else value for key, value in given.items()}
        return compute_reward(
            self.staff_count,
            Decimal(str(self.placed_persons)),
            Decimal(str(given["ratio"])),
            Decimal(str(given["coefficient"])),
            Decimal(str(given["base_amount"])),
        )


def _number(value: Decimal | int) -> int | float:
    """A JSON number: an int when whole, else a float (money is already to the fen)."""
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


class RewardEstimate(BaseModel):
    """估算结果（金额单位：元，保留到分）"""

    quota_persons: int = Field(description="按比例应安置残疾人数 = 在职职工总数 × 安置比例，向上取整")
    over_persons: float = Field(description="超比例安置残疾人数 = 安置残疾人数 − 应安置人数（不超过时为0，可为小数）")
    amount: float = Field(description="超比例奖励金额 = 超比例人数 × 安置系数 × 奖励基数（元，保留到分）")

    @staticmethod
    def answer(result: RewardResult) -> dict:
        return {
            "quota_persons": result.quota_persons,
            "over_persons": _number(result.excess),
            "amount": _number(result.reward),
        }
