"""安置残疾大学生申请 as people read it: what the 初审 / 复审 page shows the reviewer (the
person, the school, 学历 and 学位, the graduation date, the months, the amount, the documents
and this application's own decisions), and the decisions the unit sees. Read only: the
commands are casework.graduate_subsidy's."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import graduate_subsidy
from casework.decisions import subject_history
from casework.models import DecisionRecord, Unit, User
from casework.models.graduate_subsidy import STATUS_HELP, GraduateSubsidy
from casework.relief_review import money
from casework.task_forms import task_with_form
from casework.uploads import attachments_of


def decisions_of(session: Session, grad: GraduateSubsidy) -> list[DecisionRecord]:
    """The 初审 / 复审 decisions on this application (subject `graduate:<id>`), oldest first."""
    return subject_history(session, grad)


def can_correct(session: Session, grad: GraduateSubsidy) -> bool:
    """退回补正: the diagram's `graduate_subsidy_correct` task is open for the unit."""
    return task_with_form(session, grad.instance_id, graduate_subsidy.FORM_CORRECT) is not None


def of_subject(session: Session, ref: str | None) -> GraduateSubsidy | None:
    ref = ref or ""
    if not ref.startswith("graduate:") or not ref[9:].isdigit():
        return None
    return session.get(GraduateSubsidy, int(ref[9:]))


def review_material(session: Session, grad: GraduateSubsidy) -> dict:
    """What the 初审 / 复审 page shows about the application it decides on."""
    filer = session.scalar(select(User).where(User.login == grad.filed_by))
    return {
        "row": grad,
        "unit": session.get(Unit, grad.unit_id),
        "standard": money(grad.standard),
        "amount": money(grad.amount),
        "status_help": STATUS_HELP.get(grad.status, ""),
        "filed_by": (filer.display_name or filer.login) if filer else grad.filed_by,
        "attachments": attachments_of(session, grad.attachment_ids or [], grad.unit_id),
        "history": decisions_of(session, grad),
    }
