"""发送税务查询 (002's reviewer tab): what this office sent to the tax bureau, when, the
receipt, and the tax side's check; filterable, paged, exportable to Excel."""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, Flask, abort, render_template, request
from flask_login import current_user

from casework import tax_exchange
from casework.exports import tax_workbook
from casework.models.tax_submission import STATUS_HELP, STATUS_NAMES
from casework.schemas import parse
from casework.schemas.tax import TaxQuery
from casework.scope import reads_case_files
from domain.errors import DomainError
from webapp import downloads
from webapp.extensions import db
from webapp.review import staff_required as inbox_staff

bp = Blueprint("tax", __name__, url_prefix="/review/tax")


def staff_required(view):
    """Staff who handle cases: a window clerk receives papers and sends nothing to tax."""

    @inbox_staff
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not reads_case_files(current_user):
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _query() -> tuple[TaxQuery | None, dict, dict]:
    raw = {k: v for k, v in request.args.items() if v != ""}
    try:
        return parse(TaxQuery, raw), raw, {}
    except DomainError as exc:
        return None, raw, getattr(exc, "errors", {"_": exc.message})


@bp.get("/")
@staff_required
def index():
    args, raw, errors = _query()
    page = None
    if args is not None:
        page = tax_exchange.submissions(
            db(), current_user.region_code, q=args.q, status=args.status, year=args.year, page=args.page, per_page=args.per_page
        )
    query = {k: v for k, v in raw.items() if k != "page"}
    return render_template(
        "review/tax.html", page=page, query=query, errors=errors, statuses=STATUS_NAMES, status_help=STATUS_HELP,
        counts=tax_exchange.counts_by_status(db(), current_user.region_code),
    ), (400 if errors else 200)


@bp.get("/export.xlsx")
@staff_required
def export():
    args, _raw, errors = _query()
    if args is None:
        return index()
    page = tax_exchange.submissions(db(), current_user.region_code, q=args.q, status=args.status, year=args.year, page=1, per_page=5000)
    data = tax_workbook(page.items, f"{current_user.display_name or current_user.login} 发送税务查询")
    return downloads.xlsx(data, "发送税务查询.xlsx")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
