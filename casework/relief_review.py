"""缓减免申请 as people read it: what the 初审 / 复审 page shows the reviewer (the kind, the
reason, the levy the unit states, the amount or the months, the documents, and this
application's own decision history), and the decisions the unit sees on its page and in
the API. Read only: the commands are casework.levy_relief's."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import levy_relief
from casework.decisions import subject_history
from casework.models import DecisionRecord, Unit, User
from casework.models.levy_relief import DEFER, REDUCE, STATUS_HELP, LevyRelief
from casework.task_forms import task_with_form
from casework.uploads import attachments_of


def decisions_of(session: Session, relief: LevyRelief) -> list[DecisionRecord]:
    """The 初审 / 复审 decisions on this application (subject `relief:<id>`), oldest first."""
    return subject_history(session, relief)


def can_correct(session: Session, relief: LevyRelief) -> bool:
    """退回补正: the diagram's `levy_relief_correct` task is open for the unit."""
    return task_with_form(session, relief.instance_id, levy_relief.FORM_CORRECT) is not None


def money(value: Decimal | None) -> str:
    """An amount in 元 to the fen, with thousands separators: 20,000.00."""
    return "" if value is None else f"{Decimal(value).quantize(Decimal('0.01')):,}"


def asked(relief: LevyRelief) -> str:
    """What the unit asked for, in a line: 缓缴4个月 / 减缴20,000.00元 / 免缴（全额12,000.50元）."""
    if relief.kind == DEFER:
        return f"缓缴{relief.defer_months}个月"
    if relief.kind == REDUCE:
        return f"减缴{money(relief.amount)}元"
    return f"免缴（全额{money(relief.amount if relief.amount is not None else relief.levy_due)}元）"


def review_material(session: Session, relief: LevyRelief) -> dict:
    """What the 初审 / 复审 page shows about the application it decides on."""
    unit = session.get(Unit, relief.unit_id)
    filer = session.scalar(select(User).where(User.login == relief.filed_by))
    return {
        "relief": relief,
        "unit": unit,
        "year": relief.year,
        "kind": relief.kind,
        "kind_name": relief.kind_name,
        "asked": asked(relief),
        "reason": relief.reason,
        "levy_due": money(relief.levy_due),
        "amount": money(relief.amount) if relief.kind == REDUCE or relief.amount is not None else "",
        "defer_months": relief.defer_months if relief.kind == DEFER else None,
        "status": relief.status,
        "status_name": relief.status_name,
        "status_help": STATUS_HELP.get(relief.status, ""),
        "granted": relief.granted,
        "filed_by": (filer.display_name or filer.login) if filer else relief.filed_by,
        "filed_at": relief.filed_at,
        "attachments": attachments_of(session, relief.attachment_ids or [], relief.unit_id),
        "history": decisions_of(session, relief),
    }
