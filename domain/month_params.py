"""Where the month checks get the two province figures they need (001 人员信息校验).

The wage column compares with the local minimum wage and the working-age column needs
the province's female retirement track. The checks only see this small Protocol, so tests
and what-if screens pass fixed values while the application reads the parameter files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from domain import params as shipped_params


class MonthParams(Protocol):
    """The two province figures the checks need; tests pass fixed values."""

    def minimum_wage(self, region_code: str, year: int, month: int) -> float: ...

    def female_retirement_track(self, region_code: str, year: int) -> str: ...


class ShippedMonthParams:
    """MonthParams backed by the shipped parameter files (``domain.params``)."""

    def minimum_wage(self, region_code: str, year: int, month: int) -> float:
        return shipped_params.minimum_wage(region_code, year, month)

    def female_retirement_track(self, region_code: str, year: int) -> str:
        return shipped_params.params_for(region_code, date(year, 12, 31)).female_retirement_track


@dataclass(frozen=True)
class FixedMonthParams:
    """MonthParams with one minimum wage for every month (tests, simulator, what-if)."""

    wage: float
    female_track: str = "cadre"

    def minimum_wage(self, region_code: str, year: int, month: int) -> float:
        return self.wage

    def female_retirement_track(self, region_code: str, year: int) -> str:
        return self.female_track
