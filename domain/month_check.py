"""人员信息校验 (001 step 3; 002 adds 无其他单位安置): the 12-month grid of automatic checks.

For each month of the business year the system ticks or crosses: 工资信息 (a wage from an
accepted unit ≥ the local minimum wage), 社保参保状态, 医保参保状态, 残疾证状态, 是否就业
年龄段, 合同状态, 残疾证类型/等级, 无其他单位安置. A month with every tick passes
automatically; a crossed month may still be claimed with uploads and goes to manual review
(see ``domain.month_selection``). Each check is a small function usable on its own, e.g.
by a DMN script task or a reviewer screen that re-checks one column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from domain.certificate import (
    category_name,
    counts_for_quota,
    grade_name,
    is_valid_in_month,
    weight,
)
from domain.contract import contract_rule_errors as contract_rule_errors
from domain.contract import covers_month
from domain.errors import DomainError
from domain.facts import CertificateFact, CertificateKind, MonthlyPayment, YearFacts
from domain.month_params import FixedMonthParams as FixedMonthParams
from domain.month_params import MonthParams, ShippedMonthParams
from domain.month_selection import selectable_months as selectable_months
from domain.months import format_month, month_end, month_start
from domain.retirement import working_age_reason

# The grid's columns in the order 001/002 show them; also the MonthResult field names.
CHECKS = (
    "wage",
    "pension",
    "medical",
    "certificate",
    "working_age",
    "contract",
    "certificate_type",
    "no_other_unit",
)


@dataclass(frozen=True)
class CheckOutcome:
    ok: bool
    reason: str | None = None  # Chinese, set when not ok

    @classmethod
    def passed(cls) -> CheckOutcome:
        return cls(True)

    @classmethod
    def failed(cls, reason: str) -> CheckOutcome:
        return cls(False, reason)


@dataclass(frozen=True)
class MonthResult:
    """One row of the grid. `passed` is derived: every check ticked."""

    year: int
    month: int
    wage: bool
    pension: bool
    medical: bool
    certificate: bool
    working_age: bool
    contract: bool
    certificate_type: bool
    no_other_unit: bool
    certificate_kind: CertificateKind | None = None  # of the certificate shown for the month
    certificate_grade: int | None = None
    reasons: list[str] = field(default_factory=list)
    passed: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "passed", all(getattr(self, name) for name in CHECKS))

    @property
    def label(self) -> str:
        """202503, as the grid's 年月 column shows it."""
        return f"{self.year}{self.month:02d}"

    @property
    def grade_label(self) -> str:
        return grade_name(self.certificate_grade) if self.certificate_grade else ""

    @property
    def weight(self) -> int:
        """People this month counts as (for 核定月数); 0 without a counting certificate."""
        if self.certificate_kind is None or self.certificate_grade is None or not self.certificate_type:
            return 0
        return weight(self.certificate_kind, self.certificate_grade)

    @property
    def failed_checks(self) -> list[str]:
        return [name for name in CHECKS if not getattr(self, name)]


def accepted_units(facts: YearFacts) -> frozenset[str]:
    """This unit and its 关联单位 / 劳务派遣 agency; the unit itself is always accepted."""
    return facts.accepted_units | {facts.unit_code}


def _payments(records: list[MonthlyPayment], month: int) -> list[MonthlyPayment]:
    return [r for r in records if r.month == month]


def check_wage(facts: YearFacts, month: int, minimum: float) -> CheckOutcome:
    """工资信息: wages from accepted units that month add up to at least `minimum`.

    Wages are summed because one month's pay may be transferred in parts.
    """
    when = format_month(facts.year, month)
    records = _payments(facts.wages, month)
    if not records:
        return CheckOutcome.failed(f"{when}无工资发放记录")
    units = accepted_units(facts)
    accepted = [r for r in records if r.unit_code in units]
    if not accepted:
        return CheckOutcome.failed(f"{when}工资发放单位不是本单位或关联单位")
    total = sum((Decimal(str(r.amount)) for r in accepted), Decimal(0))
    floor = Decimal(str(minimum))
    if total < floor:
        return CheckOutcome.failed(f"{when}工资{total:.2f}元低于当地最低工资标准{floor:.2f}元")
    return CheckOutcome.passed()


def _check_insurance(
    facts: YearFacts, month: int, records: list[MonthlyPayment], name: str
) -> CheckOutcome:
    when = format_month(facts.year, month)
    in_month = _payments(records, month)
    if not in_month:
        return CheckOutcome.failed(f"{when}无{name}缴费记录")
    units = accepted_units(facts)
    if not any(r.unit_code in units for r in in_month):
        return CheckOutcome.failed(f"{when}{name}参保单位不是本单位或关联单位")
    return CheckOutcome.passed()


def check_pension(facts: YearFacts, month: int) -> CheckOutcome:
    """社保参保状态: a pension contribution that month paid by an accepted unit."""
    return _check_insurance(facts, month, facts.pension, "养老保险")


def check_medical(facts: YearFacts, month: int) -> CheckOutcome:
    """医保参保状态: a medical-insurance contribution that month paid by an accepted unit."""
    return _check_insurance(facts, month, facts.medical, "医疗保险")


def _days_in_month(cert: CertificateFact, year: int, month: int) -> int:
    first = max(cert.valid_from, month_start(year, month))
    last = min(cert.valid_to, month_end(year, month))
    return (last - first).days + 1


def certificate_for_month(facts: YearFacts, month: int) -> CertificateFact | None:
    """The certificate the grid shows for a month (残疾证类型 / 残疾证等级).

    Among certificates valid that month, one that counts for the quota is preferred, then
    the one in force on more days, then the newer one (a card replaced mid-month).
    """
    valid = [c for c in facts.certificates if is_valid_in_month(c, facts.year, month)]
    if not valid:
        return None
    return max(
        valid,
        key=lambda c: (
            counts_for_quota(c.kind, c.category, c.grade),
            _days_in_month(c, facts.year, month),
            c.valid_from,
        ),
    )


def check_certificate(facts: YearFacts, month: int) -> CheckOutcome:
    """残疾证状态: a certificate valid on at least one day of the month.

    A certificate the employer added by hand (001 残疾证管理: 手动添加的残疾证件需经过残联
    部门审核) cannot pass automatically; such a month goes to manual review.
    """
    when = format_month(facts.year, month)
    valid = [c for c in facts.certificates if is_valid_in_month(c, facts.year, month)]
    if not valid:
        return CheckOutcome.failed(f"{when}无有效残疾证件")
    if all(c.source == "manual" for c in valid):
        return CheckOutcome.failed(f"{when}的残疾证件为单位手动添加，需残联审核")
    return CheckOutcome.passed()


def check_certificate_type(facts: YearFacts, month: int) -> CheckOutcome:
    """残疾证类型/等级: the month's certificate counts for the quota (000)."""
    when = format_month(facts.year, month)
    cert = certificate_for_month(facts, month)
    if cert is None:
        return CheckOutcome.failed(f"{when}无可计入按比例就业的残疾证件")
    if not counts_for_quota(cert.kind, cert.category, cert.grade):
        shown = f"{cert.kind}{category_name(cert.category)}{grade_name(cert.grade)}"
        return CheckOutcome.failed(f"{when}残疾证件类型或等级不计入按比例就业（{shown}）")
    return CheckOutcome.passed()


def check_working_age(facts: YearFacts, month: int, female_track: str = "default") -> CheckOutcome:
    """是否就业年龄段: 16 to the statutory retirement age (``domain.retirement``)."""
    person = facts.person
    when = format_month(facts.year, month)
    try:
        why = working_age_reason(person.birth_date, person.sex, facts.year, month, female_track)
    except DomainError as exc:  # e.g. a registry that sends no sex: review by hand
        return CheckOutcome.failed(f"{when}无法判断就业年龄段：{exc.message}")
    if why is None:
        return CheckOutcome.passed()
    return CheckOutcome.failed(f"{when}不在法定就业年龄段内（{why}）")


def check_contract(facts: YearFacts, month: int) -> CheckOutcome:
    """合同状态: a declared contract is in force on at least one day of the month."""
    if any(covers_month(c, facts.year, month) for c in facts.contracts):
        return CheckOutcome.passed()
    return CheckOutcome.failed(f"{format_month(facts.year, month)}无有效劳动合同或劳务派遣协议")


def check_no_other_unit(facts: YearFacts, month: int) -> CheckOutcome:
    """无其他单位安置 (002): no unit outside the accepted ones counts the person that month."""
    units = accepted_units(facts)
    others = sorted({p.unit_code for p in facts.other_placements if p.month == month} - units)
    if others:
        return CheckOutcome.failed(
            f"{format_month(facts.year, month)}已由其他单位（{'、'.join(others)}）安置登记"
        )
    return CheckOutcome.passed()


def _minimum_wage_outcome(facts: YearFacts, month: int, lookup: MonthParams) -> CheckOutcome:
    try:
        minimum = lookup.minimum_wage(facts.unit_region, facts.year, month)
    except DomainError as exc:
        # Missing figures must not stop the grid: the month goes to manual review.
        return CheckOutcome.failed(f"{exc.message}，需人工审核")
    return check_wage(facts, month, minimum)


def check_month(
    facts: YearFacts, month: int, lookup: MonthParams, female_track: str = "default"
) -> MonthResult:
    """All checks of one month."""
    outcomes = {
        "wage": _minimum_wage_outcome(facts, month, lookup),
        "pension": check_pension(facts, month),
        "medical": check_medical(facts, month),
        "certificate": check_certificate(facts, month),
        "working_age": check_working_age(facts, month, female_track),
        "contract": check_contract(facts, month),
        "certificate_type": check_certificate_type(facts, month),
        "no_other_unit": check_no_other_unit(facts, month),
    }
    cert = certificate_for_month(facts, month)
    return MonthResult(
        year=facts.year,
        month=month,
        certificate_kind=cert.kind if cert else None,
        certificate_grade=cert.grade if cert else None,
        reasons=[o.reason for o in outcomes.values() if not o.ok and o.reason],
        **{name: o.ok for name, o in outcomes.items()},
    )


def check_year(facts: YearFacts, params_lookup: MonthParams | None = None) -> list[MonthResult]:
    """The 12 rows of 人员信息校验 for one person, one unit, one business year."""
    lookup = params_lookup if params_lookup is not None else ShippedMonthParams()
    try:
        track = lookup.female_retirement_track(facts.unit_region, facts.year)
    except DomainError:
        track = "default"
    return [check_month(facts, month, lookup, track) for month in range(1, 13)]
