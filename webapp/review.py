"""The reviewer's and supervisor's pages: 待办任务 (inbox), 安置登记审核, 发送税务部门.

A plain list for now (the full workbench is a later issue); every query is scoped by the
user's role and jurisdiction in casework.review, and another region's task answers 404."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, Flask, flash, render_template, request, send_file
from flask_login import current_user

from casework import review
from casework.exports import inbox_workbook
from casework.schemas.review import Decision
from domain.errors import DomainError
from webapp.auth import role_required
from webapp.context import back, field_errors, ip
from webapp.extensions import db, system
from webapp.forms.fields import max_length

bp = Blueprint("review", __name__, url_prefix="/review")
staff_required = role_required(*review.STAFF_ROLES)

TASK_FILTERS = (
    ("", "全部"),
    ("manual_review", "安置登记审核"),
    ("escalated_review", "逾期督办审核"),
    ("send_to_tax", "发送税务部门"),
    ("send_overdue", "逾期发送税务督办"),
)


@bp.get("/")
@staff_required
def inbox():
    q = request.args.get("q", "")
    task_name = request.args.get("task", "")
    page = review.inbox(db(), current_user, now=system().runtime.clock.now(), q=q, task_name=task_name, page=request.args.get("page", 1, type=int))
    return render_template("review/inbox.html", page=page, q=q, task_name=task_name, filters=TASK_FILTERS)


@bp.get("/export.xlsx")
@staff_required
def export():
    """导出Excel: the inbox as filtered (all pages, up to 5000 tasks)."""
    page = review.inbox(db(), current_user, now=system().runtime.clock.now(), q=request.args.get("q", ""), task_name=request.args.get("task", ""), page=1, per_page=5000)
    data = inbox_workbook(page.items, f"{current_user.display_name or current_user.login} 待办任务")
    return send_file(BytesIO(data), mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", as_attachment=True, download_name="待办任务.xlsx")


@bp.get("/tasks/<task_id>")
@staff_required
def task(task_id: str):
    return _render_task(task_id)


def _render_task(task_id: str, errors: dict | None = None, data: dict | None = None, status: int = 200):
    row = review.task_for(db(), current_user, task_id)
    if row.task.form == "placement_review":
        context = review.review_context(db(), row)
        return render_template(
            "review/placement.html", ctx=context, row=row, errors=errors or {}, data=data or {},
            reason_max=max_length(Decision, "reason"),
        ), status
    return render_template("review/send_tax.html", row=row, errors=errors or {}), status


@bp.post("/tasks/<task_id>/decide")
@staff_required
def decide(task_id: str):
    """The form's valid_<m>/reason_<m> pairs as the API's `decisions`; the command
    validates them through the same declaration (DecisionInput), and its messages come
    back under month_<m>, shown beside that month's inputs with the input kept."""
    decisions = {
        key.removeprefix("valid_"): {
            "valid": value,
            "reason": request.form.get(f"reason_{key.removeprefix('valid_')}", ""),
        }
        for key, value in request.form.items()
        if key.startswith("valid_")
    }
    try:
        review.decide(db(), system(), current_user, task_id, decisions, ip())
        db().commit()
    except DomainError as exc:
        db().rollback()
        return _render_task(task_id, field_errors(exc), request.form.to_dict(), 400)
    flash("审核结论已保存，已通知用人单位", "success")
    return back("review.inbox")


@bp.post("/tasks/<task_id>/send")
@staff_required
def send(task_id: str):
    try:
        review.send_to_tax(db(), system(), current_user, task_id, ip())
        db().commit()
    except DomainError as exc:
        db().rollback()
        return _render_task(task_id, field_errors(exc), None, 400)
    flash("已提交发送税务部门，系统正在推送", "success")
    return back("review.inbox")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
