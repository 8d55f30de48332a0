"""Deterministic synthetic people for the simulator: same seed and year, same data, no
wall clock.

A population is generated for one business year (2025 by default), with data for that
year and the previous one so last year's list can be imported. The business year rolls
over every year, so every date (births, certificates, contracts, gaps) is placed relative
to it: the same seed gives the same people and scenarios in any year, shifted by whole
years, and seed 2025 for 2025 is exactly the data the tests were written against. Each
person has a `scenario` naming the one edge case they exercise in the business year (see
SCENARIOS), so tests and the demo loader can pick "a person whose pension has a gap"
without knowing any ID number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property

from adapters.simulator.employment import (
    BUSINESS_YEAR,
    MAX_YEAR,
    MIN_YEAR,
    OPEN_ENDED,
    PREVIOUS_YEAR,
    YEARS,
    make_contract,
    make_payments,
    make_placements,
    years,
)
from adapters.simulator.names import (
    CATEGORIES,
    CATEGORY_WEIGHTS,
    FEMALE_GIVEN,
    MALE_GIVEN,
    PROVINCE_ABBR,
    REGIONS,
    STREETS,
    SURNAMES,
    local_regions,
)
from adapters.simulator.units import EMPLOYER, RELATED, DemoUnit, build_units
from domain.facts import (
    CertificateFact,
    CertificateKind,
    ContractFact,
    MonthlyPayment,
    OtherPlacement,
    PersonFact,
)
from domain.id_number import check_character
from domain.months import add_months
from domain.retirement import MALE, retirement_date

__all__ = [
    "BUSINESS_YEAR",
    "MAX_YEAR",
    "MIN_YEAR",
    "PREVIOUS_YEAR",
    "SCENARIOS",
    "YEARS",
    "DemoPerson",
    "DemoUnit",
    "Population",
    "generate_population",
]

UNIT_SIZES = (60, 52, 48, 55, 45, 40)  # one per employer, 300 people in all

SCENARIOS: dict[str, str] = {
    "clean": "全年12个月均核验通过",
    "expired_certificate": "残疾人证年中到期且未换证",
    "new_certificate": "年中换领新证，旧证需作为历史证件手工补录",
    "insurance_gap": "养老保险部分月份未缴费",
    "medical_gap": "医疗保险部分月份未缴费",
    "low_wage": "部分月份工资低于最低工资标准（低于1500元）",
    "retirement": "业务年度年中达到法定退休年龄",
    "two_units": "部分月份已被其他单位安置登记",
    "veteran": "持残疾军人证（无残疾人证）",
    "severe": "一、二级残疾人证（按两人计算）",
    "dispatched": "劳务派遣，由派遣单位缴纳社保并发放工资",
    "related_unit": "工资由上下级关联单位发放，社保医保在本单位",
    "new_hire": "业务年度年中新入职，不在上年名单",
    "not_in_registry": "身份证号有效但残疾人证信息库查无此人，需手工补录证件",
}
# every employer gets each edge case once, plus these extra ones, the rest are "clean"
_EXTRA = ("severe", "severe", "dispatched", "insurance_gap", "low_wage")


@dataclass(frozen=True)
class DemoPerson:
    """The simulator's full truth about one person; each system serves its own slice."""

    person: PersonFact  # as the 残疾人证 registry returns it (certificates = registry's)
    unit_code: str  # the employer that declares this person
    scenario: str
    in_registry: bool
    veteran_certificates: tuple[CertificateFact, ...]
    manual_certificates: tuple[CertificateFact, ...]  # what the employer must add by hand
    contracts: tuple[ContractFact, ...]
    pension: dict[int, tuple[MonthlyPayment, ...]]
    medical: dict[int, tuple[MonthlyPayment, ...]]
    wages: dict[int, tuple[MonthlyPayment, ...]]
    placements: dict[int, tuple[OtherPlacement, ...]]  # all units, the employer included

    @property
    def id_number(self) -> str:
        return self.person.id_number

    def employed_in(self, year: int) -> bool:
        return any(c.start.year <= year <= c.end.year for c in self.contracts)


@dataclass(frozen=True)
class Population:
    seed: int
    year: int
    units: tuple[DemoUnit, ...]
    people: tuple[DemoPerson, ...]

    @cached_property
    def _people_by_id(self) -> dict[str, DemoPerson]:
        return {p.id_number: p for p in self.people}

    @cached_property
    def _units_by_code(self) -> dict[str, DemoUnit]:
        return {u.code: u for u in self.units}

    def person(self, id_number: str) -> DemoPerson | None:
        return self._people_by_id.get(id_number.strip().upper())

    def unit(self, code: str) -> DemoUnit | None:
        return self._units_by_code.get(code.strip().upper())

    def employers(self) -> tuple[DemoUnit, ...]:
        return tuple(u for u in self.units if u.role == EMPLOYER)

    def select(
        self, *, unit: str | None = None, scenario: str | None = None, year: int | None = None
    ) -> list[DemoPerson]:
        """People filtered by employer code, scenario and employment in a year."""
        return [
            p
            for p in self.people
            if (unit is None or p.unit_code == unit)
            and (scenario is None or p.scenario == scenario)
            and (year is None or p.employed_in(year))
        ]


class YearOutOfRange(ValueError):
    """A business year the synthetic data cannot be placed in."""


def generate_population(seed: int = 2025, year: int = BUSINESS_YEAR) -> Population:
    """The people of the demo units for business `year` (data for it and the year before)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise YearOutOfRange(f"业务年度须在 {MIN_YEAR} 到 {MAX_YEAR} 之间：{year}")
    rng = random.Random(seed)
    units = build_units()
    employers = [u for u in units if u.role == EMPLOYER]
    taken: set[str] = set()
    people: list[DemoPerson] = []
    for employer, size in zip(employers, UNIT_SIZES, strict=True):
        related = [u for u in units if u.role == RELATED and u.parent == employer.code]
        edge = [s for s in SCENARIOS if s != "clean" and (s != "related_unit" or related)]
        scenarios = edge + list(_EXTRA)
        scenarios += ["clean"] * (size - len(scenarios))
        rng.shuffle(scenarios)
        for scenario in scenarios:
            people.append(_make_person(rng, units, employer, scenario, taken, year))
    return Population(seed=seed, year=year, units=units, people=tuple(people))


def _make_person(
    rng: random.Random,
    units: tuple[DemoUnit, ...],
    employer: DemoUnit,
    scenario: str,
    taken: set[str],
    year: int,
) -> DemoPerson:
    male = scenario == "retirement" or rng.random() < (0.9 if scenario == "veteran" else 0.55)
    birth = _birth_date(rng, scenario, male, year)
    region = rng.choice(local_regions(employer.region) if rng.random() < 0.75 else list(REGIONS))
    id_number = _id_number(rng, region, birth, male, taken)
    given = MALE_GIVEN if male else FEMALE_GIVEN
    name = rng.choice(SURNAMES) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2, 2))))
    address = f"{REGIONS[region]}{rng.choice(STREETS)}{rng.randint(1, 399)}号"
    if rng.random() < 0.6:
        address += f"{rng.randint(1, 6)}单元{rng.randint(1, 7)}0{rng.randint(1, 4)}室"
    phone = f"1{rng.choice('35789')}{rng.randint(0, 999_999_999):09d}"

    registry_certs, manual, veteran = _certificates(rng, scenario, id_number, region, year)
    person = PersonFact(
        id_number, name, "男" if male else "女", birth, region, address, phone, registry_certs
    )
    contract = make_contract(rng, units, employer, scenario, birth, year)
    retires = retirement_date(birth, MALE) if scenario == "retirement" else None
    payments = make_payments(rng, scenario, contract, retires, year)
    sibling = next(
        u
        for u in units
        if u.role == EMPLOYER and u.code != employer.code and u.region[:2] == employer.region[:2]
    )
    placements = {
        y: make_placements(rng, scenario, contract, employer.code, sibling.code, y, year)
        for y in years(year)
    }
    return DemoPerson(
        person=person,
        unit_code=employer.code,
        scenario=scenario,
        in_registry=scenario not in ("veteran", "not_in_registry"),
        veteran_certificates=veteran,
        manual_certificates=manual,
        contracts=(contract,),
        pension=payments["pension"],
        medical=payments["medical"],
        wages=payments["wages"],
        placements=placements,
    )


def _birth_date(rng: random.Random, scenario: str, male: bool, year: int) -> date:
    """Working age all of the previous and the business year under old and new retirement
    rules, except `retirement`: a man who reaches the statutory age in the business year.
    For 2025 that is a man born Jan–Apr 1965 (60 + 1 month: retires Feb–May 2025)."""
    shift = year - BUSINESS_YEAR
    if scenario == "retirement":
        month, day = rng.randint(1, 4), rng.randint(1, 28)
        return add_months(_first_birth_retiring_in(year), month - 1).replace(day=day)
    low = (1970 if scenario == "veteran" else (1967 if male else 1977)) + shift
    return date(rng.randint(low, 2003 + shift), rng.randint(1, 12), rng.randint(1, 28))


def _first_birth_retiring_in(year: int) -> date:
    """The first birth month of men who retire in `year` from February on, so that four
    consecutive birth months all retire mid-year (the age rises by about a month every
    four birth months, so they retire within February–July of that year)."""
    birth = date(year - 64, 1, 1)
    while retirement_date(birth, MALE) < date(year, 2, 1):
        birth = add_months(birth, 1)
    return birth


def _id_number(rng: random.Random, region: str, birth: date, male: bool, taken: set[str]) -> str:
    while True:
        sex_digit = rng.choice("13579" if male else "02468")
        first17 = f"{region}{birth:%Y%m%d}{rng.randint(0, 99):02d}{sex_digit}"
        number = first17 + check_character(first17)
        if number not in taken:
            taken.add(number)
            return number


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 Feb
        return day.replace(year=day.year + years, day=28)


def _certificates(
    rng: random.Random, scenario: str, id_number: str, region: str, year: int
) -> tuple[tuple[CertificateFact, ...], tuple[CertificateFact, ...], tuple[CertificateFact, ...]]:
    """(registry, manual, veteran) certificates for the scenario; 10-year 残疾人证 validity,
    issued so that a current card covers the previous and the business year."""
    shift = year - BUSINESS_YEAR
    if scenario == "veteran":
        issued = date(rng.randint(2005, 2020) + shift, rng.randint(1, 12), rng.randint(1, 28))
        number = (
            f"{PROVINCE_ABBR.get(region[:2], '军')}军残字{issued.year}{rng.randint(0, 999999):06d}"
        )
        cert = CertificateFact(
            number, CertificateKind.VETERAN, "伤残", rng.randint(1, 8), issued, OPEN_ENDED
        )
        return (), (), (cert,)
    category = rng.choices(range(len(CATEGORIES)), weights=CATEGORY_WEIGHTS)[0]
    grade = rng.randint(1, 2) if scenario == "severe" else rng.randint(3, 4)

    def cert(grade: int, start: date, end: date, source: str = "registry") -> CertificateFact:
        number = f"{id_number}{category + 1}{grade}"
        return CertificateFact(
            number, CertificateKind.DISABLED, CATEGORIES[category], grade, start, end, source
        )

    if scenario == "expired_certificate":
        end = date(year, rng.randint(3, 9), rng.randint(1, 28))
        return (cert(grade, _years_later(end, -10), end),), (), ()
    if scenario == "new_certificate":
        # Re-assessed mid-year at a new grade; the registry only returns the current card.
        issued = date(year, rng.randint(4, 8), rng.randint(2, 28))
        old_end = issued - timedelta(days=1)
        old = cert(7 - grade, _years_later(old_end, -10) + timedelta(days=1), old_end, "manual")
        return (cert(grade, issued, _years_later(issued, 10)),), (old,), ()
    start = date(rng.randint(2016, 2023) + shift, rng.randint(1, 12), rng.randint(1, 28))
    current = cert(grade, start, _years_later(start, 10))
    if scenario == "not_in_registry":
        return (), (replace(current, source="manual"),), ()
    return (current,), (), ()
