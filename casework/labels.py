"""What a task is searched by in the workbench: the unit's name and 统一社会信用代码 (the
case), the person's name and 身份证号 (the subject). Given to the engine when an instance
starts and kept on its inbox rows, so that a province's inbox is searched without joining
a million cases; refreshed here when a unit or a person is renamed."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from casework.models import CertificationCase, Placement, Unit
from engine.models import InboxTask, ProcessInstance


def case_label(unit: Unit) -> str:
    return f"{unit.name} {unit.credit_code}"


def subject_label(placement: Placement) -> str:
    return f"{placement.name} {placement.id_number}"


def refresh_unit(session: Session, unit: Unit) -> None:
    """The unit's name changed: every instance and task of its cases says the new one."""
    cases = select(CertificationCase.id).where(CertificationCase.unit_id == unit.id)
    label = case_label(unit)
    for model in (ProcessInstance, InboxTask):
        session.execute(
            update(model).where(model.case_id.in_(cases)).values(case_label=label).execution_options(synchronize_session=False)
        )


def refresh_person(session: Session, placement: Placement) -> None:
    label = subject_label(placement)
    ref = f"placement:{placement.id}"
    for model in (ProcessInstance, InboxTask):
        session.execute(
            update(model).where(model.subject_ref == ref).values(subject_label=label).execution_options(synchronize_session=False)
        )
