"""合同管理 rules (001 step 2, 002): what a declared contract must say to be accepted.

001: "如果人员非劳务派遣但是关联单位定义为上下级或者其他关联单位，则该人员的社保参保
单位、医保参保单位和工资发放单位必须有一个在本单位"; a 劳务派遣 contract needs the
agency (whose licence, three-party agreement and labour contract 002 asks for).
"""

from __future__ import annotations

import math

from domain.facts import ContractFact
from domain.months import overlaps_month

RELATION_SELF = "本单位"
RELATION_PARENT_CHILD = "上下级"
RELATION_OTHER = "其他关联单位"
RELATIONS = (RELATION_SELF, RELATION_PARENT_CHILD, RELATION_OTHER)

RELATED_UNIT_MESSAGE = (
    "非劳务派遣且通过关联单位安置的，社保参保单位、医保参保单位、工资发放单位至少有一个须为本单位"
)


def contract_rule_errors(contract: ContractFact, unit_code: str) -> list[str]:
    """Every rule the contract breaks, as Chinese messages (empty when it is acceptable)."""
    errors: list[str] = []
    if contract.end < contract.start:
        errors.append("合同结束日期不能早于合同开始日期")
    wage = contract.monthly_wage
    if (
        isinstance(wage, bool)
        or not isinstance(wage, int | float)
        or not math.isfinite(wage)
        or wage <= 0
    ):
        errors.append("合同月薪须为大于0的数字")
    if contract.relation not in RELATIONS:
        errors.append("关联单位关系须为本单位、上下级或其他关联单位")
    if contract.dispatched:
        if not contract.agency_unit.strip():
            errors.append("劳务派遣人员须填写劳务派遣单位")
    elif contract.relation in (RELATION_PARENT_CHILD, RELATION_OTHER) and unit_code not in (
        contract.pension_unit,
        contract.medical_unit,
        contract.wage_unit,
    ):
        errors.append(RELATED_UNIT_MESSAGE)
    return errors


def covers_month(contract: ContractFact, year: int, month: int) -> bool:
    """A contract counts for a month when it is in force on at least one day of it."""
    return overlaps_month(contract.start, contract.end, year, month)

