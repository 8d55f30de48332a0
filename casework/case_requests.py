"""年审申报撤回 and 年审认证反馈: the employer's two recourses after 完成申报.

Whether one can be asked now is the diagram's call: it waits for the `withdraw_request`
message until the result goes to tax, and for `feedback_request` within the feedback
period after certification. A request is a row (the reason and files the reviewer
reads) and a message; if the diagram does not catch the message, the row is not kept
and the unit is told why in words that fit the case. Who decides and what approval does
(unlock, withdraw the certificate, re-certify as a correction) is the diagram's too.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.models import CaseRequest, CertificationCase
from casework.models.case_request import FEEDBACK, KIND_NAMES, PENDING, WITHDRAW
from casework.schemas.placements import CaseRequestInput
from casework.system import System
from casework.uploads import attachments_of
from domain.errors import Conflict, DomainError, FieldErrors
from engine.models import ProcessInstance

MESSAGES = {WITHDRAW: "withdraw_request", FEEDBACK: "feedback_request"}


def requests_of(session: Session, case_id: int) -> list[CaseRequest]:
    """The case's requests, newest first (the employer's 申请记录)."""
    return list(
        session.scalars(
            select(CaseRequest).where(CaseRequest.case_id == case_id).order_by(CaseRequest.filed_at.desc(), CaseRequest.id.desc())
        )
    )


def open_request(session: Session, case_id: int) -> CaseRequest | None:
    return session.scalar(
        select(CaseRequest).where(CaseRequest.case_id == case_id, CaseRequest.status == PENDING).limit(1)
    )


def available(session: Session, system: System, case: CertificationCase) -> set[str]:
    """The requests the diagram would take now (the buttons the page shows); none while
    one is being decided, so a unit never has a withdrawal and a feedback open at once."""
    if open_request(session, case.id) is not None:
        return set()
    instance = session.get(ProcessInstance, case.instance_id) if case.instance_id else None
    awaited = system.runtime.awaited_messages(session, instance)
    return {kind for kind, message in MESSAGES.items() if message in awaited}


def _why_not(session: Session, case: CertificationCase, kind: str) -> str:
    """Why the diagram did not take the request, in the unit's words."""
    name = KIND_NAMES[kind]
    pending = open_request(session, case.id)
    if pending is not None:
        return f"已有{pending.kind_name}申请正在审核中，请等待审核结果"
    if not case.locked:
        return f"尚未完成申报，不需要{name}"
    if kind == WITHDRAW:
        if case.sent_to_tax_at is not None:
            return "认证结果已发送税务部门，不能再申请年审申报撤回；如对结果有异议，请在反馈期内提交年审认证反馈"
        return "当前环节不能申请年审申报撤回（申报正在审核中，请等待审核结果）"
    if case.certificate_ready_at is None and case.sent_to_tax_at is None and case.declared_at is not None:
        return "认证结果尚未生效，暂不能提交年审认证反馈"
    return "已超过年审认证反馈期限（认证后7个工作日内），不能再提交反馈"


def file_request(
    session: Session, system: System, user, case: CertificationCase, kind: str, data: CaseRequestInput, ip: str = ""
) -> CaseRequest:
    """Record the request and hand it to the diagram; refused (nothing kept) if the
    diagram does not wait for it now."""
    if kind not in MESSAGES:
        raise DomainError("未知的申请类型")
    files = attachments_of(session, data.attachment_ids, case.unit_id)
    if len(files) != len(set(data.attachment_ids)):
        raise FieldErrors({"attachment_ids": "附件不存在或不属于本单位"})
    if kind not in available(session, system, case):
        raise Conflict(_why_not(session, case, kind))
    request = CaseRequest(
        case_id=case.id, kind=kind, reason=data.reason, attachment_ids=[f.id for f in files],
        filed_by=user.login, filed_at=system.runtime.clock.now(),
    )
    session.add(request)
    session.flush()
    if not system.runtime.send_message(
        session, case.instance_id, MESSAGES[kind], {"request_id": request.id}, actor=user.login
    ):
        raise Conflict(_why_not(session, case, kind))
    record(session, user, KIND_NAMES[kind], case_id=case.id, target=case.ref,
           detail={"request": request.id, "reason": data.reason, "attachments": request.attachment_ids}, ip=ip)
    return request
