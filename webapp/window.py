"""窗口受理 pages for a service window's clerks (003 现场申请办理, 收受分离): find a unit
(any unit: 省内通办, 跨省通办), record the papers it brought and 当场受理 or 暂缓受理, and
follow the receipts of the window to where their cases are now.

The pages show a unit's identifying facts only; whether the unit's case takes a receipt
and what follows is its diagram's call (casework.window_acceptance). The window's own
窗口受理 step is a task of the workbench (/review/), found by its form.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from casework import window_acceptance as windows
from casework.cases import case_of
from casework.models import Unit
from casework.schemas import parse
from casework.schemas.window import (
    MATERIALS,
    MODES,
    UnitSearchQuery,
    WindowIntakeInput,
    WindowReceiptQuery,
)
from casework.scope import WINDOW_CLERK
from domain.errors import Conflict, DomainError, FieldErrors, NotFound
from webapp.context import field_errors, ip
from webapp.extensions import db, system
from webapp.forms.fields import max_length

bp = Blueprint("window", __name__, url_prefix="/window")
LATEST = 10  # receipts shown under the search; the rest on 本窗口受理记录


def clerk_required(view: Callable) -> Callable:
    """A window clerk's page: anyone else (a unit, a reviewer) is refused (403)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role != WINDOW_CLERK:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _args() -> dict[str, str]:
    """The query string as a page form sends it: the first value of each, blanks left out."""
    return {k: v for k, v in request.args.items() if v.strip()}


@bp.get("/")
@clerk_required
def index():
    """窗口受理: search a unit (a page of what is found), and the window's latest receipts
    with where each case is now."""
    errors: dict[str, str] = {}
    found = None
    raw = _args()
    try:
        args = parse(UnitSearchQuery, raw, strict=False)
        found = windows.find_units(db(), current_user, args.q, args.page, args.per_page) if args.q else None
    except FieldErrors as exc:
        errors = exc.errors
    receipts = windows.receipts_of_window(db(), current_user, limit=LATEST)
    q = (raw.get("q") or "")[:50]
    return render_template(
        "window/index.html", q=q, found=found, errors=errors, query={"q": q} if q else {},
        receipts=receipts, latest=LATEST, window=windows.window_name(current_user.region_code),
    ), (400 if errors else 200)


@bp.get("/receipts")
@clerk_required
def receipts():
    """本窗口受理记录: all of them, newest first, in pages; by unit name/credit code and by
    the day received."""
    errors: dict[str, str] = {}
    page = None
    raw = _args()
    try:
        args = parse(WindowReceiptQuery, raw, strict=False)
        page = windows.window_receipts(
            db(), current_user, q=args.q, received_from=args.received_from, received_to=args.received_to,
            page=args.page, per_page=args.per_page,
        )
    except FieldErrors as exc:
        errors = exc.errors
    query = {k: v[:50] for k, v in raw.items() if k in ("q", "received_from", "received_to", "per_page")}
    return render_template(
        "window/receipts.html", page=page, query=query, errors=errors, window=windows.window_name(current_user.region_code),
    ), (400 if errors else 200)


def _intake_page(unit_id: int, *, errors: dict | None = None, status: int = 200):
    session = db()
    card = windows.unit_card(session, current_user, unit_id)
    unit = session.get(Unit, unit_id)
    year = system().settings.business_year
    case = case_of(session, unit_id, year)
    return render_template(
        "window/intake.html", card=card, year=year, problem=windows.why_not(session, system(), unit, year),
        receipts=windows.receipts_of(session, case.id) if case is not None else [],
        materials=MATERIALS, modes=MODES, errors=errors or {}, window=windows.window_name(current_user.region_code),
        reason_max=max_length(WindowIntakeInput, "reason"),
    ), status


@bp.get("/units/<int:unit_id>")
@clerk_required
def intake(unit_id: int):
    return _intake_page(unit_id)


@bp.post("/units/<int:unit_id>")
@clerk_required
def receive(unit_id: int):
    """收件登记: 当场受理 or 暂缓受理; errors come back beside the fields."""
    session = db()
    raw = {"mode": request.form.get("mode", ""), "reason": request.form.get("reason", ""),
           "materials": request.form.getlist("materials")}
    try:
        data = parse(WindowIntakeInput, raw, strict=False)
        receipt = windows.receive(session, system(), current_user, unit_id, data, ip())
        session.commit()
    except NotFound:
        session.rollback()
        raise
    except Conflict as exc:  # the unit's case does not take it now: say why, keep nothing
        session.rollback()
        return _intake_page(unit_id, errors={"_": exc.message}, status=409)
    except DomainError as exc:
        session.rollback()
        return _intake_page(unit_id, errors=field_errors(exc), status=400)
    if receipt.immediate:
        flash(f"已当场受理，申报材料已转{windows.region_text(receipt.unit_region)}残联属地审核", "success")
    else:
        flash("已暂缓受理：请在3个工作日内完成受理（待办任务“窗口受理”）", "success")
    return redirect(url_for("window.index") + "#receipts")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
