"""The synthetic population: deterministic, valid identifiers, scenarios that mean what they say."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from adapters.simulator.population import (
    BUSINESS_YEAR,
    PREVIOUS_YEAR,
    SCENARIOS,
    Population,
    generate_population,
)
from adapters.simulator.units import AGENCY, EMPLOYER, RELATED
from domain.credit_code import is_valid_credit_code
from domain.facts import CertificateKind
from domain.id_number import parse_id_number

ROOT = Path(__file__).resolve().parents[2]
CATEGORY_DIGITS = {
    "视力": "1",
    "听力": "2",
    "言语": "3",
    "肢体": "4",
    "智力": "5",
    "精神": "6",
    "多重": "7",
}


def digest(population: Population) -> str:
    return hashlib.sha256(repr(population).encode("utf-8")).hexdigest()


def test_same_seed_same_population() -> None:
    assert generate_population(7) == generate_population(7)


def test_different_seed_different_people() -> None:
    a, b = generate_population(1), generate_population(2)
    assert a != b
    assert {p.id_number for p in a.people} != {p.id_number for p in b.people}
    assert a.units == b.units  # unit codes are stable across seeds


def test_deterministic_across_processes_and_hash_seeds(population: Population) -> None:
    """No reliance on set/dict hash order: another interpreter with another hash seed agrees."""
    code = (
        "import hashlib; from adapters.simulator.population import generate_population;"
        "print(hashlib.sha256(repr(generate_population(2025)).encode()).hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == digest(population)


def test_size_and_units(population: Population) -> None:
    assert 250 <= len(population.people) <= 350
    roles = Counter(u.role for u in population.units)
    assert roles[EMPLOYER] == 6
    assert roles[AGENCY] + roles[RELATED] >= 2
    assert {u.region for u in population.employers()} >= {
        "210302",
        "210303",
        "330106",
        "150102",
        "150924",
    }
    assert all(p.unit_code in {u.code for u in population.employers()} for p in population.people)


def test_every_identifier_is_valid(population: Population) -> None:
    ids = [p.id_number for p in population.people]
    assert len(set(ids)) == len(ids)
    for person in population.people:
        parsed = parse_id_number(person.id_number)
        assert parsed.birth_date == person.person.birth_date
        assert parsed.sex == person.person.sex
        assert parsed.region_code == person.person.household_region
    for unit in population.units:
        assert is_valid_credit_code(unit.code), unit
    for person in population.people:
        for contract in person.contracts:
            for code in (contract.pension_unit, contract.medical_unit, contract.wage_unit):
                assert population.unit(code) is not None


def test_certificate_numbers_follow_the_second_generation_rule(population: Population) -> None:
    for person in population.people:
        for cert in (*person.person.certificates, *person.manual_certificates):
            assert cert.kind is CertificateKind.DISABLED
            assert cert.number == (
                person.id_number + CATEGORY_DIGITS[cert.category] + str(cert.grade)
            )
            assert 1 <= cert.grade <= 4 and cert.valid_from < cert.valid_to


def test_every_employer_has_every_edge_case(population: Population) -> None:
    for unit in population.employers():
        present = {p.scenario for p in population.select(unit=unit.code)}
        expected = set(SCENARIOS) - {"related_unit"}
        assert expected <= present, unit.name
    assert population.select(scenario="related_unit")


def _months(rows: tuple) -> list[int]:
    return sorted(r.month for r in rows)


def test_clean_people_pass_every_month(population: Population) -> None:
    for person in population.select(scenario="clean"):
        unit = person.unit_code
        for year in (PREVIOUS_YEAR, BUSINESS_YEAR):
            assert _months(person.pension[year]) == list(range(1, 13))
            assert _months(person.medical[year]) == list(range(1, 13))
            assert all(w.amount >= 3000 and w.unit_code == unit for w in person.wages[year])
            assert {p.unit_code for p in person.placements[year]} == {unit}
        (cert,) = person.person.certificates
        assert cert.valid_from <= date(PREVIOUS_YEAR, 1, 1) and cert.valid_to > date(2025, 12, 31)
        assert cert.grade >= 3


@pytest.mark.parametrize(
    ("scenario", "check"),
    [
        (
            "expired_certificate",
            lambda p: date(2025, 2, 1) < p.person.certificates[0].valid_to < date(2025, 12, 1),
        ),
        (
            "new_certificate",
            lambda p: (
                p.person.certificates[0].valid_from.year == 2025
                and p.manual_certificates[0].valid_to.year == 2025
                and p.manual_certificates[0].source == "manual"
            ),
        ),
        ("insurance_gap", lambda p: 8 <= len(p.pension[2025]) <= 10 and len(p.medical[2025]) == 12),
        ("medical_gap", lambda p: 8 <= len(p.medical[2025]) <= 10 and len(p.pension[2025]) == 12),
        ("low_wage", lambda p: 2 <= sum(w.amount < 1500 for w in p.wages[2025]) <= 5),
        (
            "retirement",
            lambda p: (
                p.person.sex == "男"
                and p.person.birth_date.year == 1965
                and p.person.birth_date.month <= 4
            ),
        ),
        ("two_units", lambda p: len({x.unit_code for x in p.placements[2025]}) == 2),
        (
            "veteran",
            lambda p: (
                not p.in_registry and p.veteran_certificates[0].kind is CertificateKind.VETERAN
            ),
        ),
        ("severe", lambda p: p.person.certificates[0].grade <= 2),
        (
            "dispatched",
            lambda p: (
                p.contracts[0].dispatched
                and p.wages[2025][0].unit_code == p.contracts[0].agency_unit
            ),
        ),
        (
            "related_unit",
            lambda p: (
                p.contracts[0].relation == "上下级"
                and p.wages[2025][0].unit_code != p.unit_code
                and p.pension[2025][0].unit_code == p.unit_code
            ),
        ),
        ("new_hire", lambda p: not p.employed_in(2024) and 1 < p.contracts[0].start.month <= 6),
        ("not_in_registry", lambda p: not p.in_registry and len(p.manual_certificates) == 1),
    ],
)
def test_scenarios_carry_their_edge_case(population: Population, scenario: str, check) -> None:
    people = population.select(scenario=scenario)
    assert people
    for person in people:
        assert check(person), person
