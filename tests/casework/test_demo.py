"""The demo data gives every login something to see, and loading it twice adds nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from adapters.simulator import BackgroundSimulator, serve_in_background
from casework.demo import SEED_UNITS, seed_people
from casework.models import CertificationCase, Placement
from casework.models.placement import CONFIRMED, INCOMPLETE, PENDING
from engine.models import InboxTask

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_seeded_people_cover_the_flow(system, population):
    added = seed_people(system, population, 2025)
    assert added == len(SEED_UNITS) * 5
    with system.transaction() as s:
        statuses = dict(s.execute(select(Placement.status, func.count()).group_by(Placement.status)).all())
        assert statuses[CONFIRMED] >= 2 and statuses[PENDING] >= 1 and statuses[INCOMPLETE] >= 2
        assert s.scalar(select(func.count()).select_from(InboxTask).where(InboxTask.role == "reviewer")) >= 1
    assert seed_people(system, population, 2025) == 0


def test_import_last_years_list(system, population, employer):
    from casework import cases, placements
    from casework.demo import seed_previous_year
    from casework.models import Unit
    from domain.errors import DomainError

    unit, user = employer
    with system.transaction() as s:
        assert seed_previous_year(s, population, 2025) > 0
        assert seed_previous_year(s, population, 2025) == 0
    with system.transaction() as s:
        case = cases.open_case(s, system, s.get(Unit, unit.id), 2025, user.login)
        offered = placements.previous_year_people(s, case)
        assert offered and all(p.status == CONFIRMED for p in offered)
        chosen = [p.id_number for p in offered[:2]]
        imported = placements.import_previous(s, system, user, case, chosen)
        assert [p.status for p in imported] == [INCOMPLETE, INCOMPLETE]
        assert all(p.instance_id for p in imported)
    with system.transaction() as s:
        case = cases.open_case(s, system, s.get(Unit, unit.id), 2025, user.login)
        left = {p.id_number for p in placements.previous_year_people(s, case)}
        assert not left & set(chosen)
        with pytest.raises(DomainError, match="不在上一年度"):
            placements.import_previous(s, system, user, case, chosen[:1])
        assert s.scalar(select(func.count()).select_from(InboxTask).where(InboxTask.form == "placement_register")) == 2


@pytest.fixture(scope="module", params=[2025, 2026, 2027], ids=lambda y: f"year{y}")
def year_simulator(request) -> Iterator[BackgroundSimulator]:
    """A simulator serving the year the test loads (one per year for this module): against
    the shared 2025 one, every month of 2026 fails verification and nobody is confirmed."""
    if request.param == 2025:
        yield request.getfixturevalue("simulator")  # the session's, already serving 2025
        return
    running = serve_in_background(seed=2025, year=request.param)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def year_system(tmp_path, database_url, year_simulator):
    """The shared `system` fixture's whole system, with the simulator and BUSINESS_YEAR of
    the year under test."""
    from casework.demo import load_demo
    from casework.settings import Settings
    from casework.system import build_system

    settings = Settings(
        var_dir=tmp_path, database_url=database_url, simulator_url=year_simulator.url,
        job_runner="manual", adapter_timeout=5.0, business_year=year_of(year_simulator),
    )
    built = build_system(settings, create_schema=True)
    with built.transaction() as session:
        load_demo(session)
    yield built
    built.close()


def year_of(simulator: BackgroundSimulator) -> int:
    return simulator.app.extensions["simulator"]["population"].year


def test_demo_loads_for_any_business_year(year_system, year_simulator):
    """The business year rolls over every year: the demo's people load whatever the year
    (with BUSINESS_YEAR=2026 the claim asked for materials the demo had not uploaded), and
    the system verifies them against that year's data: some end 已审核确认."""
    from casework.demo import seed_previous_year

    year, population = year_of(year_simulator), year_simulator.app.extensions["simulator"]["population"]
    with year_system.transaction() as s:
        assert seed_previous_year(s, population, year) > 0
    assert seed_people(year_system, population, year) >= len(SEED_UNITS) * 3
    with year_system.transaction() as s:
        years = set(s.scalars(select(CertificationCase.year).join(Placement).distinct()))
        assert years == {year - 1, year}
        waiting = select(func.count()).select_from(InboxTask).where(InboxTask.role == "reviewer")
        assert s.scalar(waiting) >= 1
        confirmed = s.scalar(
            select(func.count())
            .select_from(Placement)
            .join(CertificationCase)
            .where(CertificationCase.year == year, Placement.status == CONFIRMED)
        )
        # the clean and severe people of each demo unit pass all 12 months of the year
        assert confirmed >= len(SEED_UNITS) * 2, (year, confirmed)
    assert seed_people(year_system, population, year) == 0
