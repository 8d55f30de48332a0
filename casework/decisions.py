"""审批: the generic decision step a process owner adds with the diagram alone.

Any user task in a staff lane may name form `decision`. The diagram configures it with
task properties, read here and nowhere else:
- `outcomes`: which of approve / return / reject it offers (default all three);
- `label_approve`, `label_return`, `label_reject`: their labels (通过 / 退回补正 / 不通过);
- `reason_required`: the outcomes that need a reason (default "return,reject");
- `notify`: "employer" to send the unit a notice of the outcome.
The outcome goes into the task data (`decision`, `decision_reason`,
`decision_attachments`, `decided_by`) for the diagram's gateways to branch on, and into
the case's decision history (`DecisionRecord`) that every later step shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.models import DecisionRecord
from casework.notices import notify_unit
from casework.schemas.review import ApprovalInput
from casework.system import System
from casework.task_forms import STAFF, TaskForm, register_form
from casework.uploads import attachments_of
from domain.errors import DomainError, FieldErrors

FORM_KEY = "decision"
OUTCOMES: dict[str, str] = {"approve": "通过", "return": "退回补正", "reject": "不通过"}
SETTINGS = ("outcomes", "label_approve", "label_return", "label_reject", "reason_required", "notify")


@dataclass(frozen=True)
class DecisionOptions:
    outcomes: dict[str, str]  # offered outcome → its label, in the order offered
    reason_required: frozenset[str]
    notify_employer: bool


def _keys(text: str) -> list[str]:
    return [k.strip() for k in (text or "").replace("，", ",").split(",") if k.strip()]


def options(props: dict | None) -> DecisionOptions:
    """The step's settings from its diagram properties, with the defaults filled in."""
    props = props or {}
    offered = [k for k in _keys(props.get("outcomes", "")) if k in OUTCOMES] or list(OUTCOMES)
    required = props.get("reason_required")
    return DecisionOptions(
        outcomes={k: (props.get(f"label_{k}") or OUTCOMES[k]).strip() for k in offered},
        reason_required=frozenset(_keys(required) if required is not None else ["return", "reject"]),
        notify_employer=(props.get("notify") or "").strip() == "employer",
    )


def settings_problem(props: dict) -> str | None:
    """Checked when a diagram is loaded: outcome names a process owner may have mistyped."""
    for name in ("outcomes", "reason_required"):
        unknown = [k for k in _keys(props.get(name, "")) if k not in OUTCOMES]
        if unknown:
            return f"属性{name}中的“{'、'.join(unknown)}”不是审批结果（只能是{'、'.join(OUTCOMES)}）"
    notify = (props.get("notify") or "").strip()
    if notify not in ("", "employer"):
        return f"属性notify只能为employer（通知用人单位）或留空，不能是“{notify}”"
    return None


def history(session: Session, case_id: int) -> list[DecisionRecord]:
    """Every decision taken on the case, oldest first."""
    return list(
        session.scalars(
            select(DecisionRecord).where(DecisionRecord.case_id == case_id).order_by(DecisionRecord.at, DecisionRecord.id)
        )
    )


def subject_history(session: Session, subject) -> list[DecisionRecord]:
    """The decisions on one application of a case (any row with `case_id` and `ref`, e.g.
    `graduate:3`), oldest first."""
    return list(session.scalars(
        select(DecisionRecord).where(DecisionRecord.case_id == subject.case_id, DecisionRecord.subject_ref == subject.ref)
        .order_by(DecisionRecord.at, DecisionRecord.id)
    ))  # fmt: skip


def add_record(session: Session, system: System, user, row, *, outcome: str, label: str, reason: str = "",
               detail: dict | None = None, attachment_ids: list[int] | None = None) -> DecisionRecord:
    """One entry of the case's decision history, in the caller's transaction."""
    entry = DecisionRecord(
        case_id=row.case.id, subject_ref=row.task.subject_ref, task_id=row.task.task_id,
        subject=row.placement.name if row.placement is not None else "",
        step=row.task.title, form=row.task.form, outcome=outcome, outcome_label=label,
        reason=reason, detail=detail, attachment_ids=list(attachment_ids or []),
        actor=user.login, actor_name=user.display_name or user.login, role=user.role,
        at=system.runtime.clock.now(),
    )
    session.add(entry)
    return entry


def notice_body(year: int, step: str, outcome: str, label: str, reason: str = "") -> str:
    """The unit's notice of a decision: an approval reads as 002 shows it (say
    “年审认证审核通过！” when the step's label_approve is 年审认证审核通过), the reason follows."""
    end = "！" if outcome == "approve" else "。"
    return f"贵单位{year}年度{step}结果：{label}{end}" + (f"理由：{reason}" if reason else "")


def decide(session: Session, system: System, user, task_id: str, data: ApprovalInput, ip: str = "") -> str:
    """Take the decision, complete the task, and let the diagram go where it says."""
    from casework.review import task_for

    row = task_for(session, user, task_id)
    if row.task.form != FORM_KEY:
        raise DomainError("该任务不是审批步骤")
    opts = options(row.task.props)
    label = opts.outcomes.get(data.outcome)
    if label is None:
        raise FieldErrors({"outcome": f"请选择审批结果：{'、'.join(opts.outcomes.values())}"})
    if data.outcome in opts.reason_required and not data.reason:
        raise FieldErrors({"reason": f"选择“{label}”须填写理由"})
    attachments = attachments_of(session, data.attachment_ids, row.case.unit_id)
    if len(attachments) != len(set(data.attachment_ids)):
        raise FieldErrors({"attachment_ids": "附件不存在或不属于该单位"})
    ids = [a.id for a in attachments]
    add_record(session, system, user, row, outcome=data.outcome, label=label, reason=data.reason, attachment_ids=ids)
    system.runtime.complete_task(
        session,
        task_id,
        {"decision": data.outcome, "decision_reason": data.reason, "decision_attachments": ids, "decided_by": user.login},
        actor=user.login,
    )
    if opts.notify_employer:
        subject = f"（{row.placement.name}）" if row.placement is not None else ""
        notify_unit(session, row.case.unit_id, f"{row.task.title}结果通知",
                    notice_body(row.case.year, row.task.title + subject, data.outcome, label, data.reason),
                    now=system.runtime.clock.now())
    record(
        session, user, row.task.title or "审批", case_id=row.case.id, target=row.task.subject_ref or row.case.ref,
        detail={"decision": data.outcome, "reason": data.reason, "attachments": ids}, ip=ip,
    )
    return f"已{label}"


def decision_context(session: Session, row) -> dict:
    """What the 审批 page shows: the step's options, the subject's material (a person's
    contract, certificates, attachments and months; or the case's figures), the unit's
    年审申报撤回 / 年审认证反馈 requests (what a 撤回/反馈审核 decides on), the papers a
    service window received for it (what a 属地审核 decides on) and the history of every
    decision on the case."""
    from casework.case_requests import requests_of
    from casework.cases import summarize
    from casework.review import review_context
    from casework.schemas.window import MATERIALS
    from casework.window_acceptance import receipts_of, window_name

    requests = [
        (r, attachments_of(session, r.attachment_ids, row.case.unit_id)) for r in requests_of(session, row.case.id)
    ]
    return {
        "requests": requests,
        "receipts": receipts_of(session, row.case.id),
        "material_names": MATERIALS,
        "window_name": window_name,
        "options": options(row.task.props),
        "material": review_context(session, row) if row.placement is not None else None,
        "summary": summarize(session, row.case),
        "history": history(session, row.case.id),
        **_reward_context(session, row),
        **_relief_context(session, row),
        **_graduate_context(session, row),
        **_placement_end_context(session, row),
    }


def _reward_context(session: Session, row) -> dict:
    """A 超比例奖励 初审 / 复审 / 复核 (subject `reward:<id>`): the application it decides
    on — figures, payee, channel, filer, papers and its own decision history."""
    from casework.models.reward import CHANNEL_NAMES
    from casework.reward_applications import of_subject
    from casework.reward_overview import coefficient, money, persons
    from casework.reward_window import material

    application = of_subject(session, row.task.subject_ref)
    if application is None or application.case_id != row.case.id:
        return {"reward": None}
    return {
        "reward": material(session, application), "reward_channels": CHANNEL_NAMES, "reward_money": money,
        "reward_persons": persons, "reward_coefficient": coefficient,
    }


def _relief_context(session: Session, row) -> dict:
    """A 缓减免 初审 / 复审 (subject `relief:<id>`): the application it decides on."""
    from casework.models import LevyRelief
    from casework.relief_review import review_material

    ref = row.task.subject_ref or ""
    if not ref.startswith("relief:") or not ref[7:].isdigit():
        return {"relief": None}
    relief = session.get(LevyRelief, int(ref[7:]))
    if relief is None or relief.case_id != row.case.id:
        return {"relief": None}
    return {"relief": review_material(session, relief)}


def _graduate_context(session: Session, row) -> dict:
    """A 安置残疾大学生 初审 / 复审 (subject `graduate:<id>`): the application it decides on."""
    from casework.graduate_review import of_subject, review_material

    grad = of_subject(session, row.task.subject_ref)
    if grad is None or grad.case_id != row.case.id:
        return {"graduate": None}
    return {"graduate": review_material(session, grad)}


def _placement_end_context(session: Session, row) -> dict:
    """A 单位注销安置登记 初审 / 复审 (subject `placement_end:<id>`): the request it decides on."""
    from casework.placement_end_review import of_subject, review_material

    end = of_subject(session, row.task.subject_ref)
    if end is None or end.case_id != row.case.id:
        return {"placement_end": None}
    return {"placement_end": review_material(session, end)}


def page_input(form: dict) -> dict:
    """The page's fields as the declaration's input (uploads are added by the page)."""
    return {"outcome": form.get("outcome", ""), "reason": form.get("reason", "")}


register_form(TaskForm(
    key=FORM_KEY, title="审批", roles=STAFF, subject="any",
    writes=("decision", "decision_reason", "decision_attachments", "decided_by"),
    page="review/decision.html", api="POST /api/v1/tasks/{task_id}/approval",
    help="查看材料和此前的审批记录，选择审批结果；退回或不通过须填写理由",
    command=decide, page_input=page_input, settings=SETTINGS, input=ApprovalInput,
    settings_check=settings_problem, context=decision_context,
))
