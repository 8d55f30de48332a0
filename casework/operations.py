"""Service-task operations: what a worker does for `verify_months` and `push_tax_result`.

Each reads what it needs in a short read-only transaction, calls the outside systems
through `adapters/` (no transaction held while waiting on the network), and returns a
JSON-able result that the engine delivers to the waiting task. Outages raise
RetryableError so the job backs off and tries again as long as it takes; a refusal or a
malformed answer (BadResponse) is an ordinary error, which stops after a few attempts
and leaves the job "failed" for a person; nothing is half-recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.errors import SystemUnavailable
from adapters.gather import gather_year_facts
from casework import levy_relief
from casework.models import CertificationCase, Placement, Unit
from casework.placements import people_of
from domain.certificate import category_name
from domain.counting import persons_from_months
from domain.facts import CertificateFact, CertificateKind, ContractFact
from domain.month_check import CHECKS, check_year
from engine.db import transaction
from engine.jobs import RetryableError

if TYPE_CHECKING:
    from casework.system import System


def _contract_fact(c) -> ContractFact:
    return ContractFact(
        start=c.start,
        end=c.end,
        dispatched=c.dispatched,
        relation=c.relation,
        monthly_wage=float(c.monthly_wage),
        pension_unit=c.pension_unit,
        medical_unit=c.medical_unit,
        wage_unit=c.wage_unit,
        agency_unit=c.agency_unit or "",
    )


def _manual_certificate(c) -> CertificateFact:
    return CertificateFact(
        number=c.number,
        kind=CertificateKind(c.kind),
        category=c.category,
        grade=c.grade,
        valid_from=c.valid_from,
        valid_to=c.valid_to,
        source="manual",
    )


def month_rows(results) -> list[dict]:
    """The grid as JSON for the workflow data (read back by record_month_checks)."""
    return [
        {
            "month": r.month,
            **{name: getattr(r, name) for name in CHECKS},
            "passed": r.passed,
            "certificate_kind": str(r.certificate_kind) if r.certificate_kind else "",
            "certificate_grade": r.certificate_grade,
            "weight": r.weight or 1,
            "reasons": list(r.reasons),
        }
        for r in results
    ]


def verify_months(system: System, params: dict) -> dict:
    """自动核验: ask every outside system about one person's business year, month by month."""
    with transaction(system.session_factory) as session:
        placement = session.get(Placement, int(params["placement_id"]))
        if placement is None:
            return {"months": [], "error": "安置人员已删除"}
        case = session.get(CertificationCase, placement.case_id)
        unit = session.get(Unit, case.unit_id)
        accepted = {unit.credit_code} | {r.credit_code for r in unit.related_units}
        contracts = [_contract_fact(c) for c in placement.contracts]
        accepted |= {c.agency_unit for c in contracts if c.agency_unit}
        manual = [_manual_certificate(c) for c in placement.certificates if c.source == "manual"]
        request = dict(
            id_number=placement.id_number,
            unit_code=unit.credit_code,
            unit_region=unit.admin_region or unit.cdpf_region,
            year=case.year,
            contracts=contracts,
            manual_certificates=manual,
            accepted_units=accepted,
        )
    try:
        facts = gather_year_facts(system.clients, **request)
    except SystemUnavailable as exc:
        raise RetryableError(str(exc)) from exc
    results = check_year(facts)
    return {
        "months": month_rows(results),
        "certificates": [
            {
                "number": c.number,
                "kind": str(c.kind),
                "category": category_name(c.category) if c.kind == CertificateKind.DISABLED else c.category,
                "grade": c.grade,
                "valid_from": c.valid_from.isoformat(),
                "valid_to": c.valid_to.isoformat(),
                "source": c.source,
            }
            for c in facts.certificates
        ],
        "checked_at": system.runtime.clock.now().isoformat(),
    }


def push_tax_result(system: System, params: dict) -> dict:
    """推送税务部门: the certified numbers, idempotent by the case, year and version (a
    correction is the next version, naming the receipt of the one it corrects)."""
    from casework.tax_exchange import next_version

    with transaction(system.session_factory) as session:
        case = session.get(CertificationCase, int(params["case_id"]))
        unit = session.get(Unit, case.unit_id)
        people = people_of(session, case.id)
        approved = sum(p.approved_months for p in people)
        version = next_version(session, case)
        payload = {
            "idempotency_key": version.key,
            "version": version.version,
            "correction_of": version.correction_of or None,
            "unit_code": unit.credit_code,
            "unit_name": unit.name,
            "year": case.year,
            "tax_region": unit.tax_region or unit.cdpf_region,
            "approved_months": approved,
            "placed_persons": float(persons_from_months(approved)),
            # 缓减免 granted for the year (None when none): the tax side levies accordingly
            "levy_relief": levy_relief.tax_payload(session, unit.id, case.year),
            "people": [
                {"id_number": p.id_number, "confirmed_months": p.confirmed_months, "approved_months": p.approved_months}
                for p in people
            ],
        }
    try:
        receipt = system.clients.tax.push_result(payload)
        return {**receipt, "version": version.version, "approved_months": approved}
    except SystemUnavailable as exc:
        raise RetryableError(str(exc)) from exc
    # Any other AdapterError (a refusal such as 409, a malformed answer) is not retried
    # forever: the job fails after a few attempts and waits for a person (quotacert jobs).


# What each operation needs from the diagram's service task (its parameters): the
# publishing check refuses a diagram whose service task names another operation or
# leaves one of these out, instead of a job failing months later.
OPERATION_PARAMS: dict[str, frozenset[str]] = {
    "verify_months": frozenset({"placement_id"}),
    "push_tax_result": frozenset({"case_id"}),
}


def build_operations(system: System) -> dict:
    return {
        "verify_months": lambda params: verify_months(system, params),
        "push_tax_result": lambda params: push_tax_result(system, params),
    }
