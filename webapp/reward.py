"""超比例奖励申请 (002, 网报系统 第一种申请方式): the unit picks a certified 业务年度, sees
the figures the system computed (超比例奖励信息), adds its documents and the payee
(银行卡信息) and submits; then it follows the application (待初审 → 待复审 → 复审通过, or
退回补正 with the form again, or 审核不通过) and downloads the signed 奖励审核认定书.

Uploaded files are stored (and committed) before the rest is checked, so a form refused
for a field keeps them: the page lists them again as kept files."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for

from casework import documents, uploads
from casework import reward_applications as rewards
from casework.cases import years_of
from casework.models import IssuedCertificate, Unit
from casework.models.issued_certificate import VALID
from casework.models.reward import APPROVED, STATUS_HELP, STATUS_NAMES
from casework.reward_overview import coefficient, default_year, money, overview, persons
from casework.schemas import parse
from casework.schemas.reward_application import RewardApplicationInput
from webapp import downloads
from webapp.applications import one_a_year, submit_posted, year_of
from webapp.context import employer_required, employer_unit
from webapp.extensions import db, system
from webapp.verify import verify_url

bp = Blueprint("reward", __name__, url_prefix="/reward")

FIELDS = ("payee_name", "payee_account", "payee_bank")
UPLOAD_KIND = "reward_material"


def _render(unit: Unit, year: int | None, errors: dict | None = None, data: dict | None = None, status: int = 200):
    session = db()
    years = years_of(session, unit.id)
    if year not in years:
        year = default_year(session, unit, years)
    found = overview(session, unit, year) if year is not None else None
    form = {"payee_name": unit.name or "", "payee_account": "", "payee_bank": "", "attachment_ids": []}
    if found is not None and found.application is not None:
        application = found.application
        form.update(payee_name=application.payee_name, payee_account=application.payee_account,
                    payee_bank=application.payee_bank, attachment_ids=list(application.attachment_ids or []))
    if data:
        form.update(data)
    files = uploads.attachments_of(session, form["attachment_ids"], unit.id)
    documents_of = uploads.attachments_of(session, found.application.attachment_ids, unit.id) if found and found.application else []
    return render_template(
        "reward/index.html", unit=unit, years=years, year=year, found=found, form=form, files=files,
        application_files=documents_of, errors=errors or {}, statuses=STATUS_NAMES, status_help=STATUS_HELP,
        money=money, persons=persons, coefficient=coefficient,
        limit_region=unit.cdpf_region,
    ), status


@bp.get("/")
@employer_required
def index():
    unit = employer_unit()
    return _render(unit, year_of(request.args.get("year")))


def _submit(correcting: bool):
    unit = employer_unit()
    year = year_of(request.form.get("year"))
    if year is None or year not in years_of(db(), unit.id):
        flash("业务年度有误，请重新选择", "error")
        return redirect(url_for("reward.index"))
    data: dict = {name: request.form.get(name, "").strip() for name in FIELDS}

    return submit_posted(
        unit, data, kind=UPLOAD_KIND, send=one_a_year(rewards, unit, year, correcting),
        parse_body=lambda body: parse(RewardApplicationInput, body, strict=False),
        render=lambda errors, body: _render(db().get(Unit, unit.id), year, errors, body, 400),
        done="超比例奖励申请已重新提交，等待残联初审" if correcting else "超比例奖励申请已提交，等待残联初审",
        back=url_for("reward.index", year=year),
    )


@bp.post("/")
@employer_required
def submit():
    return _submit(correcting=False)


@bp.post("/correction")
@employer_required
def correction():
    return _submit(correcting=True)


@bp.get("/<int:year>/certificate.pdf")
@employer_required
def certificate_pdf(year: int):
    """下载奖励审核认定书: the unit's own approved application's, signed."""
    unit = employer_unit()
    application = rewards.application_of(db(), unit.id, year)
    certificate = (
        db().get(IssuedCertificate, application.certificate_id)
        if application is not None and application.status == APPROVED and application.certificate_id else None
    )
    if certificate is None or certificate.unit_id != unit.id or certificate.status != VALID:
        flash("该年度没有可下载的奖励审核认定书（复审通过后方可下载）", "error")
        return redirect(url_for("reward.index", year=year))
    now = system().runtime.clock.now()
    data = documents.signed_reward_certificate_pdf(certificate, verify_url(certificate.token), system().settings, now)
    return downloads.pdf(data, f"奖励审核认定书_{certificate.number}.pdf")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
