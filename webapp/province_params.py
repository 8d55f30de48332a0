"""参数设置 (issue 14): a province's process owner sees and changes its parameters.

One page: each parameter with the value in force today (the engine clock's China date),
its source and the changes still to come; the wage tables by region, marked 演示数据，
待核实 until the office confirms the shipped figures; the full history. A change is added
from a day on (never before today) with typed inputs, read through the change's one
declaration (``casework.schemas.province_params``, shared with POST /api/v1/params);
wrong inputs come back on the page beside the input, as typed, with nothing stored. Only
process owners reach it, each for their own province; ``casework.province_params`` scopes
every act and writes the audit log.
"""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casework import province_param_form, province_param_page, province_params
from casework.process_versions import OWNER_ROLE
from casework.scope import Forbidden
from domain import regions
from domain.errors import DomainError, FieldErrors, NotFound
from domain.params_types import FEMALE_TRACK_VALUES, FIELD_LABELS, TABLE_LABELS
from webapp.auth import role_required
from webapp.extensions import client_ip, db, system

bp = Blueprint("params", __name__)
owner_required = role_required(OWNER_ROLE)
# far above every limit of the declaration (which refuses, in Chinese, what is too long);
# it only bounds what a refused form shows again
MAX_INPUT = 1000


def _label(key: str) -> str:
    return FIELD_LABELS.get(key) or TABLE_LABELS.get(key, key)


def _render(errors: dict[str, str] | None = None, posted: dict[str, str] | None = None, status: int = 200):
    province = province_params.province_of(current_user)
    today = system().today()
    page = province_param_page.overview(db(), province, today)
    return render_template(
        "params/index.html",
        page=page,
        errors=errors or {},
        posted=posted or {},
        open_form=(posted or {}).get("field", ""),
        help=province_param_page.FIELD_HELP,
        time_limit_labels=province_param_form.TIME_LIMIT_LABELS,
        window_inputs=province_param_form.WINDOW_INPUTS,
        track_choices=[(value, province_param_page.TRACK_NAMES[value]) for value in FEMALE_TRACK_VALUES],
        demo_badge=province_param_page.DEMO_BADGE,
        note_max=province_param_form.NOTE_MAX,
        min_day=today.isoformat(),
    ), status


@bp.get("/params/")
@owner_required
def index():
    return _render()


@bp.post("/params/changes")
@owner_required
def add_change():
    form = {key: value[:MAX_INPUT] for key, value in request.form.items() if key != "csrf_token"}
    clock = system().runtime.clock
    try:
        entry = province_params.add_change(
            db(), current_user, form, today=system().today(), now=clock.now(), ip=client_ip()
        )
    except FieldErrors as exc:
        db().rollback()
        return _render(exc.errors, form, 422)
    db().commit()
    flash(province_param_page.saved_message(entry), "success")
    return redirect(url_for("params.index") + f"#param-{entry.field}")


@bp.post("/params/changes/<int:entry_id>/cancel")
@owner_required
def cancel_change(entry_id: int):
    clock = system().runtime.clock
    try:
        entry = province_params.cancel_change(
            db(), current_user, entry_id, today=system().today(), now=clock.now(), ip=client_ip()
        )
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("params.index") + "#history")
    db().commit()
    flash(f"已撤销记录{entry.ref_id}：{_label(entry.field)}的该项修改不会生效", "success")
    return redirect(url_for("params.index") + "#history")


@bp.post("/params/confirm")
@owner_required
def confirm():
    table = (request.form.get("table") or "")[:MAX_INPUT]
    region = (request.form.get("region") or "")[:MAX_INPUT]
    clock = system().runtime.clock
    try:
        province_params.confirm_figures(db(), current_user, table, region, now=clock.now(), ip=client_ip())
    except (NotFound, Forbidden):
        raise
    except DomainError as exc:
        db().rollback()
        flash(exc.message, "error")
        return redirect(url_for("params.index") + "#wages")
    db().commit()
    flash(f"已核实{regions.label(region)}的{_label(table)}，不再标注为演示数据", "success")
    return redirect(url_for("params.index") + f"#{table}")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
