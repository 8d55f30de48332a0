"""残疾人安置管理 pages (001 第二步): the list, adding a person, the wizard, re-register,
delete, 完成申报 with the pledge, and the Excel export. Views are thin: parse, call one
service, render; a DomainError re-renders the form with the user's input kept."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, render_template, request
from flask_login import current_user

from casework import cases, certificates, documents, placements, registration, uploads, verification
from casework.exports import placements_workbook
from casework.models import Attachment
from casework.models.attachment import MATERIAL_KINDS
from casework.models.placement import STATUSES
from casework.placements import EDUCATION, HOUSEHOLD_TYPES
from casework.schemas import parse
from casework.schemas.placements import MaterialChoice
from domain.errors import DomainError
from webapp import downloads
from webapp.context import back, employer_case, employer_required, fail, field_errors, form_data, ip
from webapp.extensions import db, system
from webapp.verify import verify_url

bp = Blueprint("placements", __name__, url_prefix="/placements")


@bp.before_request
def _earlier_years_are_read_only():
    """An earlier 业务年度 chosen on the 首页 is shown, never changed, from these pages."""
    from flask import redirect, url_for

    from webapp.context import viewed_year

    if request.method == "POST" and current_user.is_authenticated and viewed_year() is not None:
        flash(f"正在查看{viewed_year()}年度的申报数据，往年数据只能查看、不能修改；请在首页切换回本年度", "error")
        return redirect(url_for("placements.index"))
    return None


def _choices() -> dict:
    return {"household_types": HOUSEHOLD_TYPES, "education_options": EDUCATION}


@bp.get("/")
@employer_required
def index():
    case = employer_case()
    q = request.args.get("q", "")
    status = request.args.get("status", "")
    page = placements.list_placements(db(), case, q=q, status=status, page=request.args.get("page", 1, type=int))
    return render_template(
        "placements/index.html",
        case=case,
        summary=cases.summarize(db(), case),
        page=page,
        held=placements.end_holds(db(), list(page.items)),
        q=q,
        status=status,
        statuses=STATUSES,
        current_year=system().settings.business_year,
    )


@bp.route("/import", methods=["GET", "POST"])
@employer_required
def import_previous():
    """导入上一年申报名单 (001): pick last year's people to register again this year."""
    case = employer_case()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            imported = placements.import_previous(db(), system(), current_user, case, request.form.getlist("id_numbers"), ip())
            db().commit()
            flash(f"已导入{len(imported)}名残疾人，审核状态为“资料待完善”，请逐一完善合同、残疾证并完成人员信息校验", "success")
            return back("placements.index")
        except DomainError as exc:
            db().rollback()
            errors = field_errors(exc)
    people = placements.previous_year_people(db(), case)
    return render_template("placements/import.html", case=case, people=people, errors=errors), (400 if errors else 200)


@bp.route("/new", methods=["GET", "POST"])
@employer_required
def new():
    case = employer_case()
    errors: dict[str, str] = {}
    data = form_data() if request.method == "POST" else {}
    if request.method == "POST":
        try:
            placement = placements.add_placement(db(), system(), current_user, case, data, ip())
            db().commit()
            return back("placements.detail", placement_id=placement.id)
        except DomainError as exc:
            db().rollback()
            errors = field_errors(exc)
    steps = placements.stages(db(), system(), case)
    return render_template("placements/new.html", case=case, data=data, errors=errors, steps=steps, **_choices()), (400 if errors else 200)


@bp.get("/<int:placement_id>")
@employer_required
def detail(placement_id: int):
    case = employer_case()
    placement = placements.get_placement(db(), case, placement_id)
    return _render_detail(case, placement)


def _render_detail(case, placement, errors: dict | None = None, data: dict | None = None, status: int = 200):
    session = db()
    task = placements.current_task(session, placement)
    context = dict(
        case=case,
        placement=placement,
        task=task,
        verifying=placements.verifying(session, placement),
        errors=errors or {},
        data=data or {},
        relations=registration.RELATIONS,
        contract_types=registration.CONTRACT_TYPES,
        needs_history=registration.needs_history(case, placement),
        unit=case.unit,
        held=placements.end_holds(session, [placement]).get(placement.id),
        steps=placements.stages(session, system(), case, placement),
        **_choices(),
    )
    if (task is not None and task.form == placements.FORM_MONTHS) or placement.months:
        context["grid"] = verification.grid(case, placement)
        context["materials"] = verification.claim_materials(session, placement)
    return render_template("placements/detail.html", **context), status


def _act(placement_id: int, action, success: str):
    """Run one wizard command; on bad input show the wizard again with the errors."""
    case = employer_case()
    placement = placements.get_placement(db(), case, placement_id)
    data = form_data()
    try:
        action(case, placement, data)
        db().commit()
    except DomainError as exc:
        db().rollback()
        placement = placements.get_placement(db(), case, placement_id)
        return _render_detail(case, placement, field_errors(exc), data, 400)
    flash(success, "success")
    return back("placements.detail", placement_id=placement_id)


@bp.post("/<int:placement_id>/person")
@employer_required
def update_person(placement_id: int):
    return _act(
        placement_id,
        lambda case, p, data: placements.update_person(db(), current_user, case, p, data, ip()),
        "基本信息已保存",
    )


def uploaded_files(case, kind: str) -> list[Attachment]:
    """Store the files posted in `attachments` (checked by content) for the case's unit."""
    limit = uploads.upload_limit_bytes(case.region_code, system().today())
    stored = []
    for file in request.files.getlist("attachments"):
        if not file or not file.filename:
            continue
        stored.append(
            uploads.store_upload(
                db(), system().settings, unit_id=case.unit_id, user_id=current_user.id,
                filename=file.filename, data=file.read(), kind=kind, limit_bytes=limit,
            )
        )
    return stored


@bp.post("/<int:placement_id>/contracts")
@employer_required
def add_contract(placement_id: int):
    def action(case, p, data):
        data["attachment_ids"] = [a.id for a in uploaded_files(case, "contract")]
        registration.save_contract(db(), current_user, case, p, data, ip=ip())

    return _act(placement_id, action, "合同已保存")


@bp.post("/<int:placement_id>/contracts/<int:contract_id>/delete")
@employer_required
def delete_contract(placement_id: int, contract_id: int):
    return _act(
        placement_id,
        lambda case, p, data: registration.delete_contract(db(), current_user, case, p, contract_id, ip()),
        "合同已删除",
    )


@bp.post("/<int:placement_id>/certificates")
@employer_required
def add_certificate(placement_id: int):
    def action(case, p, data):
        data["attachment_ids"] = [a.id for a in uploaded_files(case, "certificate")]
        registration.add_certificate(db(), current_user, case, p, data, ip())

    return _act(placement_id, action, "残疾证已添加，需经残联审核")


@bp.post("/<int:placement_id>/certificates/<int:certificate_id>/delete")
@employer_required
def delete_certificate(placement_id: int, certificate_id: int):
    return _act(
        placement_id,
        lambda case, p, data: registration.delete_certificate(db(), current_user, case, p, certificate_id, ip()),
        "残疾证已删除",
    )


@bp.post("/<int:placement_id>/submit")
@employer_required
def submit(placement_id: int):
    return _act(
        placement_id,
        lambda case, p, data: registration.submit_registration(db(), system(), current_user, case, p, ip()),
        "已提交，系统正在自动核验",
    )


@bp.post("/<int:placement_id>/materials")
@employer_required
def upload_material(placement_id: int):
    """The material is checked by the API's declaration (MaterialChoice, the part of
    MaterialInput a page posts) before any file is stored."""

    def action(case, p, data):
        material = parse(MaterialChoice, data, strict=False).material
        for att in uploaded_files(case, MATERIAL_KINDS[material]):
            verification.attach_claim_material(db(), current_user, case, p, att, material, ip())

    return _act(placement_id, action, "材料已上传")


@bp.post("/<int:placement_id>/months")
@employer_required
def submit_months(placement_id: int):
    def action(case, p, data):
        claimed = verification.submit_months(db(), system(), current_user, case, p, request.form.getlist("months"), ip())
        if claimed:
            flash("您的相关资料已保存成功，请留意残联主管部门的审核进度。", "info")

    return _act(placement_id, action, "人员信息校验已保存")


@bp.post("/<int:placement_id>/back")
@employer_required
def back_step(placement_id: int):
    return _act(
        placement_id,
        lambda case, p, data: verification.back_to_registration(db(), system(), current_user, case, p, ip()),
        "已返回安置登记，修改后请重新提交核验",
    )


@bp.post("/<int:placement_id>/reregister")
@employer_required
def reregister(placement_id: int):
    return _act(
        placement_id,
        lambda case, p, data: placements.re_register(db(), system(), current_user, case, p, ip()),
        "已重新登记，请重新填写相关信息",
    )


@bp.post("/<int:placement_id>/accept")
@employer_required
def accept_result(placement_id: int):
    return _act(
        placement_id,
        lambda case, p, data: placements.accept_result(db(), system(), current_user, case, p, ip()),
        "已接受审核结果，按审核有效的月份计入",
    )


@bp.post("/<int:placement_id>/delete")
@employer_required
def delete(placement_id: int):
    case = employer_case()
    placement = placements.get_placement(db(), case, placement_id)
    try:
        placements.remove_placement(db(), system(), current_user, case, placement, ip())
        db().commit()
    except DomainError as exc:
        fail(exc)
        return back("placements.index")
    flash(f"已删除安置人员“{placement.name}”", "success")
    return back("placements.index")


@bp.route("/declare", methods=["GET", "POST"])
@employer_required
def declare():
    """完成申报: read the 申报资料真实性承诺书, confirm, and the case locks."""
    case = employer_case()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            cases.complete_declaration(db(), system(), current_user, case, request.form.get("pledge_read") == "1", ip())
            db().commit()
            flash("已完成申报。三个工作日后可下载审核认定书。", "success")
            return back("placements.index")
        except DomainError as exc:
            db().rollback()
            errors = field_errors(exc)
    from domain.declaration_period import declaration_period
    from engine.clock import china_time

    period = declaration_period(case.region_code, case.year, china_time(system().runtime.clock.now()).date())
    return render_template(
        "placements/declare.html", case=case, summary=cases.summarize(db(), case), errors=errors, period=period,
    ), (400 if errors else 200)


@bp.get("/pledge.pdf")
@employer_required
def pledge_pdf():
    """下载承诺书: the pledge filled in for this unit and year, to sign at a window."""
    case = employer_case()
    return downloads.pdf(documents.pledge_pdf(case), f"申报资料真实性承诺书_{case.year}.pdf")


@bp.get("/deregistration.pdf")
@employer_required
def deregistration_pdf():
    """下载注销业务申请书: the form for ending placement registrations, with the unit and
    the year's placed persons (单位注销安置登记 offers the same for any of its years)."""
    case = employer_case()
    return downloads.pdf(documents.deregistration_pdf(case, placements.people_of(db(), case.id)), f"注销业务申请书_{case.year}.pdf")


@bp.get("/certificate.pdf")
@employer_required
def certificate_pdf():
    """下载审核认定书: the signed current certificate (issued three working days after
    完成申报 by the diagram); refused before that and once withdrawn."""
    case = employer_case()
    now = system().runtime.clock.now()
    try:
        certificate = certificates.downloadable(db(), case, now)
    except DomainError as exc:
        db().rollback()
        fail(exc)
        return back("placements.index")
    data = documents.signed_certificate_pdf(certificate, verify_url(certificate.token), system().settings, now)
    db().commit()  # a case released before certificates were recorded: its first version
    return downloads.pdf(data, f"审核认定书_{certificate.number}.pdf")


@bp.get("/export.xlsx")
@employer_required
def export():
    case = employer_case()
    data = placements_workbook(db(), case)
    return downloads.xlsx(data, f"安置人员列表_{case.year}.xlsx")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
