"""End to end over HTTP: each simulator scenario crosses the 人员信息校验 column it is named for.

This pins the meaning of the scenarios against `domain.month_check`, so the demo data and
the rules cannot drift apart unnoticed (a `clean` person that suddenly fails a month, or an
`insurance_gap` person that passes).
"""

from __future__ import annotations

import pytest

from adapters.gather import gather_year_facts
from adapters.http_clients import Clients
from adapters.simulator.population import SCENARIOS, DemoPerson, Population
from domain.month_check import check_year

# scenario -> column that must be crossed in at least one month (None: all 12 pass)
EXPECTED: dict[str, str | None] = {
    "clean": None,
    "severe": None,
    "veteran": None,
    "dispatched": None,
    "related_unit": None,
    "expired_certificate": "certificate",
    "new_certificate": "certificate",  # without the historical certificate
    "not_in_registry": "certificate",  # without the paper certificate
    "insurance_gap": "pension",
    "medical_gap": "medical",
    "low_wage": "wage",
    "retirement": "working_age",
    "two_units": "no_other_unit",
    "new_hire": "contract",
}


def failing_columns(clients: Clients, population: Population, demo: DemoPerson) -> set[str]:
    unit = population.unit(demo.unit_code)
    assert unit is not None
    contract = demo.contracts[0]
    related = {contract.agency_unit, contract.wage_unit, contract.pension_unit} - {"", unit.code}
    facts = gather_year_facts(
        clients,
        id_number=demo.id_number,
        unit_code=unit.code,
        unit_region=unit.region,
        year=2025,
        contracts=demo.contracts,
        manual_certificates=(),
        accepted_units=related,
        person=demo.person,
    )
    return {name for row in check_year(facts) for name in row.failed_checks}


def test_every_scenario_has_an_expectation() -> None:
    assert set(EXPECTED) == set(SCENARIOS)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_scenario_crosses_its_column(
    clients: Clients, population: Population, scenario: str
) -> None:
    for demo in population.select(scenario=scenario)[:3]:
        failed = failing_columns(clients, population, demo)
        column = EXPECTED[scenario]
        if column is None:
            assert failed == set(), (demo.person.name, failed)
        else:
            assert column in failed, (demo.person.name, failed)
