"""Where a case stands against its province's 申报期 on a given day.

Business year Y is declared in calendar year Y+1, inside the window the province sets
(000: 鞍山 2026-03-01 – 2026-10-31 for 2025; 003: 浙江 March 1 – December 31 with a
concentrated period April 1 – June 30). The diagram's 检查申报条件 refuses 完成申报
outside it (`refusal`), and the 首页 shows it (`status_text`, `HELP`). Days are calendar
days of China time; the caller passes the engine clock's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain import regions
from domain.params import params_for

UPCOMING = "upcoming"
OPEN = "open"
CLOSED = "closed"

HELP = (
    "申报期由单位所在省（区、市）残联公布，每年受理上一业务年度的按比例就业情况申报。"
    "请在申报期内登记全部安置人员，全部“已审核确认”后点击“完成申报”；"
    "逾期未参加认证的用人单位视为无残疾职工，按有关规定征收残疾人就业保障金。"
    "申报期外确需办理的，请联系所在地残联服务窗口。"
)


def chinese_date(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _province_name(province_code: str) -> str:
    if not province_code:
        return "全国"
    known = regions.find(province_code)
    return known.name if known is not None else province_code


@dataclass(frozen=True)
class DeclarationPeriod:
    """The window for declaring `business_year` in the unit's province, seen on `today`."""

    province_code: str  # "" when national defaults apply
    province_name: str  # 辽宁省
    business_year: int
    start: date
    end: date
    concentrated: tuple[date, date] | None
    today: date

    @property
    def state(self) -> str:
        if self.today < self.start:
            return UPCOMING
        return OPEN if self.today <= self.end else CLOSED

    @property
    def is_open(self) -> bool:
        return self.state == OPEN

    @property
    def days_left(self) -> int | None:
        """Calendar days until the last day (0 on the last day) while the window is open."""
        return (self.end - self.today).days if self.is_open else None

    @property
    def days_to_start(self) -> int | None:
        return (self.start - self.today).days if self.state == UPCOMING else None

    @property
    def in_concentrated(self) -> bool:
        return self.concentrated is not None and self.concentrated[0] <= self.today <= self.concentrated[1]

    @property
    def period_text(self) -> str:
        return f"{chinese_date(self.start)}至{chinese_date(self.end)}"

    @property
    def concentrated_text(self) -> str:
        if self.concentrated is None:
            return ""
        return f"{chinese_date(self.concentrated[0])}至{chinese_date(self.concentrated[1])}"

    @property
    def status_text(self) -> str:
        if self.state == UPCOMING:
            return f"申报期尚未开始（{self.days_to_start}天后开始）"
        if self.state == CLOSED:
            return "本年度申报期已结束"
        if self.days_left == 0:
            return "距申报截止还有0天（今天是申报期最后一天）"
        return f"距申报截止还有{self.days_left}天"

    def refusal(self) -> str:
        """Why 完成申报 is refused today ("" inside the window)."""
        if self.is_open:
            return ""
        return (
            f"不在申报期内：{self.province_name}{self.business_year}年度按比例就业情况申报期为"
            f"{self.period_text}"
        )


def declaration_period(region_code: str | None, business_year: int, today: date) -> DeclarationPeriod:
    """The window of calendar year business_year + 1 for the region's province.

    The parameter is read as in force on `today` when today lies in that calendar year,
    else on its first or last day (a window looked at before or after its year)."""
    calendar_year = business_year + 1
    on = min(max(today, date(calendar_year, 1, 1)), date(calendar_year, 12, 31))
    params = params_for(region_code, on)
    window = params.declaration_window
    start, end = window.dates(calendar_year)
    return DeclarationPeriod(
        province_code=params.province_code,
        province_name=_province_name(params.province_code),
        business_year=business_year,
        start=start,
        end=end,
        concentrated=window.concentrated_dates(calendar_year),
        today=today,
    )
