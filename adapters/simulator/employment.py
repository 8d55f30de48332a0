"""Contracts, insurance, wage and placement rows of a synthetic person.

Everything is relative to the business year the population is generated for (see
`years`), so the same edge cases hold whichever year the simulator serves. Edge cases
only disturb the business year; the previous year is clean so that last year's list
imports without surprises. Insurance rows carry amount 0 ("paid" is all the insurance
systems confirm); wage rows carry the yuan amount.
"""

from __future__ import annotations

import random
from datetime import date

from adapters.simulator.units import AGENCY, RELATED, DemoUnit
from domain.facts import ContractFact, MonthlyPayment, OtherPlacement

# The year the shipped data was first written for: the default business year, and the
# origin every other year's dates are shifted from (seed 2025 + year 2025 is the data the
# test suite was built on, and must stay byte for byte the same).
BUSINESS_YEAR = 2025
PREVIOUS_YEAR = BUSINESS_YEAR - 1
YEARS = (PREVIOUS_YEAR, BUSINESS_YEAR)
OPEN_ENDED = date(2099, 12, 31)  # 无固定期限 contracts, long-term 残疾军人证
# Years a population can be generated for: the ages, certificates and contracts are
# shifted by whole years, and OPEN_ENDED / the retirement table stay meaningful up to here.
MIN_YEAR, MAX_YEAR = 2001, 2090


def years(business_year: int) -> tuple[int, int]:
    """(previous year, business year): the years the outside systems hold data for."""
    return business_year - 1, business_year


def make_contract(
    rng: random.Random,
    units: tuple[DemoUnit, ...],
    employer: DemoUnit,
    scenario: str,
    birth: date,
    year: int = BUSINESS_YEAR,
) -> ContractFact:
    shift = year - BUSINESS_YEAR
    if scenario == "new_hire":
        start = date(year, rng.randint(2, 6), 1)
    else:
        first = max(2012 + shift, birth.year + 18)
        start = date(rng.randint(first, 2023 + shift), rng.randint(1, 12), 1)
    end = OPEN_ENDED if rng.random() < 0.4 else date(rng.randint(2026, 2029) + shift, 12, 31)
    wage = float(rng.randrange(3200, 9000, 10))
    code = employer.code
    if scenario == "dispatched":
        agency = next(u for u in units if u.role == AGENCY and u.region[:2] == employer.region[:2])
        return ContractFact(
            start,
            end,
            True,
            "其他关联单位",
            wage,
            agency.code,
            agency.code,
            agency.code,
            agency.code,
        )
    if scenario == "related_unit":
        related = next(u for u in units if u.role == RELATED and u.parent == code)
        return ContractFact(start, end, False, "上下级", wage, code, code, related.code)
    return ContractFact(start, end, False, "本单位", wage, code, code, code)


def _months(contract: ContractFact, year: int) -> list[int]:
    return [
        m
        for m in range(1, 13)
        if contract.start <= date(year, m, 28) and contract.end >= date(year, m, 1)
    ]


def _gap(rng: random.Random) -> set[int]:
    start = rng.randint(3, 9)
    return set(range(start, start + rng.randint(2, 4)))


def make_payments(
    rng: random.Random,
    scenario: str,
    contract: ContractFact,
    retires: date | None,
    year: int = BUSINESS_YEAR,
) -> dict[str, dict[int, tuple[MonthlyPayment, ...]]]:
    """Insurance and wage rows per year; edge cases only touch the business year.
    `retires` is the day a `retirement` person reaches the statutory age (in `year`):
    pension contributions stop after that month."""
    out: dict[str, dict[int, tuple[MonthlyPayment, ...]]] = {
        "pension": {},
        "medical": {},
        "wages": {},
    }
    for current_year in years(year):
        months = _months(contract, current_year)
        current = current_year == year
        no_pension = _gap(rng) if current and scenario == "insurance_gap" else set()
        no_medical = _gap(rng) if current and scenario == "medical_gap" else set()
        if current and scenario == "retirement" and retires is not None:
            no_pension = set(range(retires.month + 1, 13))
        low = (
            set(rng.sample(months, rng.randint(2, 5)))
            if current and scenario == "low_wage"
            else set()
        )
        base = contract.monthly_wage if current else round(contract.monthly_wage / 1.03, -1)
        out["pension"][current_year] = tuple(
            MonthlyPayment(m, contract.pension_unit) for m in months if m not in no_pension
        )
        out["medical"][current_year] = tuple(
            MonthlyPayment(m, contract.medical_unit) for m in months if m not in no_medical
        )
        out["wages"][current_year] = tuple(
            MonthlyPayment(m, contract.wage_unit, _wage(rng, base, m in low)) for m in months
        )
    return out


def _wage(rng: random.Random, base: float, low: bool) -> float:
    if low:
        return float(rng.randrange(800, 1450, 10))
    return float(max(3000, round(base * rng.uniform(0.97, 1.06), -1)))


def make_placements(
    rng: random.Random,
    scenario: str,
    contract: ContractFact,
    own: str,
    other: str,
    year: int,
    business_year: int = BUSINESS_YEAR,
) -> tuple[OtherPlacement, ...]:
    rows = [OtherPlacement(m, own) for m in _months(contract, year)]
    if scenario == "two_units" and year == business_year:
        start = rng.randint(1, 7)
        rows += [OtherPlacement(m, other) for m in range(start, start + rng.randint(3, 6))]
    return tuple(sorted(rows, key=lambda p: (p.month, p.unit_code)))
