"""残保金 estimate: the request of POST /api/v1/levy/estimate and of the calculator page,
and the answer. Bounds keep every number finite and within what a unit can have, so an
overflowing value (1e308) is a 400 with a Chinese message, not an arithmetic error."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, ValidationInfo, field_validator

from casework.schemas.base import Query, Request
from casework.schemas.messages import Label
from casework.schemas.types import count, fail, number, text
from domain.levy import FIELD_LABELS, MONTHS_PER_YEAR, YEAR_RANGE, LevyInput, LevyResult

F = FIELD_LABELS
MAX_STAFF = 10_000_000
MAX_WAGE = 1e9  # yuan a year


class LevyEstimateInput(Request):
    year: Annotated[
        int,
        Label(F["year"], verb="请输入"),
        Field(
            title=F["year"], examples=[2025],
            json_schema_extra={"minimum": YEAR_RANGE.start, "maximum": YEAR_RANGE.stop - 1},
        ),
    ]
    staff_count: Annotated[count(F["staff_count"], minimum=1, maximum=MAX_STAFF, verb="请输入"), Field(description="在职职工年平均人数")]
    avg_annual_wage: Annotated[number(F["avg_annual_wage"], minimum=0, maximum=MAX_WAGE, verb="请输入"), Field(description="在职职工年平均工资（元）")]
    social_avg_annual_wage: Annotated[number(F["social_avg_annual_wage"], maximum=MAX_WAGE, verb="请输入", gt=0), Field(description="当地社会平均工资（元/年）")]
    severe_person_months: Annotated[
        count(F["severe_person_months"], maximum=MAX_STAFF * MONTHS_PER_YEAR, verb="请输入"),
        Field(description="1–2级残疾人证及1–3级残疾军人证安置人月数（按2人计）"),
    ]
    other_person_months: Annotated[
        count(F["other_person_months"], maximum=MAX_STAFF * MONTHS_PER_YEAR, verb="请输入"),
        Field(description="其他安置人月数；两项之和不能超过职工人数×12"),
    ]
    ratio: Annotated[
        number(F["ratio"], maximum=None) | None,
        Label(F["ratio"]),
        Field(
            description="安置比例（如0.015）；省略时按region_code所在省或全国规定",
            json_schema_extra={"exclusiveMinimum": 0, "exclusiveMaximum": 1},
        ),
    ] = None
    is_enterprise: Annotated[bool, Label(F["is_enterprise"]), Field(description="是否企业")] = True
    region_code: Annotated[
        str | None,
        Label(F["region_code"]),
        Field(
            description="行政区划代码（可选，决定适用省份参数）",
            json_schema_extra={"pattern": r"^\d{6}$"},
        ),
    ] = None

    @field_validator("year")
    @classmethod
    def _known_year(cls, value: int) -> int:
        if value not in YEAR_RANGE:
            raise fail(f"{F['year']}须为{YEAR_RANGE.start}至{YEAR_RANGE.stop - 1}之间的年份")
        return value

    @field_validator("ratio")
    @classmethod
    def _a_fraction(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value < 1:
            raise fail("安置比例须大于0且小于1（如1.5%填0.015）")
        return value

    @field_validator("region_code")
    @classmethod
    def _six_digits(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if len(value.strip()) != 6 or not value.strip().isdigit():
            raise fail("行政区划代码应为6位数字")
        return value.strip()

    @field_validator("other_person_months")
    @classmethod
    def _months_within_staff(cls, value: int, info: ValidationInfo) -> int:
        staff, severe = info.data.get("staff_count"), info.data.get("severe_person_months")
        if staff is not None and severe is not None and severe + value > MONTHS_PER_YEAR * staff:
            raise fail("安置人月数不能超过职工人数×12")
        return value

    def levy_input(self) -> LevyInput:
        return LevyInput(
            year=self.year,
            staff_count=self.staff_count,
            avg_annual_wage=Decimal(str(self.avg_annual_wage)),
            social_avg_annual_wage=Decimal(str(self.social_avg_annual_wage)),
            severe_person_months=self.severe_person_months,
            other_person_months=self.other_person_months,
            ratio=Decimal(str(self.ratio)) if self.ratio is not None else None,
            is_enterprise=self.is_enterprise,
            region_code=self.region_code,
        )


def _number(value: Decimal) -> int | float:
    """A JSON number: an int when whole, else a float (money is already to the fen)."""
    return int(value) if value == value.to_integral_value() else float(value)


class LevyEstimate(BaseModel):
    """估算结果（金额单位：元，保留到分）"""

    quota: float = Field(description="应安排人数 = 职工人数 × 比例")
    actual: float = Field(description="实际安排人数（4位小数）")
    wage_base: float = Field(description="计征工资（封顶后）")
    levy_full: float = Field(description="减免前应缴金额")
    rate: float = Field(description="实际征收比例（0、0.5、0.9或1）")
    levy_due: float = Field(description="应缴金额")
    exempt: bool = Field(description="是否适用小微企业免征")

    @staticmethod
    def answer(result: LevyResult) -> dict:
        return {
            "quota": _number(result.quota),
            "actual": _number(result.actual),
            "wage_base": _number(result.wage_base),
            "levy_full": _number(result.levy_full),
            "rate": _number(result.rate),
            "levy_due": _number(result.levy_due),
            "exempt": result.exempt,
        }


def _blank_is_none(value: object) -> object:
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


MAX_MONTHLY_WAGE = MAX_WAGE / MONTHS_PER_YEAR


class LevyPageInput(Query):
    """The calculator page's own fields (001 §5): it asks for a monthly wage and the ratio
    in percent, and two figures only the page uses. With the rest of the page's fields
    the page then validates a `LevyEstimateInput`, like the API."""

    unit_name: text("单位名称", max_len=200, verb="请输入")
    avg_monthly_wage: number("单位月平均工资", minimum=0, maximum=MAX_MONTHLY_WAGE, verb="请输入")
    social_avg_annual_wage: Annotated[
        number(F["social_avg_annual_wage"], maximum=MAX_WAGE, gt=0) | None,
        Label(F["social_avg_annual_wage"]),
        BeforeValidator(_blank_is_none),
    ] = None
    ratio_percent: Annotated[
        number("残疾人安置比例", maximum=None) | None,
        Label("残疾人安置比例"),
        BeforeValidator(_blank_is_none),
    ] = None
    disabled_monthly_wage: Annotated[
        number("残疾员工月薪", minimum=0, maximum=MAX_MONTHLY_WAGE) | None,
        Label("残疾员工月薪"),
        BeforeValidator(_blank_is_none),
    ] = None

    @field_validator("ratio_percent")
    @classmethod
    def _a_percentage(cls, value: float | None) -> float | None:
        if value is not None and not 0 < value < 100:
            raise fail("残疾人安置比例须大于0且小于100")
        return value
