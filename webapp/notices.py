"""通知公告 (001 §6): the list with keyword search and pages, and one notice."""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request
from flask_login import current_user, login_required

from casework import notices as notice_service
from webapp.extensions import db
from webapp.forms import NoticeSearchForm

bp = Blueprint("notices", __name__)


def page_number() -> int:
    """The `page` query argument (1 when missing or out of range)."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1


@bp.get("/notices")
@login_required
def index():
    form = NoticeSearchForm(request.args)
    page = notice_service.list_notices(db(), current_user, q=form.q.data or "", page=page_number())
    return render_template("notices/index.html", form=form, page=page, q=form.q.data or "")


@bp.get("/notices/<int:notice_id>")
@login_required
def detail(notice_id: int):
    notice = notice_service.get_notice(db(), current_user, notice_id)
    return render_template("notices/detail.html", notice=notice)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
