"""安置残疾大学生申请 (002's menu, after 超比例奖励申请): the unit picks a year it has a
certification case for, sees that year's applications (one per placed person) and where
each stands, and applies for one of its placed persons with the graduate's school, major,
学历, 学位, graduation date, diploma number, the months employed and the documents; a
returned application shows its form again, prefilled (补正).

Uploaded files are stored (and committed) before the rest is checked, so a form refused
for a field keeps them: the page lists them again as kept files (ticked)."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casework import graduate_subsidy, uploads
from casework.cases import case_of, years_of
from casework.graduate_review import can_correct, decisions_of
from casework.models import GraduateSubsidy, Unit
from casework.models.graduate_subsidy import (
    DEGREES,
    EDUCATIONS,
    MAX_YEARS_SINCE_GRADUATION,
    STATUS_HELP,
    STATUS_NAMES,
)
from casework.placements import people_of
from casework.relief_review import money
from casework.schemas import parse
from casework.schemas.graduate_subsidy import GraduateSubsidyInput
from domain.errors import NotFound
from webapp.applications import filled, submit_posted, year_of
from webapp.context import employer_required, employer_unit, ip
from webapp.extensions import db, system

bp = Blueprint("graduates", __name__, url_prefix="/graduates")

UPLOAD_KIND = "graduate_material"
FIELDS = ("placement_id", "school", "major", "education", "degree", "graduated_on", "diploma_no", "months")


def _form_of(grad: GraduateSubsidy) -> dict:
    return {
        "placement_id": str(grad.placement_id), "school": grad.school, "major": grad.major,
        "education": grad.education, "degree": grad.degree, "graduated_on": grad.graduated_on.isoformat(),
        "diploma_no": grad.diploma_no, "months": str(grad.months), "attachment_ids": list(grad.attachment_ids or []),
    }


def _render(unit: Unit, year: int | None, errors: dict | None = None, data: dict | None = None,
            correcting_id: int | None = None, status: int = 200):
    session = db()
    years = years_of(db(), unit.id)
    if year not in years:
        year = years[0] if years else None
    case = case_of(session, unit.id, year) if year is not None else None
    rows = graduate_subsidy.applications_of(session, unit.id, year) if year is not None else []
    applied = {g.placement_id for g in rows}
    persons = [p for p in people_of(session, case.id) if p.id not in applied] if case else []
    returned = [g for g in rows if can_correct(session, g)]
    form = {name: "" for name in FIELDS} | {"attachment_ids": []}
    if data:
        form.update(data)
    today = system().runtime.clock.now().date()
    standard = graduate_subsidy.standard_on(case.region_code, today) if case is not None else None
    return render_template(
        "graduates/index.html", unit=unit, years=years, year=year, rows=rows, persons=persons,
        returned={g.id: _form_of(g) for g in returned}, history={g.id: decisions_of(session, g) for g in rows},
        form=form, correcting_id=correcting_id, files=uploads.attachments_of(session, form["attachment_ids"], unit.id),
        errors=errors or {}, educations=EDUCATIONS, degrees=DEGREES, max_years=MAX_YEARS_SINCE_GRADUATION,
        statuses=STATUS_NAMES, status_help=STATUS_HELP, money=money, standard=money(standard) if standard else "",
        limit_region=unit.cdpf_region,
    ), status


@bp.get("/")
@employer_required
def index():
    return _render(employer_unit(), year_of(request.args.get("year")))


def _submit(graduate_id: int | None):
    unit = employer_unit()
    year = year_of(request.form.get("year"))
    if year is None or year not in years_of(db(), unit.id):
        flash("业务年度有误，请重新选择", "error")
        return redirect(url_for("graduates.index"))
    data: dict = {name: request.form.get(name, "").strip() for name in FIELDS}

    def send(parsed: GraduateSubsidyInput) -> None:
        if graduate_id is None:
            graduate_subsidy.apply(db(), system(), current_user, unit, year, parsed, ip=ip())
            return
        grad = db().get(GraduateSubsidy, graduate_id)
        if grad is None or grad.unit_id != unit.id:
            raise NotFound("未找到该申请")
        graduate_subsidy.correct(db(), system(), current_user, grad, parsed, ip())

    return submit_posted(
        unit, data, kind=UPLOAD_KIND, send=send,
        parse_body=lambda body: parse(GraduateSubsidyInput, filled(body), strict=False),
        render=lambda errors, body: _render(db().get(Unit, unit.id), year, errors, body, graduate_id, 400),
        done="安置残疾大学生申请已重新提交，等待残联初审" if graduate_id else "安置残疾大学生申请已提交，等待残联初审",
        back=url_for("graduates.index", year=year),
    )


@bp.post("/")
@employer_required
def submit():
    return _submit(None)


@bp.post("/<int:graduate_id>/correction")
@employer_required
def correction(graduate_id: int):
    return _submit(graduate_id)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
