"""Facts gathered from outside systems about one person in one business year.

These plain dataclasses are the contract between `adapters/` (which fetch them over
HTTP from the 残联 registry, 退役军人, 人社, 医保 and wage systems) and
`domain.month_check` (which turns them into the 12-month grid of 人员信息校验).
Neither side knows about the other; both only know these types.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class CertificateKind(StrEnum):
    """The two certificates that count for the quota (000: 残疾人证 or 残疾军人证 1–8级)."""

    DISABLED = "残疾人证"
    VETERAN = "残疾军人证"


@dataclass(frozen=True)
class CertificateFact:
    """One certificate as a registry (or the employer, for a historical one) reports it."""

    number: str
    kind: CertificateKind
    category: str  # 视力/听力/言语/肢体/智力/精神/多重 for 残疾人证; "伤残" for 残疾军人证
    grade: int  # 1–4 for 残疾人证, 1–8 for 残疾军人证
    valid_from: date
    valid_to: date
    source: str = "registry"  # "registry" or "manual" (manual ones need 残联 review)


@dataclass(frozen=True)
class PersonFact:
    """What the 残疾人证 registry knows of a person (used to autofill 安置登记)."""

    id_number: str
    name: str
    sex: str  # 男/女
    birth_date: date
    household_region: str  # region code of 户籍地 (6 digits)
    household_address: str
    phone: str = ""
    certificates: tuple[CertificateFact, ...] = ()


@dataclass(frozen=True)
class MonthlyPayment:
    """One month of a contribution or wage record: who paid and how much."""

    month: int  # 1–12 of the business year
    unit_code: str  # 统一社会信用代码 of the paying unit
    amount: float = 0.0  # yuan; 0 for insurance records that only say "paid"


@dataclass(frozen=True)
class ContractFact:
    """A labour contract (or 劳务派遣 agreement) as declared in 合同管理."""

    start: date
    end: date
    dispatched: bool  # 是否为劳务派遣
    relation: str  # 本单位 / 上下级 / 其他关联单位
    monthly_wage: float
    pension_unit: str  # 社保参保单位 credit code
    medical_unit: str  # 医保参保单位 credit code
    wage_unit: str  # 工资发放单位 credit code
    agency_unit: str = ""  # 劳务派遣单位 credit code when dispatched


@dataclass(frozen=True)
class OtherPlacement:
    """Another unit that counted the same person in a month (无其他单位安置, 002)."""

    month: int
    unit_code: str


@dataclass
class YearFacts:
    """Everything the monthly checks need for one person, one unit, one business year."""

    year: int
    unit_code: str
    unit_region: str  # region code of the unit (for the local minimum wage)
    person: PersonFact
    certificates: list[CertificateFact] = field(default_factory=list)
    contracts: list[ContractFact] = field(default_factory=list)
    pension: list[MonthlyPayment] = field(default_factory=list)
    medical: list[MonthlyPayment] = field(default_factory=list)
    wages: list[MonthlyPayment] = field(default_factory=list)
    other_placements: list[OtherPlacement] = field(default_factory=list)
    accepted_units: frozenset[str] = frozenset()  # this unit and its 关联单位
