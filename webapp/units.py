"""单位信息维护管理 pages (001 §4), the staff's read-only unit view, attachment downloads.

An employer edits only its own unit: the unit id comes from the account, never from the
URL. Staff see units whose 残联主管部门 is in their jurisdiction.
"""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    Flask,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from casework import previews, uploads
from casework import units as unit_service
from casework.scope import reads_case_files
from domain import regions
from domain.errors import FieldErrors
from webapp.auth import employer_required, staff_required
from webapp.extensions import client_ip, db, system
from webapp.forms import RelatedUnitForm, UnitForm, attach_errors

bp = Blueprint("units", __name__)


def _unit_form(unit) -> UnitForm:
    form = UnitForm(obj=unit)
    if unit.staff_last_year is not None and not form.staff_last_year.raw_data:
        form.staff_last_year.data = str(unit.staff_last_year)
    return form


def _window_case(unit):
    """The unit's case of the business year for the staff page (None if it has none yet)."""
    from sqlalchemy import select

    from casework.cases import summarize
    from casework.models import CertificationCase

    case = db().scalar(select(CertificationCase).where(
        CertificationCase.unit_id == unit.id, CertificationCase.year == system().settings.business_year))
    return (case, summarize(db(), case)) if case is not None else (None, None)


def _page(unit, form, *, status: int = 200, readonly: bool = False):
    related = unit_service.list_related_units(db(), unit.id)
    window_case, window_summary = _window_case(unit) if readonly else (None, None)
    attachments = {r.id: uploads.attachments_of(db(), r.attachment_ids, unit.id) for r in related}
    return (
        render_template(
            "units/edit.html",
            unit=unit,
            form=form,
            related=related,
            attachments=attachments,
            readonly=readonly,
            window_case=window_case,
            window_summary=window_summary,
            business_year=system().settings.business_year,
            region_label=regions.label,
            region_tip=unit_service.REGION_TIP,
            legal_id_tip=unit_service.LEGAL_ID_TIP,
        ),
        status,
    )


@bp.route("/unit", methods=["GET", "POST"])
@employer_required
def edit():
    unit = unit_service.get_unit(db(), current_user.unit_id)
    form = _unit_form(unit)
    if request.method == "POST":
        form.validate()
        try:
            unit_service.update_unit(
                db(), unit.id, form.values(), user=current_user, ip=client_ip()
            )
        except FieldErrors as exc:
            db().rollback()
            attach_errors(form, exc.errors)
            flash("保存失败：请按提示修改标红的内容", "error")
            return _page(unit_service.get_unit(db(), current_user.unit_id), form, status=400)
        db().commit()
        flash("单位基本信息已保存", "success")
        return redirect(url_for("units.edit"))
    return _page(unit, form)


@bp.get("/units")
@staff_required
def index():
    q = (request.args.get("q") or "").strip()[:50]
    found = unit_service.units_in_jurisdiction(db(), current_user.region_code, q=q)
    return render_template(
        "units/index.html", units=found, q=q, region_label=regions.label
    )


@bp.get("/units/<int:unit_id>")
@staff_required
def view(unit_id: int):
    unit = unit_service.unit_for_staff(db(), unit_id, current_user.region_code)
    return _page(unit, _unit_form(unit), readonly=True)


@bp.post("/units/<int:unit_id>/declaration")
@staff_required
def declare_for_unit(unit_id: int):
    """窗口代办 完成申报 (003): the unit brought its signed pledge to the window; staff of
    its jurisdiction complete the declaration for it, also after the 申报期."""
    from casework import cases
    from domain.errors import DomainError

    unit = unit_service.unit_for_staff(db(), unit_id, current_user.region_code)
    case, _ = _window_case(unit)
    if case is None:
        flash("该单位本年度尚未开始申报，不能代为完成申报", "error")
        return redirect(url_for("units.view", unit_id=unit_id))
    try:
        cases.complete_declaration(db(), system(), current_user, case, request.form.get("pledge_read") == "1", client_ip())
        db().commit()
        flash(f"已代{unit.name}完成{case.year}年度申报", "success")
    except DomainError as exc:
        db().rollback()
        flash(f"未能完成申报：{exc.message}", "error")
    return redirect(url_for("units.view", unit_id=unit_id))


def _uploaded_files() -> list[tuple[str, bytes]]:
    files = []
    for storage in request.files.getlist("attachments"):
        data = storage.read()
        name = storage.filename or ""
        if not name and not data:
            continue  # an empty file input
        files.append((name, data))
    return files


def _related_page(form, related=None, status: int = 200):
    existing = (
        uploads.attachments_of(db(), related.attachment_ids, current_user.unit_id)
        if related
        else []
    )
    form.remove_attachments.choices = [SelectChoice(a.id, a.original_name) for a in existing]
    return (
        render_template(
            "units/related_form.html",
            form=form,
            related=related,
            existing=existing,
            limit_text=uploads.limit_text(
                uploads.upload_limit_bytes(
                    unit_service.get_unit(db(), current_user.unit_id).cdpf_region, system().today()
                )
            ),
        ),
        status,
    )


def _save_related(form, related_id: int | None):
    form.validate()
    try:
        unit_service.save_related_unit(
            db(),
            system().settings,
            unit_id=current_user.unit_id,
            data=form.values(),
            related_id=related_id,
            uploads_in=_uploaded_files(),
            remove_attachment_ids=form.remove_attachments.data or [],
            user=current_user,
            ip=client_ip(),
            today=system().today(),
        )
    except FieldErrors as exc:
        db().rollback()
        attach_errors(form, exc.errors)
        return None
    db().commit()
    return True


@bp.route("/unit/related/new", methods=["GET", "POST"])
@employer_required
def related_new():
    form = RelatedUnitForm()
    if request.method == "POST":
        if _save_related(form, None):
            flash("关联单位已添加", "success")
            return redirect(url_for("units.edit") + "#related")
        return _related_page(form, status=400)
    return _related_page(form)


@bp.route("/unit/related/<int:related_id>/edit", methods=["GET", "POST"])
@employer_required
def related_edit(related_id: int):
    related = unit_service.get_related_unit(db(), current_user.unit_id, related_id)
    form = RelatedUnitForm(obj=related)
    if request.method == "POST":
        if _save_related(form, related_id):
            flash("关联单位已保存", "success")
            return redirect(url_for("units.edit") + "#related")
        related = unit_service.get_related_unit(db(), current_user.unit_id, related_id)
        return _related_page(form, related, status=400)
    return _related_page(form, related)


@bp.post("/unit/related/<int:related_id>/delete")
@employer_required
def related_delete(related_id: int):
    unit_service.delete_related_unit(
        db(), current_user.unit_id, related_id, user=current_user, ip=client_ip()
    )
    db().commit()
    flash("关联单位已删除", "success")
    return redirect(url_for("units.edit") + "#related")


@bp.get("/attachments/<int:attachment_id>")
@login_required
def attachment(attachment_id: int):
    """Download: employers their own unit's files, staff those of units in their jurisdiction.

    Images open in the browser; a PDF is always a download, because a file stored before
    uploads were cleaned may still carry a script that an inline viewer would run. The
    name is cleaned again (older rows) and sent as RFC 5987 filename*; the sandbox policy
    and nosniff mean that even a mislabelled file can run nothing here."""
    found, data = uploads.read_attachment(db(), system().settings, attachment_id, **_scope())
    inline = found.mime != uploads.PDF and request.args.get("download") != "1"
    response = send_file(BytesIO(data), mimetype=found.mime, max_age=0)
    response.headers["Content-Disposition"] = uploads.content_disposition(
        found.original_name or f"附件{found.id}", found.mime, inline=inline
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    )
    return response


def _scope() -> dict:
    """Whose attachments the user may open: the own unit's, or those of the jurisdiction."""
    if current_user.role == "employer":
        if current_user.unit_id is None:
            abort(404)
        return {"unit_id": current_user.unit_id}
    if not reads_case_files(current_user):  # a window clerk: no unit's files at all
        abort(404)
    return {"region_code": current_user.region_code or ""}


@bp.get("/attachments/<int:attachment_id>/view")
@login_required
def attachment_view(attachment_id: int):
    """查看附件 in the page: an image as itself, a PDF as its pages rendered to images
    (casework.previews), so nothing is downloaded and no PDF viewer runs."""
    found, data = uploads.read_attachment(db(), system().settings, attachment_id, **_scope())
    pages = previews.page_count(data) if found.mime == uploads.PDF else 0
    return render_template("units/attachment_view.html", attachment=found, pages=pages)


@bp.get("/attachments/<int:attachment_id>/pages/<int:number>.png")
@login_required
def attachment_page(attachment_id: int, number: int):
    found, data = uploads.read_attachment(db(), system().settings, attachment_id, **_scope())
    if found.mime != uploads.PDF:
        abort(404)
    response = send_file(BytesIO(previews.page_png(data, number)), mimetype="image/png", max_age=0)
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
