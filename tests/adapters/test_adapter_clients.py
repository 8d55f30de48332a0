"""Each HTTP client against the running simulator returns the right domain dataclasses."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from adapters.errors import BadResponse
from adapters.http_clients import Clients, build_clients
from adapters.protocols import (
    CertificateRegistry,
    MedicalInsurance,
    PensionInsurance,
    PlacementRegistry,
    TaxBureau,
    UnitFact,
    UnitRegistry,
    VeteranRegistry,
    WageData,
)
from adapters.simulator.population import SCENARIOS, DemoPerson, Population
from domain.credit_code import make_credit_code
from domain.facts import (
    CertificateFact,
    CertificateKind,
    MonthlyPayment,
    OtherPlacement,
    PersonFact,
)
from domain.id_number import check_character

Pick = Callable[[str], DemoPerson]


def unknown_id() -> str:
    """A valid 身份证号 nobody in the population has (born 1 Jan 1990 in 北京市朝阳区)."""
    first17 = "11010519900101999"
    return first17 + check_character(first17)


def test_clients_satisfy_their_protocols(clients: Clients) -> None:
    assert isinstance(clients.registry, CertificateRegistry)
    assert isinstance(clients.veterans, VeteranRegistry)
    assert isinstance(clients.pension, PensionInsurance)
    assert isinstance(clients.medical, MedicalInsurance)
    assert isinstance(clients.wages, WageData)
    assert isinstance(clients.placements, PlacementRegistry)
    assert isinstance(clients.units, UnitRegistry)
    assert isinstance(clients.tax, TaxBureau)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_scenario_round_trips_through_http(
    clients: Clients, pick: Pick, scenario: str
) -> None:
    """What the clients parse equals what the simulator holds, for every system and year."""
    demo = pick(scenario)
    number = demo.id_number
    found = clients.registry.lookup_person(number)
    if demo.in_registry:
        assert found == demo.person
        assert all(isinstance(c, CertificateFact) for c in found.certificates)
    else:
        assert found is None
    assert clients.veterans.certificates(number) == list(demo.veteran_certificates)
    for year in (2024, 2025):
        pension = clients.pension.payments(number, year)
        assert pension == list(demo.pension[year])
        assert all(isinstance(p, MonthlyPayment) for p in pension)
        assert clients.medical.payments(number, year) == list(demo.medical[year])
        assert clients.wages.wages(number, year) == list(demo.wages[year])
        placements = clients.placements.placements(number, year)
        assert placements == list(demo.placements[year])
        assert all(isinstance(p, OtherPlacement) for p in placements)


def test_clean_person_fields(clients: Clients, pick: Pick) -> None:
    demo = pick("clean")
    person = clients.registry.lookup_person(demo.id_number)
    assert isinstance(person, PersonFact)
    assert person.name and person.sex in ("男", "女") and len(person.household_region) == 6
    (cert,) = person.certificates
    assert cert.kind is CertificateKind.DISABLED and cert.source == "registry"
    wages = clients.wages.wages(demo.id_number, 2025)
    assert [w.month for w in wages] == list(range(1, 13))
    assert all(w.amount >= 3000 and w.unit_code == demo.unit_code for w in wages)


def test_lower_case_x_in_id_number_is_accepted(clients: Clients, population: Population) -> None:
    demo = next(p for p in population.people if p.id_number.endswith("X") and p.in_registry)
    person = clients.registry.lookup_person(demo.id_number.lower())
    assert person is not None and person.id_number == demo.id_number


def test_veteran_certificates(clients: Clients, pick: Pick) -> None:
    demo = pick("veteran")
    (cert,) = clients.veterans.certificates(demo.id_number)
    assert cert.kind is CertificateKind.VETERAN and 1 <= cert.grade <= 8
    assert clients.registry.lookup_person(demo.id_number) is None


def test_unknown_person(clients: Clients) -> None:
    number = unknown_id()
    assert clients.registry.lookup_person(number) is None
    assert clients.veterans.certificates(number) == []
    assert clients.pension.payments(number, 2025) == []
    assert clients.medical.payments(number, 2025) == []
    assert clients.wages.wages(number, 2025) == []
    assert clients.placements.placements(number, 2025) == []


def test_years_without_data_are_empty(clients: Clients, pick: Pick) -> None:
    demo = pick("clean")
    assert clients.pension.payments(demo.id_number, 2019) == []
    assert pick("new_hire").employed_in(2025)
    assert clients.wages.wages(pick("new_hire").id_number, 2024) == []


def test_malformed_id_number_is_a_bad_response(clients: Clients) -> None:
    with pytest.raises(BadResponse) as caught:
        clients.registry.lookup_person("123456789012345678")
    assert caught.value.status == 400 and "身份证号" in caught.value.message
    assert caught.value.system == "cdpf" and not caught.value.retryable
    with pytest.raises(BadResponse):
        clients.pension.payments("../../_control", 2025)


def test_units(clients: Clients, population: Population) -> None:
    for demo in population.units:
        unit = clients.units.unit(demo.code)
        assert unit == UnitFact(demo.code, demo.name, demo.region, demo.nature, demo.address)
    known = population.employers()[0].code
    assert clients.units.unit(known.lower()) is not None
    assert clients.units.unit(make_credit_code("91110105MA0000000")) is None


def test_tax_push_is_idempotent(clients: Clients, population: Population) -> None:
    unit = population.employers()[0].code
    payload = {
        "idempotency_key": f"{unit}-2025-test-idem",
        "unit_code": unit,
        "year": 2025,
        "certified_persons": 12.5,
    }
    first = clients.tax.push_result(payload)
    again = clients.tax.push_result(dict(payload))
    assert first["receipt_no"].startswith("SW2025") and first["status"] == "accepted"
    assert again == first
    with pytest.raises(BadResponse) as caught:
        clients.tax.push_result({**payload, "certified_persons": 13})
    assert caught.value.status == 409


def test_tax_push_validation(clients: Clients) -> None:
    with pytest.raises(ValueError):
        clients.tax.push_result({"unit_code": "x", "year": 2025})
    with pytest.raises(BadResponse) as caught:
        clients.tax.push_result({"idempotency_key": "k-bad", "unit_code": "x", "year": 2025})
    assert "统一社会信用代码" in caught.value.message


def test_people_listing_by_unit_and_scenario(simulator_url: str, population: Population) -> None:
    unit = population.employers()[2]
    body = httpx.get(
        f"{simulator_url}/_people", params={"unit": unit.code, "scenario": "dispatched"}
    ).json()
    assert body["total"] == len(population.select(unit=unit.code, scenario="dispatched")) > 0
    first = body["people"][0]
    assert first["unit_name"] == unit.name and first["contracts"][0]["dispatched"] is True
    limited = httpx.get(f"{simulator_url}/_people", params={"limit": 5, "year": 2024}).json()
    assert len(limited["people"]) == 5
    assert limited["total"] == len(population.select(year=2024))
    bad = httpx.get(f"{simulator_url}/_people", params={"scenario": "nope"})
    assert bad.status_code == 400


def test_units_and_scenarios_listing(simulator_url: str, population: Population) -> None:
    units = httpx.get(f"{simulator_url}/_units").json()["units"]
    assert [u["credit_code"] for u in units] == [u.code for u in population.units]
    assert sum(u["people"] for u in units) == len(population.people)
    assert httpx.get(f"{simulator_url}/_scenarios").json()["scenarios"] == SCENARIOS
    assert httpx.get(f"{simulator_url}/_health").json()["status"] == "ok"


def test_per_system_base_urls(simulator_url: str, pick: Pick) -> None:
    """Overrides point one system elsewhere; here the same simulator under another host name."""
    other = simulator_url.replace("127.0.0.1", "localhost")
    with build_clients(simulator_url, overrides={"pension": other}) as built:
        assert built.pension.payments(pick("clean").id_number, 2025)
        assert built.pension.http.base_url == other  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        build_clients(simulator_url, overrides={"nope": other})
