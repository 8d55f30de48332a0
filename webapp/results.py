"""年审认证结果 (001/002): the result of the declared year, the certificate, and the
employer's two recourses, 年审申报撤回 and 年审认证反馈, with their history. The buttons
are shown only while the diagram would take the request (casework.case_requests)."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, render_template, request
from flask_login import current_user

from casework import case_requests, cases, certificates, tax_exchange
from casework.models.case_request import FEEDBACK, KIND_NAMES, STATUS_NAMES, WITHDRAW
from casework.schemas import parse
from casework.schemas.placements import CaseRequestInput
from domain.errors import DomainError
from webapp.context import back, employer_case, employer_required, field_errors, ip
from webapp.extensions import db, system
from webapp.placements import uploaded_files

bp = Blueprint("results", __name__, url_prefix="/results")

STATUS_HELP = {
    "pending": "申请已提交，等待残联工作人员审核；审核期间认证结果暂不发送税务部门",
    "approved": "申请已同意：请到“残疾人安置管理”修改后重新完成申报",
    "refused": "申请未获同意：原认证结果保持不变，理由见右侧",
}


def _render(errors: dict | None = None, data: dict | None = None, status: int = 200):
    case = employer_case()
    return render_template(
        "results/index.html",
        case=case,
        summary=cases.summarize(db(), case),
        certificate=certificates.current(db(), case),
        tax=tax_exchange.latest(db(), case.id),
        available=case_requests.available(db(), system(), case),
        history=case_requests.requests_of(db(), case.id),
        kinds=KIND_NAMES, statuses=STATUS_NAMES, status_help=STATUS_HELP,
        errors=errors or {}, data=data or {},
    ), status


@bp.get("/")
@employer_required
def index():
    return _render()


def _file(kind: str):
    case = employer_case()
    data = {"reason": request.form.get("reason", ""), "kind": kind}
    try:
        files = []
        if kind == FEEDBACK:
            files = [a.id for a in uploaded_files(case, "statement")]
        parsed = parse(CaseRequestInput, {"reason": data["reason"], "attachment_ids": files})
        case_requests.file_request(db(), system(), current_user, case, kind, parsed, ip())
        db().commit()
    except DomainError as exc:
        db().rollback()
        return _render(field_errors(exc), data, 400)
    flash(f"{KIND_NAMES[kind]}申请已提交，请等待残联审核，结果将通过通知公告告知", "success")
    return back("results.index")


@bp.post("/withdrawal")
@employer_required
def withdrawal():
    return _file(WITHDRAW)


@bp.post("/feedback")
@employer_required
def feedback():
    return _file(FEEDBACK)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
