"""单位注销安置登记 (002's reviewer tab; 001/002's 下载注销业务申请书): the unit picks a year
it has a certification case for, sees that year's requests and where each stands, and
ends one placed person's placement from a month on (离职, 退休, 死亡, 其他) or its whole
registration of the year (单位注销, 单位合并或分立, 其他), with the signed and stamped
注销业务申请书 (printable here, filled in with the year's persons) and the proof; a
returned request shows its form again, prefilled (补正).

The reviewers and supervisors have the jurisdiction's list (search, status, paging,
Excel) and each request's page; they decide on it in the 审批 step of their inbox.
Another unit's request, or another jurisdiction's, is the same 404 as a missing one."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from casework import documents, placement_end, uploads
from casework import placement_end_review as review
from casework.cases import case_of, years_of
from casework.exports import table_workbook, when
from casework.models import PlacementEnd, Unit
from casework.models.placement_end import (
    PERSON,
    PERSON_REASONS,
    SCOPES,
    STATUS_HELP,
    STATUS_NAMES,
    UNIT,
    UNIT_REASONS,
)
from casework.placements import people_of
from casework.schemas import parse
from casework.schemas.placement_end import PlacementEndInput
from casework.schemas.placement_end_answers import PlacementEndListQuery
from domain.id_number import mask_id_number
from webapp import downloads
from webapp.applications import filled, submit_posted, year_of
from webapp.auth import role_required
from webapp.context import employer_required, employer_unit, ip, parsed_args
from webapp.extensions import db, system

bp = Blueprint("placement_end", __name__, url_prefix="/placement-end")
staff_bp = Blueprint("placement_end_review", __name__, url_prefix="/review/placement-ends")

UPLOAD_KIND = "placement_end_material"
FIELDS = ("scope", "placement_id", "reason", "ended_on", "from_month", "note")
NEW = "new"  # the key of the form for a new request (a returned one's key is its id)
LIST_COLUMNS = (
    ("序号", 6), ("用人单位", 34), ("统一社会信用代码", 22), ("业务年度", 10), ("注销范围", 14), ("安置人员", 12),
    ("身份证号", 22), ("注销原因", 12), ("注销日期", 12), ("注销起始月份", 12), ("提交人", 14), ("提交时间", 18),
    ("审核状态", 10), ("不再计入的月份数", 14), ("已更正报送税务", 12),
)


def _blank() -> dict:
    return {name: "" for name in FIELDS} | {"attachment_ids": []}


def _form_of(end: PlacementEnd) -> dict:
    return {
        "scope": end.scope, "placement_id": str(end.placement_id or ""), "reason": end.reason,
        "ended_on": end.ended_on.isoformat(), "from_month": str(end.from_month), "note": end.note,
        "attachment_ids": list(end.attachment_ids or []),
    }  # fmt: skip


def _render(unit: Unit, year: int | None, errors: dict | None = None, data: dict | None = None,
            errors_for: int | str = NEW, status: int = 200):
    session = db()
    years = years_of(session, unit.id)
    if year not in years:
        year = years[0] if years else None
    case = case_of(session, unit.id, year) if year is not None else None
    rows = placement_end.ends_of(session, unit.id, year) if year is not None else []
    persons, can_end_unit = review.endable(session, case, rows) if case is not None else ([], False)
    forms: dict = {e.id: _form_of(e) for e in rows if review.can_correct(session, e)}
    forms[NEW] = _blank()
    if data is not None:
        forms[errors_for] = _blank() | data
    return render_template(
        "placement_end/index.html", unit=unit, years=years, year=year, rows=rows, persons=persons,
        can_end_unit=can_end_unit, forms=forms, errors_for=errors_for, errors=errors or {},
        files={key: uploads.attachments_of(session, f["attachment_ids"], unit.id) for key, f in forms.items()},
        history={e.id: review.decisions_of(session, e) for e in rows}, scopes=SCOPES, person=PERSON, whole_unit=UNIT,
        person_reasons=PERSON_REASONS, unit_reasons=UNIT_REASONS, statuses=STATUS_NAMES, status_help=STATUS_HELP,
        mask=mask_id_number, limit_region=unit.cdpf_region,
    ), status


@bp.get("/")
@employer_required
def index():
    return _render(employer_unit(), year_of(request.args.get("year")))


def _submit(end_id: int | None):
    unit = employer_unit()
    end = None
    if end_id is not None:
        end = db().get(PlacementEnd, end_id)
        if end is None or end.unit_id != unit.id:
            abort(404)
    year = end.year if end is not None else year_of(request.form.get("year"))
    if year is None or year not in years_of(db(), unit.id):
        flash("业务年度有误，请重新选择", "error")
        return redirect(url_for("placement_end.index"))
    data: dict = {name: request.form.get(name, "").strip() for name in FIELDS}
    if end is not None:  # who it is about stays: the 补正 form shows it, does not ask it
        data["scope"], data["placement_id"] = end.scope, str(end.placement_id or "")
    if data["scope"] != PERSON:
        data["placement_id"] = ""

    def send(parsed: PlacementEndInput) -> None:
        if end is not None:
            placement_end.correct(db(), system(), current_user, end, parsed, ip())
        else:
            placement_end.apply(db(), system(), current_user, unit, year, parsed, ip=ip())

    return submit_posted(
        unit, data, kind=UPLOAD_KIND, send=send,
        parse_body=lambda body: parse(PlacementEndInput, filled(body), strict=False),
        render=lambda errors, body: _render(
            db().get(Unit, unit.id), year, errors, body, end_id if end_id is not None else NEW, 400
        ),
        done="注销安置登记申请已重新提交，等待残联初审" if end is not None else "注销安置登记申请已提交，等待残联初审",
        back=url_for("placement_end.index", year=year),
    )


@bp.post("/")
@employer_required
def submit():
    return _submit(None)


@bp.post("/<int:end_id>/correction")
@employer_required
def correction(end_id: int):
    return _submit(end_id)


@bp.get("/form.pdf")
@employer_required
def form_pdf():
    """下载注销业务申请书 of a year: the unit and the year's placed persons filled in."""
    unit = employer_unit()
    years = years_of(db(), unit.id)
    year = year_of(request.args.get("year"))
    if year not in years:
        year = years[0] if years else None
    case = case_of(db(), unit.id, year) if year is not None else None
    if case is None:
        flash("本单位尚未开始年审申报，没有可注销的安置登记", "error")
        return redirect(url_for("placement_end.index"))
    data = documents.deregistration_pdf(case, people_of(db(), case.id))
    return downloads.pdf(data, f"注销业务申请书_{case.year}.pdf")


# -- the reviewers' and supervisors' list ------------------------------------------------------
reviewer_required = role_required(*review.STAFF_ROLES)  # 残联业务人员 and 业务主管 only: a window clerk or process owner gets 403


def _requests(args: PlacementEndListQuery, page: int, per_page: int):
    return review.requests(db(), current_user, q=args.q, status=args.status, year=args.year, page=page,
                           per_page=per_page)


@staff_bp.get("/")
@reviewer_required
def staff_index():
    args, raw, errors = parsed_args(PlacementEndListQuery, request.args)
    page = _requests(args, args.page, args.per_page) if args is not None else None
    query = {k: v for k, v in raw.items() if k != "page"}
    return render_template(
        "placement_end/staff_list.html", page=page, query=query, errors=errors, statuses=STATUS_NAMES,
        status_help=STATUS_HELP, counts=review.counts_by_status(db(), current_user), mask=mask_id_number,
    ), (400 if errors else 200)


@staff_bp.get("/export.xlsx")
@reviewer_required
def staff_export():
    args, _raw, _errors = parsed_args(PlacementEndListQuery, request.args)
    if args is None:
        return staff_index()
    page = _requests(args, 1, 5000)
    rows = (
        [i, unit.name, unit.credit_code, e.year, e.scope_name, e.person_name or "—",
         mask_id_number(e.id_number) if e.id_number else "—", e.reason, e.ended_on.isoformat(), f"{e.from_month}月",
         e.filed_by, when(e.filed_at), e.status_name, e.removed_month_count, "是" if e.tax_corrected else "否"]
        for i, (e, unit) in enumerate(page.items, start=1)
    )  # fmt: skip
    title = f"{current_user.display_name or current_user.login} 单位注销安置登记"
    data = table_workbook(title, "单位注销安置登记", LIST_COLUMNS, rows)
    return downloads.xlsx(data, "单位注销安置登记.xlsx")


@staff_bp.get("/<int:end_id>")
@reviewer_required
def staff_detail(end_id: int):
    end = review.for_staff(db(), current_user, end_id)
    return render_template("placement_end/staff_detail.html", placement_end=review.review_material(db(), end))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.register_blueprint(staff_bp)
