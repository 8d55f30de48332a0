"""Who may learn what about a person from the 残疾人证 registry (身份证号 look-up).

The look-up exists for the registration wizard's autofill. Anyone who knows an ID number
could otherwise read the registry through it, so the answer depends on the caller:

- an employer gets what the form fills in and shows — name, sex, birth date and age, and
  per certificate its type (残疾人证/残疾军人证), grade and validity with the number masked
  as every list shows it (`mask_certificate_number`). The disability category, phone,
  户籍地 and address are personal data the form does not need to start a registration:
  the employer gets them only for a person its own unit has already placed (any year, not
  deleted), whom it employs and whose record it keeps anyway;
- staff (残联 reviewers, supervisors…) get everything a review compares with the
  declaration — the same fields plus category, phone, 户籍地 and address, numbers still
  masked as on the review page — but only for a person placed by a unit whose 残联主管部门
  lies in their jurisdiction; anyone else is "not found", as everywhere in scope.py.

The ID number typed is echoed masked; every look-up that reaches the registry question
(or is refused for scope) is written to the audit log with the caller, the full ID number
(the log is for staff only, and "who looked up whom" is its purpose), the outcome and the
time on the engine clock. The rate limit per unit is the web layer's (flask-limiter).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import audit, placements
from casework.models import CertificationCase, Placement, Unit
from casework.scope import Forbidden, NotFound, within_jurisdiction
from casework.system import System
from domain.certificate import grade_name, mask_certificate_number
from domain.errors import DomainError
from domain.facts import PersonFact
from domain.id_number import age_on, mask_id_number, parse_id_number

ACTION = "registry_lookup"
AUTOFILL, PLACED, REVIEW = "autofill", "placed", "review"
SCOPE_NAMES = {
    AUTOFILL: "自动填充（不含联系方式）",
    PLACED: "本单位已安置人员",
    REVIEW: "管辖范围内的审核",
}
OUT_OF_SCOPE = "该人员不在您的管辖范围内，或尚未被管辖范围内的单位安置"


def rate_key(user: Any) -> str:
    """The rate-limit bucket: the employer's unit (all its accounts share it), or the
    staff member (staff have no unit)."""
    if getattr(user, "role", "") == "employer":
        return f"unit:{getattr(user, 'unit_id', None)}"
    return f"staff:{getattr(user, 'id', None)}"


def _placed(session: Session, id_number: str, *, unit_id: int | None = None,
            jurisdiction: str | None = None) -> bool:  # fmt: skip
    """Whether a (not deleted) placement of this person exists at the unit, or at any unit
    whose 残联主管部门 is in the jurisdiction."""
    query = (
        select(Placement.id)
        .join(CertificationCase, CertificationCase.id == Placement.case_id)
        .where(Placement.id_number == id_number, Placement.removed.is_(False))
    )
    if unit_id is not None:
        query = query.where(CertificationCase.unit_id == unit_id)
    else:
        query = query.join(Unit, Unit.id == CertificationCase.unit_id).where(
            within_jurisdiction(Unit.cdpf_region, jurisdiction)
        )
    return session.scalar(query.limit(1)) is not None


def _scope(session: Session, user: Any, id_number: str) -> str | None:
    """AUTOFILL / PLACED / REVIEW, or None when the caller may learn nothing."""
    if getattr(user, "role", "") == "employer":
        unit_id = getattr(user, "unit_id", None)
        if unit_id is None:
            raise Forbidden("该账号未关联用人单位")
        return PLACED if _placed(session, id_number, unit_id=unit_id) else AUTOFILL
    jurisdiction = getattr(user, "region_code", "") or ""
    return REVIEW if _placed(session, id_number, jurisdiction=jurisdiction) else None


def _certificate(cert: Any, *, full: bool) -> dict:
    shown = {
        "number": mask_certificate_number(cert.number),
        "kind": str(cert.kind),
        "grade": cert.grade,
        "grade_name": grade_name(cert.grade),
        "valid_from": cert.valid_from.isoformat(),
        "valid_to": cert.valid_to.isoformat(),
    }
    if full:
        shown["category"] = cert.category
    return shown


def answer(scope: str, number: str, found: PersonFact | None, today: Any) -> dict:
    """The JSON answer for a scope (see the module docstring for what each one holds)."""
    parsed = parse_id_number(number)
    body: dict[str, Any] = {
        "found": found is not None,
        "scope": scope,
        "id_number": mask_id_number(parsed.number),
        "sex": parsed.sex,
        "birth_date": parsed.birth_date.isoformat(),
        "age": age_on(parsed.birth_date, today),
    }
    if found is None:
        return body
    full = scope in (PLACED, REVIEW)
    body.update(
        name=found.name,
        sex=found.sex,
        birth_date=found.birth_date.isoformat(),
        age=age_on(found.birth_date, today),
        certificates=[_certificate(c, full=full) for c in found.certificates],
    )
    if full:
        body.update(
            phone=found.phone,
            household_region=found.household_region,
            household_address=found.household_address,
        )
    return body


def look_up(session: Session, system: System, user: Any, id_number: str, *, ip: str = "") -> dict:
    """Answer one look-up for `user`, writing its audit entry into `session` first.

    The caller commits — also when this raises `NotFound` (out of scope) or `DomainError`
    (registry unreachable): the entry records the attempt, so it must survive the error."""
    number = parse_id_number(id_number, "id_number").number
    scope = _scope(session, user, number)
    entry = audit.record(
        session, user, ACTION, target=number,
        detail={"scope": scope or "refused", "unit_id": getattr(user, "unit_id", None)},
        ip=ip,
    )  # fmt: skip
    entry.at = system.runtime.clock.now()
    if scope is None:
        raise NotFound(OUT_OF_SCOPE)
    try:
        found = placements.lookup_person(system, number)
    except DomainError:
        entry.detail = {**(entry.detail or {}), "outcome": "registry_unavailable"}
        raise
    entry.detail = {**(entry.detail or {}), "outcome": "found" if found else "not_found"}
    return answer(scope, number, found, system.today())
