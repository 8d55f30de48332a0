"""The window's 窗口受理 step (form `window_acceptance`): a deferred receipt accepted once
the papers are complete, or not accepted, with the reason the unit is told.

The diagram puts the step in the 窗口受理人员 lane and routes it, with `region_from`, to the
clerks of the window that received the papers, not to the unit's jurisdiction (003 收受
分离); 3 working days later a supervisor of that window is asked to step in. The command
records the outcome on the receipt and in the case's 审批记录, completes the task and lets
the diagram decide: 受理 goes to 属地审核, 不予受理 back to the unit.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.audit import record
from casework.models import window_acceptance as status
from casework.schemas.window import MATERIALS, OUTCOMES, WindowAcceptanceInput
from casework.scope import WINDOW_CLERK
from casework.system import System
from casework.task_forms import TaskForm, register_form
from casework.window_acceptance import UnitCard, add_history, open_receipt, region_text, window_name
from domain.errors import DomainError, FieldErrors

FORM_KEY = "window_acceptance"


def accept(session: Session, system: System, user, task_id: str, data: WindowAcceptanceInput, ip: str = "") -> str:
    """受理 or 不予受理 a deferred receipt; the diagram goes where the outcome says."""
    from casework.review import start_work

    row = start_work(session, system, user, task_id)
    if row.task.form != FORM_KEY:
        raise DomainError("该任务不是窗口受理")
    receipt = open_receipt(session, row.case.id)
    if receipt is None or receipt.status != status.DEFERRED:
        raise DomainError("未找到待受理的窗口收件记录，请刷新待办任务")
    materials = [key for key in MATERIALS if key in set(data.materials) | set(receipt.materials or [])]
    if data.outcome == "accept" and len(materials) < len(MATERIALS):
        missing = "、".join(name for key, name in MATERIALS.items() if key not in materials)
        raise FieldErrors({"materials": f"材料尚不齐全（缺少：{missing}），不能受理；补齐后勾选，或选择不予受理并说明理由"})
    if data.outcome == "refuse" and not data.reason:
        raise FieldErrors({"reason": "不予受理须填写理由（将告知用人单位）"})
    now = system.runtime.clock.now()
    receipt.materials = materials
    if data.outcome == "accept":
        receipt.status, receipt.accepted_by, receipt.accepted_at = status.ACCEPTED, user.login, now
    label = f"{OUTCOMES[data.outcome]}（{window_name(receipt.window_region)}）"
    add_history(session, user, row.case, row.task.title or "窗口受理", data.outcome, label, data.reason, now, task_id)
    system.runtime.complete_task(
        session, task_id,
        {"window_outcome": data.outcome, "window_reason": data.reason, "window_materials": materials},
        actor=user.login,
    )
    record(session, user, row.task.title or "窗口受理", case_id=row.case.id, target=row.case.ref, ip=ip,
           detail={"acceptance": receipt.id, "outcome": data.outcome, "reason": data.reason, "materials": materials})
    if data.outcome == "accept":
        return f"已受理，已转{region_text(row.case.region_code)}残联属地审核"
    return "已不予受理，用人单位将收到通知"


def _context(session: Session, row) -> dict:
    """What the step's page shows: the receipt and the unit's identifying facts only (no
    people, no files, no 电子案卷: a window clerk never sees them)."""
    receipt = open_receipt(session, row.case.id)
    window = receipt.window_region if receipt is not None else row.task.region_code
    return {
        "receipt": receipt, "card": UnitCard.of(row.unit, window), "materials": MATERIALS, "outcomes": OUTCOMES,
        "window_name": window_name(window), "show_dossier": False,
    }


def page_input(form) -> dict:
    """The page's fields as the declaration's input (the ticked papers are a list)."""
    ticked = form.getlist("materials") if hasattr(form, "getlist") else form.get("materials", [])
    return {"outcome": form.get("outcome", ""), "reason": form.get("reason", ""), "materials": list(ticked)}


register_form(TaskForm(
    key=FORM_KEY, title="窗口受理", roles=frozenset({WINDOW_CLERK}), subject="case",
    writes=("window_outcome", "window_reason", "window_materials"), page="review/window_acceptance.html",
    api="POST /api/v1/tasks/{task_id}/window-acceptance",
    help="核对用人单位补齐的纸质材料：齐全则受理（转单位所在地残联属地审核），否则不予受理并说明理由（003：3个工作日内完成）",
    input=WindowAcceptanceInput, command=accept, page_input=page_input, context=_context,
))
