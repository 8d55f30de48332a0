"""The business year rolls over every year: with BUSINESS_YEAR 2026 or 2027 and a simulator
started for that year, the real flow (安置登记 → verify service task over HTTP → 人员信息校验)
confirms a clean person for all 12 months, the edge cases fail exactly where their scenario
says, and the demo's people end 已审核确认. Before the simulator knew other years, every
month of 2026 failed (it only held 2024 and 2025), so nobody could be confirmed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from wfkit import submit_registration

from adapters.simulator import BackgroundSimulator, serve_in_background
from casework import verification
from casework.demo import SEED_UNITS, seed_people, seed_previous_year
from casework.models import CertificationCase, Placement, Unit
from casework.models.placement import CONFIRMED
from domain.retirement import retirement_date
from tests.flowkit import add_person

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

YEARS = (2026, 2027)


@pytest.fixture(scope="module", params=YEARS, ids=lambda y: f"year{y}")
def year_simulator(request) -> Iterator[BackgroundSimulator]:
    """A simulator serving the business year, as `quotacert demo` starts it."""
    running = serve_in_background(seed=2025, year=request.param)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def year(year_simulator: BackgroundSimulator) -> int:
    return year_simulator.app.extensions["simulator"]["population"].year


@pytest.fixture
def year_population(year_simulator: BackgroundSimulator):
    return year_simulator.app.extensions["simulator"]["population"]


@pytest.fixture
def year_system(tmp_path, database_url, year_simulator, year):
    """The shared `system` fixture's whole system, for another business year."""
    from casework.demo import load_demo
    from casework.settings import Settings
    from casework.system import build_system

    settings = Settings(
        var_dir=tmp_path,
        database_url=database_url,
        simulator_url=year_simulator.url,
        job_runner="manual",
        adapter_timeout=5.0,
        business_year=year,
    )
    built = build_system(settings, create_schema=True)
    with built.transaction() as session:
        load_demo(session)
    yield built
    built.close()


@pytest.fixture
def first_employer(year_system):
    from casework.models import User

    with year_system.transaction() as s:
        unit = s.scalars(select(Unit).order_by(Unit.id)).first()
        return unit, s.scalar(select(User).where(User.unit_id == unit.id))


def _verified(system, unit, user, person, year: int) -> tuple[int, list]:
    """Register `person` for `year`, run the verify service task; (placement id, grid)."""
    pid = add_person(system, unit.id, user, person, year=year)
    submit_registration(system, user, pid)
    system.drain()
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        case = s.get(CertificationCase, placement.case_id)
        assert case.year == year
        return pid, verification.grid(case, placement).results


def _failed(results) -> list[int]:
    return [r.month for r in results if not r.passed]


def test_clean_people_auto_verify_every_month(year_system, first_employer, year_population, year):
    unit, user = first_employer
    clean = year_population.select(unit=unit.credit_code, scenario="clean", year=year)
    assert len(clean) >= 3
    for person in clean[:3]:
        pid, results = _verified(year_system, unit, user, person, year)
        assert [(r.year, r.month) for r in results] == [(year, m) for m in range(1, 13)]
        assert _failed(results) == [], [r.reasons for r in results if not r.passed]
        with year_system.transaction() as s:
            placement = s.get(Placement, pid)
            case = s.get(CertificationCase, placement.case_id)
            claimed = verification.submit_months(
                s, year_system, user, case, placement, list(range(1, 13))
            )
            assert claimed == []
        with year_system.transaction() as s:
            placement = s.get(Placement, pid)
            assert placement.status == CONFIRMED
            assert placement.confirmed_months == 12


def test_edge_cases_fail_in_their_own_months(year_system, first_employer, year_population, year):
    unit, user = first_employer

    def one(scenario: str):
        return year_population.select(unit=unit.credit_code, scenario=scenario, year=year)[0]

    retiring = one("retirement")
    _, results = _verified(year_system, unit, user, retiring, year)
    retires = retirement_date(retiring.person.birth_date, retiring.person.sex)
    assert retires.year == year
    assert _failed(results) == list(range(retires.month + 1, 13))
    assert not any(r.working_age for r in results if r.month > retires.month)

    gap = one("insurance_gap")
    _, results = _verified(year_system, unit, user, gap, year)
    paid = {p.month for p in gap.pension[year]}
    assert 2 <= 12 - len(paid) <= 4
    assert _failed(results) == sorted(set(range(1, 13)) - paid)
    assert all(r.pension is False for r in results if r.month not in paid)

    expired = one("expired_certificate")
    _, results = _verified(year_system, unit, user, expired, year)
    valid_to = expired.person.certificates[0].valid_to
    assert valid_to.year == year
    # a card valid on at least one day of a month covers that month
    assert _failed(results) == list(range(valid_to.month + 1, 13))
    assert not any(r.certificate for r in results if r.month > valid_to.month)


def test_demo_people_end_confirmed(year_system, year_population, year):
    """`quotacert demo` with BUSINESS_YEAR=year: its 部分已审核确认 is true."""
    with year_system.transaction() as s:
        assert seed_previous_year(s, year_population, year) > 0
    assert seed_people(year_system, year_population, year) >= len(SEED_UNITS) * 3
    with year_system.transaction() as s:
        confirmed = s.scalar(
            select(func.count())
            .select_from(Placement)
            .join(CertificationCase)
            .where(CertificationCase.year == year, Placement.status == CONFIRMED)
        )
    # clean and severe people of each seeded unit pass all 12 months and are confirmed
    assert confirmed >= len(SEED_UNITS) * 2
