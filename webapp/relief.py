"""缓减免申请 (001's menu, between 单位信息维护管理 and 残保金计算器): the unit picks a year it has a
certification case for and asks to defer (缓缴), reduce (减缴) or be exempted from (免缴) that
year's 残保金 under 财税〔2015〕72号 第二十一条, with its reason, the levy as it stands and
its documents; then it follows the application (待初审 → 待复审 → 已批准, or 退回补正 with the
form again prefilled, or 未批准) and reads what was granted.

Uploaded files are stored (and committed) before the rest is checked, so a form refused
for a field keeps them: the page lists them again as kept files (ticked)."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for

from casework import levy_relief, uploads
from casework.cases import years_of
from casework.models import Unit
from casework.models.levy_relief import (
    DEFER,
    EXEMPT,
    KIND_NAMES,
    MAX_DEFER_MONTHS,
    REDUCE,
    STATUS_HELP,
    STATUS_NAMES,
)
from casework.relief_review import asked, can_correct, decisions_of, money
from casework.schemas import parse
from casework.schemas.levy_relief import LevyReliefInput
from webapp.applications import one_a_year, submit_posted, year_of
from webapp.context import employer_required, employer_unit
from webapp.extensions import db

bp = Blueprint("relief", __name__, url_prefix="/relief")

UPLOAD_KIND = "relief_material"
KIND_HELP = {
    DEFER: "暂缓缴纳本年度保障金，缓缴期限最长不超过6个月",
    REDUCE: "减少缴纳部分保障金，减缴金额最高不超过1年的保障金应缴额",
    EXEMPT: "免缴本年度全部应缴保障金（即1年的保障金应缴额）",
}
ARTICLE = ("依据《残疾人就业保障金征收使用管理办法》（财税〔2015〕72号）第二十一条：用人单位遇不可抗力自然灾害"
           "或其他突发事件遭受重大直接经济损失，可以申请减免或者缓缴保障金。减免最高不超过1年的保障金应缴额，"
           "缓缴最长不超过6个月。")


def _form_of(relief) -> dict:
    return {
        "kind": relief.kind, "reason": relief.reason, "levy_due": format(relief.levy_due, "f"),
        "amount": format(relief.amount, "f") if relief.kind == REDUCE and relief.amount is not None else "",
        "defer_months": str(relief.defer_months or ""), "attachment_ids": list(relief.attachment_ids or []),
    }


def _render(unit: Unit, year: int | None, errors: dict | None = None, data: dict | None = None, status: int = 200):
    session = db()
    years = years_of(db(), unit.id)
    if year not in years:
        year = years[0] if years else None
    relief = levy_relief.application_of(session, unit.id, year) if year is not None else None
    correcting = relief is not None and can_correct(session, relief)
    form = {"kind": "", "reason": "", "levy_due": "", "amount": "", "defer_months": "", "attachment_ids": []}
    if correcting:
        form.update(_form_of(relief))
    if data:
        form.update(data)
    return render_template(
        "relief/index.html", unit=unit, years=years, year=year, relief=relief, correcting=correcting,
        history=decisions_of(session, relief) if relief is not None else [],
        documents=uploads.attachments_of(session, relief.attachment_ids, unit.id) if relief is not None else [],
        form=form, files=uploads.attachments_of(session, form["attachment_ids"], unit.id),
        errors=errors or {}, kinds=KIND_NAMES, kind_help=KIND_HELP, article=ARTICLE, months=range(1, MAX_DEFER_MONTHS + 1),
        statuses=STATUS_NAMES, status_help=STATUS_HELP, asked=asked, money=money, limit_region=unit.cdpf_region,
    ), status


@bp.get("/")
@employer_required
def index():
    unit = employer_unit()
    return _render(unit, year_of(request.args.get("year")))


def _declared(data: dict) -> dict:
    """The form as the declaration reads it: the amount only for 减缴, the months only for
    缓缴 (a field of the other kinds is hidden and not sent on), blanks as absent."""
    body = {key: data[key] for key in ("kind", "reason", "levy_due", "attachment_ids")}
    if data["kind"] == REDUCE and data["amount"]:
        body["amount"] = data["amount"]
    if data["kind"] == DEFER and data["defer_months"]:
        body["defer_months"] = data["defer_months"]
    return body


def _submit(correcting: bool):
    unit = employer_unit()
    year = year_of(request.form.get("year"))
    if year is None or year not in years_of(db(), unit.id):
        flash("业务年度有误，请重新选择", "error")
        return redirect(url_for("relief.index"))
    data: dict = {name: request.form.get(name, "").strip()
                  for name in ("kind", "reason", "levy_due", "amount", "defer_months")}
    data["levy_due"] = data["levy_due"].replace(",", "")
    data["amount"] = data["amount"].replace(",", "")

    return submit_posted(
        unit, data, kind=UPLOAD_KIND, send=one_a_year(levy_relief, unit, year, correcting),
        parse_body=lambda body: parse(LevyReliefInput, _declared(body), strict=False),
        render=lambda errors, body: _render(db().get(Unit, unit.id), year, errors, body, 400),
        done="缓减免申请已重新提交，等待残联初审" if correcting else "缓减免申请已提交，等待残联初审",
        back=url_for("relief.index", year=year),
    )


@bp.post("/")
@employer_required
def submit():
    return _submit(correcting=False)


@bp.post("/correction")
@employer_required
def correction():
    return _submit(correcting=True)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
