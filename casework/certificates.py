"""The lifecycle of 审核认定书 records: issued (有效), replaced by a correction (已被更正),
withdrawn (已撤回, 年审申报撤回).

Each issue freezes what the document prints (`facts`): the document, its signature and
the public verification page all read that snapshot, so a later change to the case (a
reopened declaration, a renamed unit) never alters a certificate already handed out; it
takes a new version, and the old one points to it.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.flow_functions import certified_months
from casework.models import CertificationCase, IssuedCertificate, Placement, Unit
from casework.models.issued_certificate import KIND_ANNUAL, SUPERSEDED, VALID, WITHDRAWN
from casework.placements import people_of
from domain import regions
from domain.counting import persons_from_months
from domain.errors import Conflict, DomainError
from domain.id_number import mask_id_number
from domain.params import params_for
from domain.reward import quota_persons
from engine.clock import china_time

SUPERSEDED_REASON = "已被更正后的认定书取代"
TOKEN_BYTES = 24  # 32 URL-safe characters: not guessable, short enough for a QR code
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{20,64}")
NOT_YET = "完成申报三个工作日后方可下载审核认定书"


def issuer_name(region_code: str | None) -> str:
    """The 残联 issuing for a region: 辽宁省/鞍山市/铁东区 → 辽宁省鞍山市铁东区残疾人联合会."""
    label = regions.label(region_code)
    return f"{label.replace('/', '')}残疾人联合会" if label else "中国残疾人联合会"


def certificate_number(case: CertificationCase, version: int) -> str:
    """认定书编号, readable and unique: RDS-<业务年度>-<残联区划>-<案件号>-<版本>."""
    return f"RDS-{case.year}-{case.region_code}-{case.id:06d}-{version}"


def _person_facts(placement: Placement) -> dict:
    certified = certified_months(placement)
    # a month another unit also counts (无其他单位安置 failed) that was still certified,
    # after review: the person is counted by two units that month
    shared = [m.month for m in certified if not m.no_other_unit]
    return {
        "name": placement.name,
        "id_number": mask_id_number(placement.id_number),
        "certified_months": [m.month for m in certified],
        "weight": 2 if placement.weight >= 2 else 1,
        "confirmed_months": placement.confirmed_months,
        "approved_months": placement.approved_months,
        "double_counted": bool(shared),
        "shared_months": shared,
    }


def _quota(unit: Unit, case: CertificationCase) -> tuple[str | None, int | None]:
    """The quota ratio of the case's region on 31 Dec of the year, and 应安排人数 =
    ceil(staff × ratio) when the unit gave its staff count."""
    try:
        ratio = params_for(case.region_code, date(case.year, 12, 31)).quota_ratio
    except DomainError:
        return None, None
    staff = unit.staff_last_year
    return str(ratio), (quota_persons(staff, ratio) if staff is not None else None)


def snapshot(session: Session, case: CertificationCase) -> dict:
    """What the certificate prints, as plain JSON (masked ID numbers only)."""
    unit = session.get(Unit, case.unit_id)
    people = [_person_facts(p) for p in people_of(session, case.id) if p.confirmed_months > 0]
    ratio, quota = _quota(unit, case)
    confirmed = sum(p["confirmed_months"] for p in people)
    approved = sum(p["approved_months"] for p in people)
    return {
        "unit_name": unit.name,
        "credit_code": unit.credit_code,
        "year": case.year,
        "region_code": case.region_code,
        "region_label": regions.label(case.region_code),
        "issuer": issuer_name(case.region_code),
        "staff_count": unit.staff_last_year,
        "quota_ratio": ratio,
        "quota_persons": quota,
        "declared_at": case.declared_at.isoformat() if case.declared_at else None,
        "people": people,
        "totals": {
            "people": len(people),
            "confirmed_months": confirmed,
            "approved_months": approved,
            "actual_persons": str(persons_from_months(approved)),
            "double_counted": sum(1 for p in people if p["double_counted"]),
        },
    }


def current(session: Session, case: CertificationCase) -> IssuedCertificate | None:
    """The case's newest certificate, whatever its status (None before the first issue)."""
    return session.scalars(
        select(IssuedCertificate)
        .where(IssuedCertificate.case_id == case.id, IssuedCertificate.kind == KIND_ANNUAL)
        .order_by(IssuedCertificate.version.desc())
        .limit(1)
    ).first()


def by_token(session: Session, token: str) -> IssuedCertificate | None:
    """The certificate a public URL names; None for any unknown or malformed token."""
    if not isinstance(token, str) or not TOKEN_SHAPE.fullmatch(token):
        return None  # never sent to the database (a NUL byte is an error in PostgreSQL)
    return session.scalars(select(IssuedCertificate).where(IssuedCertificate.token == token)).first()


def issue(session: Session, case: CertificationCase, now: datetime) -> IssuedCertificate:
    """Issue version n+1 from the case as it is now; the valid one before it (if any) is
    superseded and points to the new one. Each call issues a new version."""
    last = session.scalar(
        select(func.max(IssuedCertificate.version)).where(
            IssuedCertificate.case_id == case.id, IssuedCertificate.kind == KIND_ANNUAL
        )
    )
    version = (last or 0) + 1
    earlier = session.scalars(
        select(IssuedCertificate)
        .where(
            IssuedCertificate.case_id == case.id,
            IssuedCertificate.kind == KIND_ANNUAL,
            IssuedCertificate.status == VALID,
        )
        .order_by(IssuedCertificate.version)
    ).all()
    facts = snapshot(session, case)
    if earlier:
        facts["replaces"] = earlier[-1].number  # printed: 更正版，取代编号…
    certificate = IssuedCertificate(
        case_id=case.id,
        unit_id=case.unit_id,
        year=case.year,
        region_code=case.region_code,
        kind=KIND_ANNUAL,
        version=version,
        number=certificate_number(case, version),
        token=secrets.token_urlsafe(TOKEN_BYTES),
        status=VALID,
        status_reason="",
        issued_at=now,
        facts=facts,
    )
    session.add(certificate)
    session.flush()
    for old in earlier:
        old.status = SUPERSEDED
        old.status_reason = SUPERSEDED_REASON
        old.status_changed_at = now
        old.superseded_by_id = certificate.id
    session.flush()
    return certificate


def withdraw(
    session: Session, case: CertificationCase, now: datetime, reason: str
) -> IssuedCertificate | None:
    """年审申报撤回 approved: the case's valid certificate is withdrawn (None if none)."""
    found = session.scalars(
        select(IssuedCertificate).where(
            IssuedCertificate.case_id == case.id,
            IssuedCertificate.kind == KIND_ANNUAL,
            IssuedCertificate.status == VALID,
        )
    ).all()
    for certificate in found:
        certificate.status = WITHDRAWN
        certificate.status_reason = str(reason or "年审申报撤回")[:200]
        certificate.status_changed_at = now
    session.flush()
    return found[-1] if found else None


def newer(session: Session, certificate: IssuedCertificate) -> IssuedCertificate | None:
    """The certificate that replaced this one (for 已被更正: 见新编号…)."""
    if certificate.superseded_by_id is None:
        return None
    return session.get(IssuedCertificate, certificate.superseded_by_id)


def downloadable(session: Session, case: CertificationCase, now: datetime) -> IssuedCertificate:
    """The certificate the unit may download (page and API alike): the valid one, also
    while a feedback reopened the case; refused before release and once withdrawn. A
    case released before certificates were recorded gets its first version now."""
    certificate = current(session, case)
    if certificate is None:
        if case.certificate_ready_at is None:
            raise Conflict(NOT_YET)
        certificate = issue(session, case, now)
    if certificate.status == WITHDRAWN:
        when = china_time(certificate.status_changed_at)
        raise Conflict(
            f"{case.year}年度审核认定书（编号{certificate.number}）已于"
            f"{when:%Y年%m月%d日}撤回（{certificate.status_reason}），不能下载；"
            "重新完成申报后将出具新的审核认定书"
        )
    return certificate


def public_facts(session: Session, certificate: IssuedCertificate) -> dict:
    """What anyone holding the link may see: the unit, the year, the totals and the
    status; never a person's name or ID number (the page and the API show this)."""
    facts = certificate.facts or {}
    totals = facts.get("totals", {})
    newer_one = newer(session, certificate)
    found = {
        "number": certificate.number,
        "version": certificate.version,
        "kind": certificate.kind,
        "year": certificate.year,
        "unit_name": facts.get("unit_name", ""),
        "credit_code": facts.get("credit_code", ""),
        "issuer": facts.get("issuer", ""),
        "issued_at": china_time(certificate.issued_at).isoformat(),
        "people": int(totals.get("people", 0)),
        "approved_months": int(totals.get("approved_months", 0)),
        "actual_persons": str(totals.get("actual_persons", "0.00")),
        "replaces": facts.get("replaces"),
        "status": certificate.status,
        "status_name": certificate.status_name,
        "status_reason": certificate.status_reason,
        "status_changed_at": (
            china_time(certificate.status_changed_at).isoformat()
            if certificate.status_changed_at else None
        ),
        "superseded_by": (
            {"number": newer_one.number, "token": newer_one.token} if newer_one is not None else None
        ),
    }
    if certificate.kind == "reward":  # 奖励审核认定书: the reward's figures, never the payee's account
        found.update(
            title="超比例奖励审核认定书", people=0, approved_months=0,
            actual_persons=str(facts.get("placed_persons", "0")),
            reward={key: str(facts.get(key, "")) for key in REWARD_PUBLIC},
        )
    else:
        found.update(title="按比例安排残疾人就业审核认定书", reward=None)
    return found


# what the public page of a 奖励审核认定书 shows (casework.reward_certificates.snapshot's keys)
REWARD_PUBLIC = ("staff_count", "placed_persons", "quota_persons", "over_persons", "coefficient", "amount", "channel")
