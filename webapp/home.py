"""首页 (001): business year, progress (按比例安置登记 → 完成申报 → 发送税务部门), the
numbers of the case, the status chart and the latest notices. Staff land on their inbox."""

from __future__ import annotations

from flask import Blueprint, Flask, redirect, render_template, url_for
from flask_login import current_user, login_required

from casework import cases
from casework.models.case import STAGE_DECLARED, STAGE_DECLARING, STAGE_NAMES, STAGE_SENT
from webapp.context import employer_case
from webapp.extensions import db

bp = Blueprint("home", __name__)

STAGES = (STAGE_DECLARING, STAGE_DECLARED, STAGE_SENT)


@bp.get("/")
@login_required
def index():
    if current_user.role != "employer":
        return redirect(url_for("review.inbox"))
    case = employer_case()
    summary = cases.summarize(db(), case)
    reached = STAGES.index(case.stage)
    progress = [
        {"name": STAGE_NAMES[s], "state": "done" if i < reached or case.stage == STAGE_SENT else ("current" if i == reached else "todo")}
        for i, s in enumerate(STAGES)
    ]
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
