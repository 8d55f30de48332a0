"""超比例奖励申请 for the staff (002 申办系统, 第二种申请方式: 窗口): a reviewer or supervisor
finds a unit of their jurisdiction by name or 统一社会信用代码, picks the 业务年度, checks
its certified disabled staff month by month and the 超比例奖励信息, adds the papers the unit
brought and the payee (银行卡信息), and 提交: the application goes to 业务主管复核 (whoever
filed it may not 复核 it: the diagram's exclude_actor). Also the jurisdiction's list of
applications, both ways of filing (查询, Excel), and each application's page.
Another jurisdiction's unit or application is the same 404 as a missing one."""

from __future__ import annotations

from flask import (
    Blueprint,
    Flask,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from casework import reward_window as window
from casework import uploads
from casework.cases import case_of, years_of
from casework.exports import table_workbook, when
from casework.models.reward import CHANNEL_NAMES, STATUS_HELP, STATUS_NAMES, WINDOW
from casework.reward_applications import application_of, apply, figures, require_eligible
from casework.reward_overview import coefficient, default_year, money, persons
from casework.schemas import parse
from casework.schemas.reward_application import RewardApplicationInput
from casework.schemas.reward_window import RewardListQuery, RewardUnitQuery, RewardYearQuery
from domain import regions
from domain.errors import DomainError, FieldErrors
from webapp import downloads
from webapp.auth import role_required
from webapp.context import field_errors, ip, parsed_args
from webapp.extensions import db, system

bp = Blueprint("reward_window", __name__, url_prefix="/review/reward")

FIELDS = ("payee_name", "payee_account", "payee_bank")
UPLOAD_KIND = "reward_material"
MAX_FILES = 20
LIST_COLUMNS = (
    ("序号", 6), ("用人单位", 34), ("统一社会信用代码", 22), ("业务年度", 10), ("申请方式", 14), ("提交人", 14),
    ("提交时间", 18), ("上年度在职职工总数", 12), ("上年度安置残疾人数", 12), ("超比例安置残疾人数", 12),
    ("超比例奖励金额（元）", 16), ("审核状态", 12),
)


filer_required = role_required(*window.FILERS)  # 残联业务人员 and 业务主管 only: a window clerk or process owner gets 403


def _helpers() -> dict:
    return {"money": money, "persons": persons, "coefficient": coefficient, "statuses": STATUS_NAMES,
            "status_help": STATUS_HELP, "channels": CHANNEL_NAMES, "region_label": regions.label,
            "month_names": window.MONTH_NAMES, "months": window.MONTHS}


# -- 超比例奖励申请查询 -------------------------------------------------------------------------
@bp.get("/")
@filer_required
def index():
    args, raw, errors = parsed_args(RewardListQuery, request.args)
    page = None
    if args is not None:
        page = window.applications(db(), current_user, q=args.q, status=args.status, channel=args.channel,
                                   year=args.year, page=args.page, per_page=args.per_page)
    query = {k: v for k, v in raw.items() if k != "page"}
    return render_template(
        "reward/window_list.html", page=page, query=query, errors=errors,
        counts=window.counts_by_status(db(), current_user), **_helpers(),
    ), (400 if errors else 200)


@bp.get("/export.xlsx")
@filer_required
def export():
    args, _raw, _errors = parsed_args(RewardListQuery, request.args)
    if args is None:
        return index()
    page = window.applications(db(), current_user, q=args.q, status=args.status, channel=args.channel,
                               year=args.year, page=1, per_page=5000)
    rows = (
        [i, unit.name, unit.credit_code, a.year, CHANNEL_NAMES.get(a.channel, a.channel), a.filed_by, when(a.filed_at),
         a.staff_count, persons(a.placed_persons), persons(a.over_persons), money(a.amount), a.status_name]
        for i, (a, unit) in enumerate(page.items, start=1)
    )
    title = f"{current_user.display_name or current_user.login} 超比例奖励申请"
    data = table_workbook(title, "超比例奖励申请", LIST_COLUMNS, rows)
    return downloads.xlsx(data, "超比例奖励申请.xlsx")


@bp.get("/<int:application_id>")
@filer_required
def detail(application_id: int):
    application = window.for_staff(db(), current_user, application_id)
    certificate = None
    if application.certificate_id:
        from casework.models import IssuedCertificate

        certificate = db().get(IssuedCertificate, application.certificate_id)
    return render_template(
        "reward/window_detail.html", reward=window.material(db(), application), certificate=certificate,
        **_helpers(),
    )


# -- 窗口申请 -----------------------------------------------------------------------------------
@bp.get("/window")
@filer_required
def search():
    args, raw, errors = parsed_args(RewardUnitQuery, request.args)
    page = None
    if args is not None:
        try:
            page = window.search_units(db(), current_user, args.q, page=args.page, per_page=args.per_page)
        except FieldErrors as exc:
            errors = exc.errors
    query = {k: v for k, v in raw.items() if k != "page"}
    return render_template(
        "reward/window.html", page=page, q=raw.get("q", ""), query=query, errors=errors, **_helpers(),
    ), (400 if errors else 200)


def _render_unit(unit_id: int, year: int | None, errors: dict | None = None, data: dict | None = None,
                 status: int = 200):
    session = db()
    unit = window.unit_of(session, current_user, unit_id)
    years = years_of(session, unit.id)
    if year not in years:
        year = default_year(session, unit, years)
    case = case_of(session, unit.id, year) if year is not None else None
    application = application_of(session, unit.id, year) if year is not None else None
    found, refusal = None, None
    if year is not None and application is None:
        try:
            found = require_eligible(figures(session, unit, year))
        except DomainError as exc:
            refusal = exc.message
            try:  # not over the quota: still show the figures that say so
                found = figures(session, unit, year)
            except DomainError:
                found = None
    form = {"payee_name": unit.name or "", "payee_account": "", "payee_bank": ""}
    form.update(data or {})
    return render_template(
        "reward/window_unit.html", unit=unit, years=years, year=year, case=case, application=application,
        people=window.certified_people(session, case) if case is not None else [], found=found, refusal=refusal,
        form=form, errors=errors or {}, **_helpers(),
    ), status


@bp.get("/window/<int:unit_id>")
@filer_required
def unit_page(unit_id: int):
    args, _raw, errors = parsed_args(RewardYearQuery, request.args)
    if args is None:
        return _render_unit(unit_id, None, errors, status=400)
    return _render_unit(unit_id, args.year)


def _stored_files(unit) -> list[int]:
    limit = uploads.upload_limit_bytes(unit.cdpf_region, system().today())
    files = [f for f in request.files.getlist("attachments") if f and f.filename]
    if len(files) > MAX_FILES:
        raise FieldErrors({"attachments": f"附件材料最多{MAX_FILES}个"})
    stored = []
    for file in files:
        try:
            stored.append(uploads.store_upload(
                db(), system().settings, unit_id=unit.id, user_id=current_user.id, filename=file.filename,
                data=file.read(), kind=UPLOAD_KIND, limit_bytes=limit,
            ).id)  # fmt: skip
        except DomainError as exc:
            raise FieldErrors({"attachments": f"{file.filename}：{exc.message}"}) from None
    return stored


@bp.post("/window/<int:unit_id>")
@filer_required
def submit(unit_id: int):
    """提交: the payee checked by the same declaration as the unit's online form, the
    papers stored (checked by content), then the application filed for the unit."""
    session = db()
    unit = window.unit_of(session, current_user, unit_id)
    args, _raw, errors = parsed_args(RewardYearQuery, request.form)
    data = {k: request.form.get(k, "") for k in FIELDS}
    if args is None or args.year is None:
        return _render_unit(unit_id, None, errors or {"year": "请选择业务年度"}, data, 400)
    try:
        payee = parse(RewardApplicationInput, data, strict=False)
        attachment_ids = _stored_files(unit)
        payee = payee.model_copy(update={"attachment_ids": attachment_ids})
        application = apply(session, system(), current_user, unit, args.year, payee, channel=WINDOW, ip=ip())
        session.commit()
    except DomainError as exc:
        session.rollback()
        return _render_unit(unit_id, args.year, field_errors(exc), data, 400)
    flash(f"已代{unit.name}提交{args.year}年度超比例奖励申请，转业务主管复核", "success")
    return redirect(url_for("reward_window.detail", application_id=application.id))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
