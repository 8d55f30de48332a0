"""Collect one person's YearFacts from every outside system (the auto-verify service task).

The worker calls this outside any case lock; the month checks then run on the result as
plain data. The systems are queried in parallel because each call is a network round
trip and a slow provincial system should not add up with the others. Any
`SystemUnavailable` propagates unchanged so the worker can schedule a retry; nothing is
half-filled.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from adapters.http_clients import Clients
from domain.facts import CertificateFact, ContractFact, PersonFact, YearFacts
from domain.id_number import parse_id_number


def gather_year_facts(
    clients: Clients,
    *,
    id_number: str,
    unit_code: str,
    unit_region: str,
    year: int,
    contracts: Iterable[ContractFact] = (),
    manual_certificates: Iterable[CertificateFact] = (),
    accepted_units: Iterable[str] = (),
    person: PersonFact | None = None,
) -> YearFacts:
    """Query all systems for `id_number` in `year` and assemble the facts for `unit_code`.

    - certificates = 残疾人证 from the registry + 残疾军人证 + the employer's manual ones
      (marked source="manual"); a manual copy of a registry certificate is dropped.
    - other_placements = placement rows of every unit except `unit_code` itself.
    - person = the registry's record; when the registry has none (veterans, records not yet
      synced) the declared `person` is used, else one derived from the 身份证号.
    - accepted_units always contains `unit_code`.
    """
    calls: dict[str, Any] = {
        "person": (clients.registry.lookup_person, id_number),
        "veteran": (clients.veterans.certificates, id_number),
        "pension": (clients.pension.payments, id_number, year),
        "medical": (clients.medical.payments, id_number, year),
        "wages": (clients.wages.wages, id_number, year),
        "placements": (clients.placements.placements, id_number, year),
    }
    with ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="gather") as pool:
        futures = {name: pool.submit(fn, *args) for name, (fn, *args) in calls.items()}
        # .result() re-raises the call's own exception (SystemUnavailable, BadResponse).
        results = {name: future.result() for name, future in futures.items()}

    registry_person: PersonFact | None = results["person"]
    found = registry_person or person or _person_from_id(id_number)
    certificates = merge_certificates(
        registry_person.certificates if registry_person else (),
        results["veteran"],
        manual_certificates,
    )
    return YearFacts(
        year=year,
        unit_code=unit_code,
        unit_region=unit_region,
        person=found,
        certificates=certificates,
        contracts=list(contracts),
        pension=sorted(results["pension"], key=lambda p: (p.month, p.unit_code)),
        medical=sorted(results["medical"], key=lambda p: (p.month, p.unit_code)),
        wages=sorted(results["wages"], key=lambda p: (p.month, p.unit_code)),
        other_placements=sorted(
            (p for p in results["placements"] if p.unit_code != unit_code),
            key=lambda p: (p.month, p.unit_code),
        ),
        accepted_units=frozenset(accepted_units) | {unit_code},
    )


def merge_certificates(
    registry: Iterable[CertificateFact],
    veteran: Iterable[CertificateFact],
    manual: Iterable[CertificateFact],
) -> list[CertificateFact]:
    """Registry and veteran certificates first; manual ones are kept (as source="manual",
    so 残联 reviews them) unless the same number with the same validity is already known."""
    merged: list[CertificateFact] = []
    seen: set[tuple[str, str, str]] = set()

    def add(cert: CertificateFact) -> None:
        key = (cert.number, cert.valid_from.isoformat(), cert.valid_to.isoformat())
        if key not in seen:
            seen.add(key)
            merged.append(cert)

    for cert in (*registry, *veteran):
        add(cert)
    for cert in manual:
        add(cert if cert.source == "manual" else replace(cert, source="manual"))
    return merged


def _person_from_id(id_number: str) -> PersonFact:
    """A minimal person when no registry knows them: what the 身份证号 itself says."""
    parsed = parse_id_number(id_number)
    return PersonFact(
        id_number=parsed.number,
        name="",
        sex=parsed.sex,
        birth_date=parsed.birth_date,
        household_region=parsed.region_code,
        household_address="",
    )
