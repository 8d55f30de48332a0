from dataclasses import replace
from datetime import date

import pytest

from domain.facts import ContractFact
from domain.month_check import MonthResult, contract_rule_errors, selectable_months
from domain.month_selection import (
    months_for_review,
    prechecked_months,
    required_materials,
    selection_errors,
)

UNIT = "91210300MA0000001A"
PARENT = "91210300MA0000003C"
AGENCY = "91210300MA0000004D"

RELATED_MESSAGE = "非劳务派遣且通过关联单位安置的，社保参保单位、医保参保单位、工资发放单位至少有一个须为本单位"


def contract(**changes) -> ContractFact:
    base = ContractFact(
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        dispatched=False,
        relation="本单位",
        monthly_wage=3000.0,
        pension_unit=UNIT,
        medical_unit=UNIT,
        wage_unit=UNIT,
    )
    return replace(base, **changes)


def test_a_plain_contract_is_fine():
    assert contract_rule_errors(contract(), UNIT) == []


def test_end_before_start():
    errors = contract_rule_errors(contract(end=date(2024, 12, 31)), UNIT)
    assert errors == ["合同结束日期不能早于合同开始日期"]


def test_one_day_contract_is_allowed():
    assert contract_rule_errors(contract(end=date(2025, 1, 1)), UNIT) == []


@pytest.mark.parametrize("wage", [0, -1.0, float("nan"), float("inf"), True, "3000", None])
def test_wage_must_be_a_positive_number(wage):
    assert "合同月薪须为大于0的数字" in contract_rule_errors(contract(monthly_wage=wage), UNIT)


@pytest.mark.parametrize("relation", ["上下级", "其他关联单位"])
@pytest.mark.parametrize(
    ("pension", "medical", "wage", "ok"),
    [
        (PARENT, PARENT, PARENT, False),
        (UNIT, PARENT, PARENT, True),
        (PARENT, UNIT, PARENT, True),
        (PARENT, PARENT, UNIT, True),
    ],
)
def test_related_unit_placement_needs_one_paying_unit_here(relation, pension, medical, wage, ok):
    c = contract(relation=relation, pension_unit=pension, medical_unit=medical, wage_unit=wage)
    errors = contract_rule_errors(c, UNIT)
    assert (RELATED_MESSAGE not in errors) is ok


def test_own_unit_relation_does_not_need_the_related_rule():
    c = contract(pension_unit=PARENT, medical_unit=PARENT, wage_unit=PARENT)
    assert contract_rule_errors(c, UNIT) == []


def test_dispatch_needs_an_agency_but_not_the_related_rule():
    c = contract(dispatched=True, relation="其他关联单位", pension_unit=AGENCY, medical_unit=AGENCY, wage_unit=AGENCY)
    assert contract_rule_errors(c, UNIT) == ["劳务派遣人员须填写劳务派遣单位"]
    assert contract_rule_errors(replace(c, agency_unit=AGENCY), UNIT) == []


def test_unknown_relation():
    assert "关联单位关系须为本单位、上下级或其他关联单位" in contract_rule_errors(contract(relation="母公司"), UNIT)


def test_several_errors_at_once():
    c = contract(end=date(2024, 1, 1), monthly_wage=0, relation="上下级", pension_unit=PARENT, medical_unit=PARENT, wage_unit=PARENT)
    assert len(contract_rule_errors(c, UNIT)) == 3


# --- month selection (001 step 3) -------------------------------------------------


def row(month: int, **failed: bool) -> MonthResult:
    checks = dict.fromkeys(
        ["wage", "pension", "medical", "certificate", "working_age", "contract", "certificate_type", "no_other_unit"],
        True,
    )
    checks.update(failed)
    return MonthResult(year=2021, month=month, **checks)


# 001's example: January–April crossed (工资, 社保, and 医保 in 1–3), May–December ticked
GRID = [row(m, wage=False, pension=False, medical=m == 4) for m in range(1, 5)] + [row(m) for m in range(5, 13)]


def test_prechecked_are_the_passed_months():
    assert prechecked_months(GRID) == frozenset(range(5, 13))


def test_non_dispatch_passed_months_are_forced():
    forced, optional = selectable_months(GRID, dispatched=False)
    assert forced == frozenset(range(5, 13))
    assert optional == frozenset(range(1, 5))


def test_dispatch_staff_choose_freely():
    forced, optional = selectable_months(GRID, dispatched=True)
    assert forced == frozenset()
    assert optional == frozenset(range(1, 13))


def test_unticking_a_forced_month_is_refused():
    errors = selection_errors(GRID, False, set(range(6, 13)))
    assert errors == ["2021年5月已通过系统核验，非劳务派遣人员不能取消勾选"]
    assert selection_errors(GRID, True, set(range(6, 13))) == []
    assert selection_errors(GRID, False, {13, *range(5, 13)}) == ["月份13不在业务年度的1至12月内"]


def test_claimed_failed_months_go_to_review_with_uploads():
    selected = set(range(1, 13))
    assert months_for_review(GRID, selected) == [1, 2, 3, 4]
    assert required_materials(GRID, selected) == ["工资发放证明", "社会保险缴费凭证", "医疗保险缴费凭证"]
    assert required_materials(GRID, {4, 5}) == ["工资发放证明", "社会保险缴费凭证"]
    assert required_materials(GRID, set(range(5, 13))) == []
