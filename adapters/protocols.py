"""One Protocol per outside system the certification depends on.

Callers (the worker running a service task, the 身份证号 autofill, the demo loader) type
against these, so the real HTTP clients, the simulator-backed clients in tests and any
future provincial variant are interchangeable. Every method may raise
`adapters.errors.SystemUnavailable` (retry later) or `adapters.errors.BadResponse`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from domain.facts import CertificateFact, MonthlyPayment, OtherPlacement, PersonFact


@dataclass(frozen=True)
class UnitFact:
    """A unit as the 市场监管 register knows it (autofills 单位信息维护, checks 关联单位)."""

    credit_code: str
    name: str
    region: str  # 6-digit region code of the registered address
    nature: str  # 企业 / 事业单位 / 机关 / 社会组织
    address: str = ""


@runtime_checkable
class CertificateRegistry(Protocol):
    """中国残联 残疾人证 registry: who the person is and which 残疾人证 they hold."""

    def lookup_person(self, id_number: str) -> PersonFact | None:
        """The person with their certificates, or None when the registry has no record."""
        ...


@runtime_checkable
class VeteranRegistry(Protocol):
    """退役军人事务部门: 残疾军人证 (grades 1–8) of a person; empty when there is none."""

    def certificates(self, id_number: str) -> list[CertificateFact]: ...


@runtime_checkable
class PensionInsurance(Protocol):
    """人社 pension insurance: the months of a year with a paid contribution, per paying unit."""

    def payments(self, id_number: str, year: int) -> list[MonthlyPayment]: ...


@runtime_checkable
class MedicalInsurance(Protocol):
    """医保 medical insurance: same shape as pension."""

    def payments(self, id_number: str, year: int) -> list[MonthlyPayment]: ...


@runtime_checkable
class WageData(Protocol):
    """Wage/payroll data: one row per month and paying unit, with the amount in yuan."""

    def wages(self, id_number: str, year: int) -> list[MonthlyPayment]: ...


@runtime_checkable
class PlacementRegistry(Protocol):
    """Every unit that counted the person in a month of the year (including the caller's own
    unit: the caller filters it out, because only it knows which unit it speaks for)."""

    def placements(self, id_number: str, year: int) -> list[OtherPlacement]: ...


@runtime_checkable
class UnitRegistry(Protocol):
    """市场监管 unit register, keyed by 统一社会信用代码."""

    def unit(self, credit_code: str) -> UnitFact | None: ...


@runtime_checkable
class TaxBureau(Protocol):
    """税务: receives the certified result. `payload["idempotency_key"]` makes a retried push
    return the first receipt instead of filing twice."""

    def push_result(self, payload: dict[str, Any]) -> dict[str, Any]: ...
