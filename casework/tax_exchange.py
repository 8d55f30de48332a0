"""The exchange with the tax bureau (003: 残联报送, 税务部门确认并反馈).

Out: the diagram's 推送税务部门 service task pushes a version of the unit's year (the first,
or a correction of the last one sent); the key names the version, so a retried or
duplicated job files nothing twice. In: the tax side's check comes back later, on its own,
to `POST /api/v1/tax/confirmations`; it is handed to the case's diagram as the
`tax_confirmation` message, and the diagram decides what 不一致 means (a reviewer's task).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.models import CertificationCase, TaxSubmission, Unit
from casework.models.tax_submission import CONFIRMED, INCONSISTENT, SENT, SUPERSEDED
from casework.system import System
from domain.errors import NotFound

MESSAGE = "tax_confirmation"


def latest(session: Session, case_id: int) -> TaxSubmission | None:
    return session.scalar(
        select(TaxSubmission).where(TaxSubmission.case_id == case_id).order_by(TaxSubmission.version.desc()).limit(1)
    )


@dataclass(frozen=True)
class NextVersion:
    version: int
    key: str
    correction_of: str  # the receipt number of the version it corrects ("" for the first)


def next_version(session: Session, case: CertificationCase) -> NextVersion:
    """The version a push now sends. Only a delivered push writes its row (in the step
    that records it), so a retried job computes the same version and the same key."""
    last = latest(session, case.id)
    version = (last.version + 1) if last is not None else 1
    return NextVersion(version, f"case-{case.id}-{case.year}-v{version}", last.receipt_no if last else "")


def record_submission(session: Session, case: CertificationCase, receipt: dict, now: datetime) -> TaxSubmission:
    """The receipt of a delivered push, once per key; a version sent before it and not yet
    checked becomes 已被更正."""
    key = str(receipt.get("idempotency_key", ""))[:128]
    found = session.scalar(select(TaxSubmission).where(TaxSubmission.idempotency_key == key))
    if found is not None:
        return found
    last = latest(session, case.id)
    unit = session.get(Unit, case.unit_id)
    row = TaxSubmission(
        case_id=case.id, unit_id=case.unit_id, region_code=unit.cdpf_region if unit else case.region_code,
        year=case.year, version=int(receipt.get("version") or ((last.version + 1) if last else 1)),
        idempotency_key=key, receipt_no=str(receipt.get("receipt_no", ""))[:100],
        correction_of_id=last.id if last else None, approved_months=int(receipt.get("approved_months") or 0),
        sent_at=now, reason="",
    )
    if last is not None and last.status == SENT:
        # not checked yet: the tax side now takes the correction, and a late check of this
        # version is no longer taken (receive_confirmation answers only the latest)
        last.status = SUPERSEDED
    session.add(row)
    session.flush()
    return row


def record_check(session: Session, case_id: int, check: dict, now: datetime) -> bool:
    """The tax side's 一致 / 不一致 on the version it names; True when consistent."""
    row = session.scalar(select(TaxSubmission).where(TaxSubmission.idempotency_key == str(check.get("idempotency_key", ""))))
    consistent = bool(check.get("consistent"))
    if row is not None and row.case_id == int(case_id):
        row.status = CONFIRMED if consistent else INCONSISTENT
        row.reason = str(check.get("reason") or "")[:500]
        row.checked_at = now
    return consistent


def token_ok(expected: str, given: str) -> bool:
    """The tax side authenticates with the shared token (TAX_CALLBACK_TOKEN); none set, none accepted."""
    return bool(expected) and hmac.compare_digest(expected.encode(), (given or "").encode())


def receive_confirmation(session: Session, system: System, check: dict) -> bool:
    """Hand the tax side's check to the case's diagram; False when the diagram no longer
    waits for it (a repeated delivery, or a version already superseded)."""
    row = session.scalar(select(TaxSubmission).where(TaxSubmission.idempotency_key == check["idempotency_key"]))
    if row is None:
        raise NotFound("未找到该报送记录")
    case = session.get(CertificationCase, row.case_id)
    if latest(session, case.id).id != row.id or row.status != "sent":
        return False
    if system.runtime.send_message(session, case.instance_id, MESSAGE, {**check}, actor="tax"):
        return True
    # A correction pushed by another diagram (单位注销安置登记) after the case's own diagram
    # stopped waiting: the check is recorded on its version; 不一致 shows on 发送税务部门.
    record_check(session, case.id, check, system.runtime.clock.now())
    return True


def counts_by_status(session: Session, jurisdiction: str | None) -> dict[str, int]:
    """How many records of each state the staff member's jurisdiction has (the page's counts)."""
    from casework.scope import within_jurisdiction

    rows = session.execute(
        select(TaxSubmission.status, func.count())
        .where(within_jurisdiction(TaxSubmission.region_code, jurisdiction))
        .group_by(TaxSubmission.status)
    ).all()
    return dict(rows)


def submissions(
    session: Session, jurisdiction: str | None, *, q: str = "", status: str = "", year: int | None = None,
    page: int = 1, per_page: int = 20,
):
    """发送税务查询: what was sent in the staff member's jurisdiction, newest first, with
    the unit, receipt and check; searchable by unit name or code, receipt number."""
    from casework.paging import Page, contains
    from casework.scope import within_jurisdiction

    query = (
        select(TaxSubmission, Unit)
        .join(Unit, Unit.id == TaxSubmission.unit_id)
        .where(within_jurisdiction(TaxSubmission.region_code, jurisdiction))
    )
    if q:
        query = query.where(contains(Unit.name, q) | contains(Unit.credit_code, q) | contains(TaxSubmission.receipt_no, q))
    if status:
        query = query.where(TaxSubmission.status == status)
    if year:
        query = query.where(TaxSubmission.year == year)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(TaxSubmission.sent_at.desc(), TaxSubmission.id.desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page(items=[tuple(r) for r in rows], total=total, page=page, per_page=per_page)
