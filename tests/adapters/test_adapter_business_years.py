"""The simulator serves any business year: the same seed gives the same people and
scenarios in every year, placed relative to it, and the year reaches the simulator from
`year=`, `--year` or BUSINESS_YEAR (the variable the web and job processes read)."""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache

import pytest

from adapters.simulator import create_simulator, serve_in_background
from adapters.simulator.population import (
    BUSINESS_YEAR,
    SCENARIOS,
    Population,
    YearOutOfRange,
    generate_population,
)
from adapters.simulator.server import main as simulator_main
from domain.facts import CertificateKind
from domain.id_number import parse_id_number
from domain.retirement import in_working_age, retirement_date

ALL_YEARS = tuple(range(2024, 2031))
# sha256 of repr(generate_population(2025)) before populations took a year: ~800 tests are
# written against this data. Should a change of a domain dataclass's repr move it, compare
# the people with an older checkout before updating the digest.
DIGEST_2025 = "11a0a0b7ceedc2149de4a62ce6d80bcfbf4f75c835d7e552c1878596a663e413"


@cache
def population_for(year: int) -> Population:
    return generate_population(2025, year)


def test_business_year_2025_is_the_data_the_suite_was_written_against() -> None:
    assert BUSINESS_YEAR == 2025
    assert generate_population(2025) == population_for(2025)
    digest = hashlib.sha256(repr(population_for(2025)).encode("utf-8")).hexdigest()
    assert digest == DIGEST_2025


def test_same_people_and_scenarios_in_every_year() -> None:
    """Only the dates move: the demo and the docs can name a scenario in any year."""
    base = population_for(2025)
    for year in ALL_YEARS:
        population = population_for(year)
        assert population.year == year and population.units == base.units
        assert [(p.unit_code, p.scenario, p.person.name) for p in population.people] == [
            (p.unit_code, p.scenario, p.person.name) for p in base.people
        ]
    assert population_for(2026) == generate_population(2025, 2026)  # deterministic


@pytest.mark.parametrize("year", [2000, 2091, -1])
def test_a_year_the_data_cannot_be_placed_in_is_refused(year: int) -> None:
    with pytest.raises(YearOutOfRange, match="业务年度"):
        generate_population(2025, year)


@pytest.mark.parametrize("year", ALL_YEARS)
def test_identifiers_valid_and_unique_in_every_year(year: int) -> None:
    population = population_for(year)
    ids = [p.id_number for p in population.people]
    assert len(set(ids)) == len(ids) == 300
    for person in population.people:
        parsed = parse_id_number(person.id_number)
        assert parsed.birth_date == person.person.birth_date
        assert parsed.sex == person.person.sex


@pytest.mark.parametrize("year", ALL_YEARS)
def test_clean_people_pass_every_month_of_the_year_and_the_one_before(year: int) -> None:
    population = population_for(year)
    clean = population.select(scenario="clean")
    assert len(clean) > 150
    for person in clean:
        unit = person.unit_code
        birth, sex = person.person.birth_date, person.person.sex
        for y in (year - 1, year):
            assert sorted(r.month for r in person.pension[y]) == list(range(1, 13))
            assert sorted(r.month for r in person.medical[y]) == list(range(1, 13))
            wages = person.wages[y]
            assert len(wages) == 12
            assert all(w.amount >= 3000 and w.unit_code == unit for w in wages)
            assert {p.unit_code for p in person.placements[y]} == {unit}
            for month in range(1, 13):
                for track in ("cadre", "worker"):
                    assert in_working_age(birth, sex, y, month, track), (person, y, month)
        (cert,) = person.person.certificates
        assert cert.valid_from <= date(year - 1, 1, 1) and cert.valid_to > date(year, 12, 31)
        assert cert.grade >= 3
        (contract,) = person.contracts
        assert contract.start <= date(year - 1, 1, 1) and contract.end >= date(year, 12, 31)


def _retires_mid_year(p, y: int) -> bool:
    retires = retirement_date(p.person.birth_date, p.person.sex)
    stopped = set(range(1, 13)) - {r.month for r in p.pension[y]}
    return (
        p.person.sex == "男"
        and date(y, 2, 1) <= retires <= date(y, 7, 31)
        and stopped == set(range(retires.month + 1, 13))
        and len(p.pension[y - 1]) == 12
    )


SCENARIO_CHECKS = {
    "expired_certificate": lambda p, y: (
        date(y, 2, 1) < p.person.certificates[0].valid_to < date(y, 12, 1)
    ),
    "new_certificate": lambda p, y: (
        p.person.certificates[0].valid_from.year == y
        and p.manual_certificates[0].valid_to.year == y
        and p.manual_certificates[0].source == "manual"
    ),
    "insurance_gap": lambda p, y: (
        8 <= len(p.pension[y]) <= 10 and len(p.medical[y]) == 12 and len(p.pension[y - 1]) == 12
    ),
    "medical_gap": lambda p, y: 8 <= len(p.medical[y]) <= 10 and len(p.pension[y]) == 12,
    "low_wage": lambda p, y: (
        2 <= sum(w.amount < 1500 for w in p.wages[y]) <= 5
        and all(w.amount >= 1500 for w in p.wages[y - 1])
    ),
    "retirement": _retires_mid_year,
    "two_units": lambda p, y: (
        len({x.unit_code for x in p.placements[y]}) == 2
        and {x.unit_code for x in p.placements[y - 1]} == {p.unit_code}
    ),
    "veteran": lambda p, y: (
        not p.in_registry and p.veteran_certificates[0].kind is CertificateKind.VETERAN
    ),
    "severe": lambda p, y: p.person.certificates[0].grade <= 2,
    "dispatched": lambda p, y: (
        p.contracts[0].dispatched and p.wages[y][0].unit_code == p.contracts[0].agency_unit
    ),
    "related_unit": lambda p, y: (
        p.contracts[0].relation == "上下级"
        and p.wages[y][0].unit_code != p.unit_code
        and p.pension[y][0].unit_code == p.unit_code
    ),
    "new_hire": lambda p, y: (
        not p.employed_in(y - 1)
        and p.contracts[0].start.year == y
        and 1 < p.contracts[0].start.month <= 6
    ),
    "not_in_registry": lambda p, y: not p.in_registry and len(p.manual_certificates) == 1,
}


def test_every_edge_case_has_a_check() -> None:
    assert set(SCENARIO_CHECKS) == set(SCENARIOS) - {"clean"}


@pytest.mark.parametrize("year", ALL_YEARS)
@pytest.mark.parametrize("scenario", sorted(SCENARIO_CHECKS))
def test_scenarios_hold_in_every_year(year: int, scenario: str) -> None:
    people = population_for(year).select(scenario=scenario)
    assert people
    for person in people:
        assert SCENARIO_CHECKS[scenario](person, year), person


def test_the_simulator_serves_its_business_year_and_the_one_before() -> None:
    client = create_simulator(2025, year=2027).test_client()
    assert client.get("/_health").get_json()["year"] == 2027
    people = client.get("/_people?scenario=clean&year=2027&limit=1").get_json()["people"]
    number = people[0]["id_number"]
    assert 2027 in people[0]["years"] and 2026 in people[0]["years"]
    for system in ("pension", "medical", "wage", "placement"):
        for year, months in ((2027, 12), (2026, 12), (2025, 0)):
            body = client.get(f"/{system}/{number}?year={year}").get_json()
            assert len(body.get("months", body.get("placements"))) == months, (system, year)
    assert client.get(f"/cdpf/persons/{number}").status_code == 200


def test_serve_in_background_takes_the_year() -> None:
    running = serve_in_background(seed=2025, year=2026)
    try:
        import httpx

        assert httpx.get(f"{running.url}/_health", timeout=5).json()["year"] == 2026
    finally:
        running.stop()


@pytest.fixture
def served(monkeypatch):
    """The apps `python -m adapters.simulator` / `quotacert simulator` would serve."""
    apps = []
    monkeypatch.setattr("adapters.simulator.server.serve", lambda app, **kwargs: apps.append(app))
    monkeypatch.delenv("BUSINESS_YEAR", raising=False)
    return apps


def _year_of(app) -> int:
    return app.extensions["simulator"]["population"].year


def test_command_line_year_from_the_option_or_business_year(served, monkeypatch) -> None:
    simulator_main(["--port", "1"])
    monkeypatch.setenv("BUSINESS_YEAR", "2027")
    simulator_main(["--port", "1"])
    simulator_main(["--port", "1", "--year", "2029"])
    assert [_year_of(app) for app in served] == [2025, 2027, 2029]


def test_quotacert_simulator_follows_business_year(served, monkeypatch) -> None:
    from webapp import cli

    monkeypatch.setenv("BUSINESS_YEAR", "2026")
    cli.main(["simulator", "--port", "1"])
    assert [_year_of(app) for app in served] == [2026]


@pytest.mark.parametrize("raw", ["20x6", "1999", "2091", " "])
def test_command_line_refuses_a_bad_year_in_chinese(served, monkeypatch, capsys, raw) -> None:
    monkeypatch.setenv("BUSINESS_YEAR", raw)
    with pytest.raises(SystemExit) as ended:
        simulator_main(["--port", "1"]) if raw.strip() else simulator_main(["--year", raw])
    assert ended.value.code == 2
    assert "业务年度须为" in capsys.readouterr().err
    assert not served
