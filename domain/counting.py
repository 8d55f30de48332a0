"""安置月数, 核定月数 and 实际安排人数: how confirmed months become the certified number.

001 shows per person 安置登记(月) 8 / 安置确认(月) 8 / 安置核定(月) 16 for a 二级 holder
(counted twice, 000), per case "本次累计安置确认 N 个月，累计安置核定 M 个月", and on the
home page 安置登记 N人 / 安置核定 N月 / 安排比例. The tax bureau receives 实际安排人数 =
核定月数 / 12.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.month_check import MonthResult

MONTHS_PER_YEAR = 12


def persons_from_months(approved_months: int) -> Decimal:
    """实际安排人数 = 核定月数 / 12, to two decimals (what is sent to 税务)."""
    return (Decimal(approved_months) / MONTHS_PER_YEAR).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class PersonCount:
    """One person's months in a case.

    `severe_months` are confirmed months counted twice (残疾人证 1–2级, 残疾军人证 1–3级),
    `other_months` the rest; this split is also the levy calculator's input.
    """

    registered_months: int  # 安置登记: months the employer ticked
    confirmed_months: int  # 安置确认: months passed (system or reviewer)
    severe_months: int
    other_months: int

    @property
    def approved_months(self) -> int:
        """安置核定: confirmed months weighted (×2 for double-counted months)."""
        return 2 * self.severe_months + self.other_months

    @property
    def rejected_months(self) -> int:
        """安置不通过(月) once review is over: ticked but not confirmed."""
        return self.registered_months - self.confirmed_months


def count_person(
    registered: Iterable[int], confirmed: Iterable[int], weights: Mapping[int, int] | int
) -> PersonCount:
    """Count one person from the months ticked, the months confirmed and the weight.

    `weights` is one weight for the whole year or a weight per month (a certificate
    re-graded mid-year changes it). Only confirmed months that were ticked count.
    """
    ticked = set(registered)
    passed = set(confirmed) & ticked
    severe = other = 0
    for month in passed:
        w = weights if isinstance(weights, int) else weights.get(month, 0)
        if w >= 2:
            severe += 1
        elif w == 1:
            other += 1
    return PersonCount(len(ticked), len(passed), severe, other)


def count_from_results(
    results: Sequence[MonthResult], registered: Iterable[int], confirmed: Iterable[int]
) -> PersonCount:
    """Count with the weight of each month's certificate from the 人员信息校验 grid."""
    weights = {r.month: r.weight or 1 for r in results}
    return count_person(registered, confirmed, weights)


@dataclass(frozen=True)
class CaseCount:
    """Totals of one case (one unit, one business year)."""

    people: int  # 安置登记 N人
    registered_months: int
    confirmed_months: int  # 本次累计安置确认 N 个月
    severe_months: int
    other_months: int

    @property
    def approved_months(self) -> int:
        """累计安置核定 M 个月 (also 首页 安置核定 N月)."""
        return 2 * self.severe_months + self.other_months

    @property
    def actual_persons(self) -> Decimal:
        """实际安排人数 = 核定月数 / 12, to two decimals (what is sent to 税务)."""
        return persons_from_months(self.approved_months)

    def actual_ratio(self, staff_count: int) -> Decimal | None:
        """实际安排比例 against the staff count, to four decimals (0.0150 = 1.5%)."""
        if staff_count <= 0:
            return None
        ratio = Decimal(self.approved_months) / MONTHS_PER_YEAR / staff_count
        return ratio.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    def summary(self) -> str:
        """The sentence above 001's person list."""
        return f"本次累计安置确认 {self.confirmed_months} 个月，累计安置核定 {self.approved_months} 个月"


def count_case(people: Iterable[PersonCount]) -> CaseCount:
    """Add up the people of a case; a person with no ticked month is not 登记."""
    counts = list(people)
    return CaseCount(
        people=sum(1 for p in counts if p.registered_months > 0),
        registered_months=sum(p.registered_months for p in counts),
        confirmed_months=sum(p.confirmed_months for p in counts),
        severe_months=sum(p.severe_months for p in counts),
        other_months=sum(p.other_months for p in counts),
    )


def format_ratio(ratio: Decimal) -> str:
    """0.015 → "1.5%", as the home page shows 安排比例."""
    percent = (ratio * 100).normalize()
    return f"{percent:f}%"
