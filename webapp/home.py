"""首页 (001): business year, progress (the stages of the case's diagram: 按比例安置登记 →
完成申报 → 发送税务部门 by default), the numbers of the case, the status chart and the
latest notices. Staff land on their inbox."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user, login_required

from casework import cases
from webapp.context import employer_case
from webapp.extensions import db, system

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    if current_user.role != "employer":
        return redirect(url_for("review.inbox"))
    case = employer_case()
    summary = cases.summarize(db(), case)
    progress = [{"name": s.name, "state": s.state} for s in cases.stages(db(), system(), case)]
    from casework.notices import latest_for_unit

    return render_template(
        "home/index.html",
        case=case,
        summary=summary,
        progress=progress,
        notices=latest_for_unit(db(), case.unit, limit=8),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
