"""Which months the employer may tick in 人员信息校验 (001 step 3 ①②).

"系统默认勾选自动核验通过的月份，如果为非劳务派遣人员，则系统核验通过的月份强制申报，
不允许取消，如果为劳务派遣人员，则用人单位可自行选择该残疾人员的安置登记月份。"
A crossed month may be ticked too; it then needs uploads (002: 工资发放证明, 社会保险
缴费凭证, 医疗保险缴费凭证) and goes to manual review.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from domain.months import format_month

if TYPE_CHECKING:
    from domain.month_check import MonthResult

ALL_MONTHS = frozenset(range(1, 13))

# What to upload for a claimed month, per failed check (002 上传附件).
MATERIALS: dict[str, str] = {
    "wage": "工资发放证明",
    "pension": "社会保险缴费凭证",
    "medical": "医疗保险缴费凭证",
    "certificate": "残疾证件影像资料",
    "certificate_type": "残疾证件影像资料",
    "contract": "劳动合同或劳务派遣协议",
    "working_age": "情况说明",
    "no_other_unit": "情况说明",
}


def prechecked_months(results: Sequence[MonthResult]) -> frozenset[int]:
    """Months ticked when the grid opens: those that passed automatically."""
    return frozenset(r.month for r in results if r.passed)


def selectable_months(
    results: Sequence[MonthResult], dispatched: bool
) -> tuple[frozenset[int], frozenset[int]]:
    """(forced, optional): months that cannot be unticked, and months the employer may tick.

    Non-dispatch staff: passed months are forced, failed months optional. 劳务派遣 staff:
    nothing is forced, every month is optional (passed ones start ticked).
    """
    passed = prechecked_months(results)
    months = frozenset(r.month for r in results)
    forced = frozenset() if dispatched else passed
    return forced, months - forced


def selection_errors(
    results: Sequence[MonthResult], dispatched: bool, selected: Iterable[int]
) -> list[str]:
    """Why a submitted selection is refused (Chinese); empty when it is acceptable."""
    chosen = set(selected)
    year = results[0].year if results else 0
    errors = [f"月份{m}不在业务年度的1至12月内" for m in sorted(chosen - ALL_MONTHS)]
    forced, _ = selectable_months(results, dispatched)
    for month in sorted(forced - chosen):
        errors.append(f"{format_month(year, month)}已通过系统核验，非劳务派遣人员不能取消勾选")
    return errors


def months_for_review(results: Sequence[MonthResult], selected: Iterable[int]) -> list[int]:
    """Ticked months that failed a check: they need uploads and a 残联 reviewer."""
    chosen = set(selected)
    return [r.month for r in results if r.month in chosen and not r.passed]


def required_materials(results: Sequence[MonthResult], selected: Iterable[int]) -> list[str]:
    """The upload slots to show for the claimed months, in the order of 002's screen."""
    chosen = set(selected)
    needed: list[str] = []
    for result in results:
        if result.month not in chosen:
            continue
        for check in result.failed_checks:
            material = MATERIALS[check]
            if material not in needed:
                needed.append(material)
    order = list(dict.fromkeys(MATERIALS.values()))
    return sorted(needed, key=order.index)
