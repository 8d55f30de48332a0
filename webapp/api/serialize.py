"""JSON shapes of cases, placements and tasks (ID numbers masked in lists, as on screen)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework import placements
from casework.models import CertificationCase, Placement
from domain.certificate import mask_certificate_number
from domain.declaration_period import HELP
from domain.id_number import mask_id_number
from domain.month_check import CHECKS


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _tax_json(case: CertificationCase) -> dict | None:
    from sqlalchemy.orm import object_session

    from casework.tax_exchange import latest

    session = object_session(case)
    row = latest(session, case.id) if session is not None else None
    if row is None:
        return None
    return {"version": row.version, "receipt_no": row.receipt_no, "sent_at": _iso(row.sent_at),
            "status": row.status, "status_name": row.status_name, "reason": row.reason}


def case_json(case: CertificationCase, summary) -> dict:
    return {
        "tax": _tax_json(case),
        "id": case.id,
        "year": case.year,
        "stage": case.stage,
        "stage_name": summary.stage_name,
        "locked": case.locked,
        "declared_at": _iso(case.declared_at),
        "certificate_ready_at": _iso(case.certificate_ready_at),
        "sent_to_tax_at": _iso(case.sent_to_tax_at),
        "registered_people": summary.registered_people,
        "status_counts": summary.status_counts,
        "confirmed_months": summary.confirmed_months,
        "approved_months": summary.approved_months,
        "actual_persons": float(summary.actual_persons),
        "quota_ratio": float(summary.quota_ratio),
        "can_declare": summary.can_declare,
        "declaration_period": declaration_period_json(summary.declaration_period),
    }


def declaration_period_json(period) -> dict | None:
    if period is None:
        return None
    concentrated = period.concentrated or (None, None)
    return {
        "province_code": period.province_code,
        "province_name": period.province_name,
        "business_year": period.business_year,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "concentrated_start": concentrated[0] and concentrated[0].isoformat(),
        "concentrated_end": concentrated[1] and concentrated[1].isoformat(),
        "today": period.today.isoformat(),
        "state": period.state,
        "days_left": period.days_left,
        "days_to_start": period.days_to_start,
        "in_concentrated": period.in_concentrated,
        "status_text": period.status_text,
        "help": HELP,
    }


def placement_row(p: Placement) -> dict:
    cert = p.certificates[0].number if p.certificates else ""
    return {
        "id": p.id,
        "name": p.name,
        "id_number": mask_id_number(p.id_number),
        "certificate_number": mask_certificate_number(cert) if cert else "",
        "registered_months": p.registered_months,
        "confirmed_months": p.confirmed_months,
        "approved_months": p.approved_months,
        "rejected_months": p.rejected_months,
        "status": p.status,
        "confirmed_by": p.confirmed_by,
        "declared_at": _iso(p.declared_at),
        "confirmed_at": _iso(p.confirmed_at),
    }


def month_json(m) -> dict:
    return {
        "month": m.month,
        "checks": {name: getattr(m, name) for name in CHECKS},
        "passed": m.passed,
        "certificate_kind": m.certificate_kind,
        "certificate_grade": m.certificate_grade,
        "weight": m.weight,
        "reasons": list(m.reasons or []),
        "selected": m.selected,
        "claimed": m.claimed,
        "decision": m.decision,
        "decision_reason": m.decision_reason,
    }


def contract_json(c) -> dict:
    return {
        "id": c.id, "dispatched": c.dispatched, "relation": c.relation, "contract_type": c.contract_type,
        "start": _iso(c.start), "end": _iso(c.end), "position": c.position,
        "monthly_wage": float(c.monthly_wage), "agency_unit": c.agency_unit,
        "pension_unit": c.pension_unit, "medical_unit": c.medical_unit, "wage_unit": c.wage_unit,
        "attachment_ids": list(c.attachment_ids or []),
    }


def certificate_json(c) -> dict:
    return {
        "id": c.id, "number": c.number, "kind": c.kind, "category": c.category, "grade": c.grade,
        "valid_from": _iso(c.valid_from), "valid_to": _iso(c.valid_to), "source": c.source,
    }


def placement_json(session: Session, case: CertificationCase, p: Placement) -> dict:
    """Everything about one person, for its own employer (full ID number shown here)."""
    task = placements.current_task(session, p)
    job = placements.verifying(session, p)
    return {
        **placement_row(p),
        "id_number": p.id_number,
        "sex": p.sex,
        "birth_date": _iso(p.birth_date),
        "phone": p.phone,
        "household_type": p.household_type,
        "household_region": p.household_region,
        "household_address": p.household_address,
        "education": p.education,
        "guardian_name": p.guardian_name,
        "guardian_phone": p.guardian_phone,
        "is_graduate": p.is_graduate,
        "step": task.form if task else (("verify_failed" if job.status == "failed" else "verifying") if job else "done"),
        "step_name": task.title if task else (("自动核验未完成，请联系残联" if job.status == "failed" else "自动核验中") if job else p.status),
        "verification": {"pending": job.status == "pending", "failed": job.status == "failed", "attempts": job.attempts, "last_error": job.last_error} if job else None,
        "contracts": [contract_json(c) for c in p.contracts],
        "certificates": [certificate_json(c) for c in p.certificates],
        "months": [month_json(m) for m in sorted(p.months, key=lambda m: m.month)],
    }


def case_request_json(r) -> dict:
    return {
        "id": r.id, "kind": r.kind, "kind_name": r.kind_name, "reason": r.reason,
        "attachment_ids": list(r.attachment_ids or []), "status": r.status, "status_name": r.status_name,
        "filed_at": _iso(r.filed_at), "decided_at": _iso(r.decided_at), "decision_reason": r.decision_reason,
    }
