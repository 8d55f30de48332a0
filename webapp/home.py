"""首页 (001): business year, progress (the stages of the case's diagram: 按比例安置登记 →
完成申报 → 发送税务部门 by default), the numbers of the case, the status chart, the
latest notices, and the year's other applications (超比例奖励, 缓减免, 安置残疾大学生)
with where each stands (本年度其他申请). Staff land on their inbox.

A step of the employer's lane whose form is a process owner's own (自定义表单) is listed
here as 待办事项 and filled on `/steps/<task_id>`: the form as designed, validated by the
same declaration as `POST /api/v1/case/steps/{id}`, the unit's own cases only."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from casework import cases
from casework.application_status import rows_of as application_rows
from domain.declaration_period import HELP as PERIOD_HELP
from webapp.auth import _safe_next, employer_required
from webapp.context import employer_case, viewed_year
from webapp.extensions import db, system

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    if current_user.role != "employer":
        return redirect(url_for("review.inbox"))
    case = employer_case()
    summary = cases.summarize(db(), case, system().today())
    progress = [{"name": s.name, "state": s.state} for s in cases.stages(db(), system(), case)]
    from casework.custom_forms import employer_history, employer_steps
    from casework.notices import latest_for_unit
    from casework.window_acceptance import receipts_of, where_now, window_name

    receipts = receipts_of(db(), case.id)
    return render_template(
        "home/index.html",
        years=cases.case_years(db(), case.unit, system().settings.business_year),
        case=case,
        summary=summary,
        progress=progress,
        notices=latest_for_unit(db(), case.unit, limit=8),
        period_help=PERIOD_HELP,
        receipts=receipts,
        window_name=window_name,
        where=where_now(db(), case) if any(r.is_open for r in receipts) else "",
        steps=employer_steps(db(), case),
        filled=employer_history(db(), case),
        applications=application_rows(db(), case.unit_id, case.year),
    )


@bp.post("/year")
@employer_required
def choose_year():
    """切换业务年度: an earlier year the unit has a case for is shown read only."""
    from casework.cases import case_years
    from webapp.context import YEAR_KEY, employer_unit

    current = system().settings.business_year
    try:
        year = int(request.form.get("year", ""))
    except ValueError:
        year = current
    if year not in case_years(db(), employer_unit(), current):
        flash("该业务年度没有申报记录", "error")
        year = current
    if year == current:
        session.pop(YEAR_KEY, None)
    else:
        session[YEAR_KEY] = year
        flash(f"正在查看{year}年度的申报数据（只读）", "info")
    return redirect(_safe_next(request.form.get("next")) or url_for("home.index"))


def _render_step(task_id: str, errors: dict | None = None, data: dict | None = None, status: int = 200):
    from casework.custom_forms import employer_context, employer_row

    row = employer_row(db(), current_user, task_id)
    return render_template(
        "home/step.html", row=row, errors=errors or {}, data=data or {}, **employer_context(db(), row),
    ), status


@bp.get("/steps/<task_id>")
@employer_required
def step(task_id: str):
    """A step of the unit's lane with the process owner's own form (自定义表单)."""
    return _render_step(task_id)


@bp.post("/steps/<task_id>")
@employer_required
def fill_step(task_id: str):
    """Submit the step's form: the page's text is validated by the API's declaration;
    errors come back beside the fields and nothing is completed."""
    from casework import custom_forms, uploads
    from casework.schemas import parse
    from casework.schemas.review import CustomFormInput
    from domain.errors import DomainError
    from webapp.context import field_errors, ip

    if viewed_year() is not None:
        flash(f"正在查看{viewed_year()}年度的申报数据，往年数据只能查看、不能修改；请在首页切换回本年度", "error")
        return redirect(url_for("home.index"))
    row = custom_forms.employer_row(db(), current_user, task_id)
    session_ = db()
    try:
        raw = custom_forms.page_input(request.form)
        limit = uploads.upload_limit_bytes(row.case.region_code, system().today())
        raw["attachment_ids"] = [
            uploads.store_upload(
                session_, system().settings, unit_id=row.case.unit_id, user_id=current_user.id,
                filename=file.filename, data=file.read(), kind="statement", limit_bytes=limit,
            ).id
            for file in request.files.getlist("attachments") if file and file.filename
        ]
        data = parse(CustomFormInput, raw, strict=False)
        message = custom_forms.fill(session_, system(), current_user, task_id, data, ip())
        session_.commit()
    except DomainError as exc:
        session_.rollback()
        return _render_step(task_id, field_errors(exc), request.form.to_dict(), 400)
    flash(message, "success")
    return redirect(url_for("home.index"))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
