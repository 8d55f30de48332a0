"""首页 (001): business year, progress (the stages of the case's diagram: 按比例安置登记 →
完成申报 → 发送税务部门 by default), the numbers of the case, the status chart and the
latest notices. Staff land on their inbox."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from casework import cases
from domain.declaration_period import HELP as PERIOD_HELP
from webapp.auth import _safe_next, employer_required
from webapp.context import employer_case
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


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
