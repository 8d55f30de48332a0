"""残保金计算器 (001 §5): public; computed on the server by `domain.levy`.

The page takes 001's inputs (monthly wage, person-months by grade, ratio in %) and turns
them into the levy input (annual wage, ratio as a fraction); the levy, the relief rate
and the exemption come from the dated national/province parameters.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask import Blueprint, Flask, render_template, request
from flask_login import current_user

from casework.levy_relief import granted_for
from casework.schemas import parse
from casework.schemas.levy import LevyEstimateInput, LevyPageInput
from casework.units import get_unit
from domain.errors import DomainError, FieldErrors
from domain.levy import LevyResult, estimate_levy, estimate_savings
from domain.params import params_for, social_average_wage
from webapp.extensions import db, system
from webapp.forms import LevyForm, attach_errors

bp = Blueprint("calculator", __name__)

# declaration field → form field, and how the page names it
FIELD_MAP = {
    "year": "year",
    "staff_count": "staff_count",
    "avg_annual_wage": "avg_monthly_wage",
    "social_avg_annual_wage": "social_avg_annual_wage",
    "severe_person_months": "severe_months",
    "other_person_months": "other_months",
    "ratio": "ratio_percent",
    "is_enterprise": "is_enterprise",
}
PAGE_LABELS = {
    "staff_count": "单位员工人数",
    "avg_annual_wage": "单位月平均工资",
    "ratio": "残疾人安置比例",
    "severe_person_months": "1–2级伤残人月数",
    "other_person_months": "3–4级伤残人月数",
}


@dataclass(frozen=True)
class Outcome:
    result: LevyResult
    staff_count: int
    ratio_percent: Decimal
    severe: int
    other: int
    monthly_wage: Decimal
    capped: bool
    savings: Decimal | None
    disabled_wage: Decimal | None
    severe_cost: Decimal | None
    other_cost: Decimal | None


def _unit_defaults(form: LevyForm, year: int) -> tuple[str | None, str]:
    """Prefill from the signed-in employer's unit; its 残联主管部门 region and a note."""
    note = ""
    if (
        not current_user.is_authenticated
        or current_user.role != "employer"
        or current_user.unit_id is None
    ):
        return None, note
    unit = get_unit(db(), current_user.unit_id)
    if not form.unit_name.data:
        form.unit_name.data = unit.name
    if not form.staff_count.data and unit.staff_last_year:
        form.staff_count.data = str(unit.staff_last_year)
    submitted = "is_enterprise" in request.args  # the form's own select: the user has calculated
    if not submitted:
        form.is_enterprise.data = "1" if unit.nature == "企业" else "0"
    # prefilled on the first visit only: a figure the user cleared stays cleared ("不填则不封顶")
    if not submitted and not form.social_avg_annual_wage.data:
        # the latest published figure: the year itself, else one of the two before it
        for candidate in (year, year - 1, year - 2):
            with suppress(DomainError):
                wage = social_average_wage(unit.cdpf_region, candidate, system().today())
                form.social_avg_annual_wage.data = f"{wage:.0f}"
                note = f"已按{candidate}年当地社会平均工资预填，可修改"
                break
    return unit.cdpf_region, note


def _relief_notice(year_text: str | None) -> str:
    """For a signed-in employer whose unit was granted 缓减免 for the year shown, what was
    granted (the public calculator shows nothing of any unit)."""
    if not current_user.is_authenticated or current_user.role != "employer" or current_user.unit_id is None:
        return ""
    text = (year_text or "").strip()
    if not text.isdigit() or len(text) != 4:
        return ""
    granted = granted_for(db(), current_user.unit_id, int(text))
    return f"本单位{text}年度缓减免申请已批准：{granted.granted}" if granted is not None else ""


NEUTRAL = {"unit_name": "-", "avg_monthly_wage": "0"}  # stand-ins for wrong required fields


def _page_values(form: LevyForm) -> tuple[LevyPageInput, dict[str, str]]:
    """The page's own fields by their declaration; problems keyed by form field."""
    raw = {
        "unit_name": form.unit_name.data,
        "avg_monthly_wage": form.avg_monthly_wage.data,
        "social_avg_annual_wage": form.social_avg_annual_wage.data,
        "ratio_percent": form.ratio_percent.data,
        "disabled_monthly_wage": form.disabled_monthly_wage.data,
    }
    try:
        return parse(LevyPageInput, raw, strict=False), {}
    except FieldErrors as exc:
        # the valid fields still take part (all problems are shown at once)
        stand_in = {k: NEUTRAL.get(k) for k in exc.errors}
        partial = parse(LevyPageInput, {**raw, **stand_in}, strict=False)
        return partial.model_copy(update={k: None for k in exc.errors}), dict(exc.errors)


def _levy_request(form: LevyForm, page: LevyPageInput, region: str | None) -> dict:
    """The estimate request from the page: a yearly wage and a fraction (the page asks for
    a monthly wage and percent); 001's calculator has no cap, so without a social average
    wage none is applied."""
    data: dict = {
        "year": form.year.data,
        "staff_count": form.staff_count.data,
        "severe_person_months": form.severe_months.data or "0",
        "other_person_months": form.other_months.data or "0",
        "is_enterprise": form.is_enterprise.data == "1",
        "region_code": region,
    }
    monthly = _number(page.avg_monthly_wage)
    if monthly is not None:
        data["avg_annual_wage"] = str(monthly * 12)
    social = _number(page.social_avg_annual_wage)
    data["social_avg_annual_wage"] = str(social) if social else (
        str(monthly * 12) if monthly and monthly > 0 else "1"
    )
    percent = _number(page.ratio_percent)
    if percent is not None:
        data["ratio"] = str(percent / 100)
    return data


def _number(value: object) -> Decimal | None:
    """A validated page figure as the Decimal it was typed as (90000.33, not its float)."""
    return Decimal(str(value)) if isinstance(value, int | float) else None


def _validated(data: dict, errors: dict[str, str]) -> LevyEstimateInput | None:
    """The request checked by the API's declaration; its messages go to the form fields."""
    try:
        return parse(LevyEstimateInput, data, strict=False, labels=PAGE_LABELS)
    except FieldErrors as exc:
        for key, message in exc.errors.items():
            errors.setdefault(FIELD_MAP.get(key, key), message)
        return None


def _compute(form: LevyForm, region: str | None) -> Outcome | None:
    page, errors = _page_values(form)
    request_model = _validated(_levy_request(form, page, region), errors)
    if errors or request_model is None:
        attach_errors(form, errors)
        return None
    levy_input = request_model.levy_input()
    try:
        result = estimate_levy(levy_input)
    except DomainError as exc:
        attach_errors(form, {FIELD_MAP.get(exc.field or "", "year"): exc.message})
        return None
    monthly = levy_input.avg_annual_wage / 12
    disabled = _number(page.disabled_monthly_wage)
    severe, other = levy_input.severe_person_months, levy_input.other_person_months
    return Outcome(
        result=result,
        staff_count=levy_input.staff_count,
        ratio_percent=(result.ratio * 100).normalize(),
        severe=severe,
        other=other,
        monthly_wage=monthly,
        capped=result.wage_base < levy_input.avg_annual_wage,
        savings=estimate_savings(severe, other, monthly, disabled)
        if disabled is not None
        else None,
        disabled_wage=disabled,
        severe_cost=(disabled * severe).quantize(Decimal("0.01")) if disabled is not None else None,
        other_cost=(disabled * other).quantize(Decimal("0.01")) if disabled is not None else None,
    )


@bp.get("/calculator")
def index():
    form = LevyForm(request.args)
    year = system().settings.business_year
    if not form.year.data:
        form.year.data = str(year)
    region, wage_note = _unit_defaults(
        form, int(form.year.data) if (form.year.data or "").isdigit() else year
    )
    try:
        default_ratio = (params_for(region, date(year, 12, 31)).quota_ratio * 100).normalize()
    except DomainError:
        default_ratio = Decimal("1.5")
    if not form.ratio_percent.data:
        form.ratio_percent.render_kw = {
            **(form.ratio_percent.render_kw or {}),
            "placeholder": f"{default_ratio}",
        }
    outcome = _compute(form, region) if form.submitted() else None
    status = 400 if form.submitted() and outcome is None else 200
    return (
        render_template(
            "calculator/index.html",
            form=form,
            outcome=outcome,
            default_ratio=default_ratio,
            wage_note=wage_note,
            relief_notice=_relief_notice(form.year.data),
        ),
        status,
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
