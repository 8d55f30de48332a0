"""gather_year_facts: the auto-verify service task's data collection, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from adapters.errors import SystemUnavailable
from adapters.gather import gather_year_facts, merge_certificates
from adapters.http_clients import Clients
from adapters.simulator.population import DemoPerson, Population
from domain.facts import CertificateKind, YearFacts

Pick = Callable[[str], DemoPerson]


def gather(clients: Clients, population: Population, demo: DemoPerson, **extra: Any) -> YearFacts:
    unit = population.unit(demo.unit_code)
    assert unit is not None
    kwargs: dict[str, Any] = {
        "id_number": demo.id_number,
        "unit_code": unit.code,
        "unit_region": unit.region,
        "year": 2025,
        "contracts": demo.contracts,
        "manual_certificates": demo.manual_certificates,
        "accepted_units": (),
    }
    return gather_year_facts(clients, **{**kwargs, **extra})


def test_clean_person_complete_year(clients: Clients, population: Population, pick: Pick) -> None:
    demo = pick("clean")
    facts = gather(clients, population, demo)
    assert isinstance(facts, YearFacts)
    assert facts.year == 2025 and facts.unit_code == demo.unit_code
    assert facts.unit_region == population.unit(demo.unit_code).region
    assert facts.person == demo.person
    assert facts.certificates == list(demo.person.certificates)
    assert facts.contracts == list(demo.contracts)
    for rows in (facts.pension, facts.medical, facts.wages):
        assert [r.month for r in rows] == list(range(1, 13))
        assert {r.unit_code for r in rows} == {demo.unit_code}
    assert all(w.amount >= 3000 for w in facts.wages)
    assert demo.placements[2025]  # the registry does list this unit's own rows ...
    assert facts.other_placements == []  # ... and gather drops them
    assert facts.accepted_units == frozenset({demo.unit_code})


def test_other_units_placements_are_kept(
    clients: Clients, population: Population, pick: Pick
) -> None:
    demo = pick("two_units")
    facts = gather(clients, population, demo)
    expected = [p for p in demo.placements[2025] if p.unit_code != demo.unit_code]
    assert expected and facts.other_placements == expected
    assert all(p.unit_code != demo.unit_code for p in facts.other_placements)


def test_previous_year(clients: Clients, population: Population, pick: Pick) -> None:
    demo = pick("insurance_gap")
    facts = gather(clients, population, demo, year=2024)
    assert len(facts.pension) == 12  # the gap is in 2025 only
    assert len(gather(clients, population, demo).pension) < 12


def test_veteran_without_registry_record(
    clients: Clients, population: Population, pick: Pick
) -> None:
    demo = pick("veteran")
    facts = gather(clients, population, demo)
    (cert,) = facts.certificates
    assert cert.kind is CertificateKind.VETERAN
    # no registry record: the person is derived from the 身份证号 ...
    assert facts.person.id_number == demo.id_number and facts.person.name == ""
    assert facts.person.birth_date == demo.person.birth_date and facts.person.sex == "男"
    # ... unless the declared person is passed in
    declared = gather(clients, population, demo, person=demo.person)
    assert declared.person == demo.person


def test_manual_certificates_are_merged(
    clients: Clients, population: Population, pick: Pick
) -> None:
    demo = pick("new_certificate")
    facts = gather(clients, population, demo)
    assert [c.source for c in facts.certificates] == ["registry", "manual"]
    assert facts.certificates[1] == demo.manual_certificates[0]
    missing = pick("not_in_registry")
    facts = gather(clients, population, missing)
    assert [c.source for c in facts.certificates] == ["manual"]


def test_manual_copy_of_registry_certificate_is_dropped(pick: Pick) -> None:
    (registry,) = pick("clean").person.certificates
    veteran = pick("veteran").veteran_certificates
    other = replace(registry, number=registry.number + "B1")
    merged = merge_certificates([registry], veteran, [registry, other])
    assert merged == [registry, *veteran, replace(other, source="manual")]


def test_dispatched_person_with_agency_accepted(
    clients: Clients, population: Population, pick: Pick
) -> None:
    demo = pick("dispatched")
    agency = demo.contracts[0].agency_unit
    facts = gather(clients, population, demo, accepted_units=[agency])
    assert facts.accepted_units == frozenset({demo.unit_code, agency})
    assert {w.unit_code for w in facts.wages} == {agency}
    assert facts.contracts[0].dispatched


@pytest.mark.parametrize("system", ["cdpf", "veterans", "pension", "medical", "wage", "placement"])
def test_unavailable_system_propagates(
    clients: Clients, population: Population, pick: Pick, control: Callable[..., Any], system: str
) -> None:
    control(outage=[system])
    with pytest.raises(SystemUnavailable) as caught:
        gather(clients, population, pick("clean"))
    assert caught.value.system == system
