"""人员信息校验 (001 step 4): the 12-month grid after auto-verify, the employer's choice of
months, the materials for claimed "×" months, and "保存，下一步" / "上一步"."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.cases import ensure_open
from casework.models import Attachment, CertificationCase, Placement
from casework.models.attachment import MATERIAL_KINDS
from casework.placements import FORM_MONTHS, require_task
from casework.system import System
from domain.errors import DomainError, FieldErrors
from domain.facts import CertificateKind
from domain.month_check import MonthResult
from domain.month_selection import (
    months_for_review,
    required_materials,
    selectable_months,
    selection_errors,
)


def results_of(placement: Placement, year: int) -> list[MonthResult]:
    """The stored grid as domain MonthResults (for the selection rules)."""
    return [
        MonthResult(
            year=year,
            month=m.month,
            wage=m.wage,
            pension=m.pension,
            medical=m.medical,
            certificate=m.certificate,
            working_age=m.working_age,
            contract=m.contract,
            certificate_type=m.certificate_type,
            no_other_unit=m.no_other_unit,
            certificate_kind=CertificateKind(m.certificate_kind) if m.certificate_kind else None,
            certificate_grade=m.certificate_grade,
            reasons=list(m.reasons or []),
        )
        for m in sorted(placement.months, key=lambda m: m.month)
    ]


def dispatched(placement: Placement) -> bool:
    return any(c.dispatched for c in placement.contracts)


@dataclass(frozen=True)
class Grid:
    results: list[MonthResult]
    forced: frozenset[int]
    optional: frozenset[int]
    dispatched: bool


def grid(case: CertificationCase, placement: Placement) -> Grid:
    results = results_of(placement, case.year)
    is_dispatched = dispatched(placement)
    forced, optional = selectable_months(results, is_dispatched)
    return Grid(results, forced, optional, is_dispatched)


def claim_materials(session: Session, placement: Placement) -> dict[str, list[Attachment]]:
    """Uploaded claim materials of the person, by material name (工资发放证明 ...)."""
    rows = session.scalars(
        select(Attachment).where(Attachment.placement_id == placement.id).order_by(Attachment.id)
    ).all()
    by_kind: dict[str, list[Attachment]] = {name: [] for name in MATERIAL_KINDS}
    kind_to_name = {kind: name for name, kind in MATERIAL_KINDS.items()}
    for att in rows:
        if att.kind in kind_to_name:
            by_kind[kind_to_name[att.kind]].append(att)
    return by_kind


def attach_claim_material(session: Session, user, case: CertificationCase, placement: Placement, attachment: Attachment, material: str, ip: str = "") -> None:
    ensure_open(case)
    require_task(session, placement, FORM_MONTHS, "当前步骤不能上传核验材料")
    if material not in MATERIAL_KINDS:
        raise DomainError("请选择材料类型", "material")
    attachment.placement_id = placement.id
    attachment.kind = MATERIAL_KINDS[material]
    record(session, user, "上传核验材料", case_id=case.id, target=f"placement:{placement.id}", detail={"attachment": attachment.id, "material": material}, ip=ip)


def _selected_months(raw) -> list[int]:
    """The months ticked, by the declaration the API validates with (`MonthsInput`);
    the page's text ("3") is read leniently."""
    from casework.schemas import parse
    from casework.schemas.placements import MonthsInput

    months = raw if isinstance(raw, list | tuple) else ([] if raw in (None, "") else [raw])
    return sorted(set(parse(MonthsInput, {"selected_months": list(months)}, strict=False).selected_months))


def submit_months(
    session: Session, system: System, user, case: CertificationCase, placement: Placement, selected_raw, ip: str = ""
) -> list[int]:
    """保存，下一步: returns the claimed months (empty when the system confirms at once)."""
    ensure_open(case)
    task = require_task(session, placement, FORM_MONTHS, "当前步骤不能提交月份")
    selected = _selected_months(selected_raw)
    g = grid(case, placement)
    errors = selection_errors(g.results, g.dispatched, selected)
    if not selected:
        errors.append("请至少勾选一个安置登记月份")
    if errors:
        raise FieldErrors({"selected_months": "；".join(errors)})
    # months a reviewer already found 有效 on these same facts (kept over 重新登记) are
    # not claimed again and need no material
    approved = {m.month for m in placement.months if m.decision == "有效"}
    claimed = [m for m in months_for_review(g.results, selected) if m not in approved]
    have = claim_materials(session, placement)
    to_prove = [m for m in selected if m not in approved]
    missing = [name for name in required_materials(g.results, to_prove) if not have.get(name)]
    if missing:
        raise FieldErrors({"materials": "勾选了未通过核验的月份，请上传：" + "、".join(missing)})
    system.runtime.complete_task(
        session,
        task.task_id,
        {"months_action": "save", "selected_months": selected, "claimed_months": claimed},
        actor=user.login,
    )
    record(session, user, "提交人员信息校验", case_id=case.id, target=f"placement:{placement.id}", detail={"selected": selected, "claimed": claimed}, ip=ip)
    return claimed


def back_to_registration(session: Session, system: System, user, case: CertificationCase, placement: Placement, ip: str = "") -> None:
    """上一步: back to 安置登记 to correct contracts or certificates; verify runs again."""
    ensure_open(case)
    task = require_task(session, placement, FORM_MONTHS, "当前步骤不能返回上一步")
    system.runtime.complete_task(session, task.task_id, {"months_action": "back", "selected_months": [], "claimed_months": []}, actor=user.login)
    record(session, user, "返回安置登记", case_id=case.id, target=f"placement:{placement.id}", ip=ip)
