"""安置残疾大学生申请, the employer's API (002's menu): the year's placed persons and
applications (`GET /graduates`); 提交 for one person (`POST /graduates`, 201); 补正 after
退回补正 (`POST /graduates/{id}/correction`). The same commands and rules as the page
(webapp.graduates): the body is `GraduateSubsidyInput`; documents are uploaded first
through `POST /api/v1/attachments` (kind graduate_material) and named by `attachment_ids`."""

from __future__ import annotations

from flask import jsonify

from casework import graduate_subsidy
from casework.cases import case_of, years_of
from casework.graduate_review import can_correct, decisions_of
from casework.models import GraduateSubsidy
from casework.placements import people_of
from casework.schemas.graduate_answers import GraduateQuery, GraduateState, GraduateYear
from casework.schemas.graduate_subsidy import GraduateSubsidyInput
from domain.errors import Conflict, DomainError, NotFound
from webapp.api import api_user, bp, login_required, spec
from webapp.api.applications import decisions_json, unit_year
from webapp.context import employer_unit
from webapp.extensions import client_ip, db, system

TAGS = ("安置残疾大学生申请",)
employer_only = login_required("employer")


def _application_json(grad: GraduateSubsidy) -> dict:
    return {
        "id": grad.id, "year": grad.year, "placement_id": grad.placement_id, "person_name": grad.person_name,
        "school": grad.school, "major": grad.major, "education": grad.education, "degree": grad.degree,
        "graduated_on": grad.graduated_on.isoformat(), "diploma_no": grad.diploma_no, "months": grad.months,
        "standard": format(grad.standard, "f"), "amount": format(grad.amount, "f"),
        "attachment_ids": list(grad.attachment_ids or []), "status": grad.status, "status_name": grad.status_name,
        "can_correct": can_correct(db(), grad),
        "decisions": decisions_json(decisions_of(db(), grad)),
    }  # fmt: skip


def _state(year: int | None) -> dict:
    unit, years, year = unit_year(year)
    body: dict = {"year": year, "years": years, "persons": [], "applications": []}
    if year is None:
        return body
    applications = graduate_subsidy.applications_of(db(), unit.id, year)
    applied = {a.placement_id for a in applications}
    case = case_of(db(), unit.id, year)
    body["persons"] = [
        {"placement_id": p.id, "name": p.name, "confirmed_months": p.confirmed_months}
        for p in people_of(db(), case.id) if p.id not in applied
    ]
    body["applications"] = [_application_json(a) for a in applications]
    return body


@bp.get("/graduates")
@employer_only
@spec.declare(tags=TAGS, query=GraduateQuery, answer=GraduateState, errors=(400, 401, 403, 404, 429))
def graduates_state():
    """本单位的安置残疾大学生申请（某业务年度）

    列出本年度尚未申请的安置人员和已提交的申请（审核状态、金额、审核记录）。year省略时取本单位最近有年审记录的年度；没有该年度的年审记录时为404。仅用人单位。"""
    return jsonify(_state(spec.query().year))


@bp.post("/graduates")
@employer_only
@spec.declare(tags=TAGS, query=GraduateYear, json=GraduateSubsidyInput, ok=201, answer=GraduateState,
              answer_description="已提交，等待初审", errors=(400, 401, 403, 404, 409, 429))  # fmt: skip
def apply_graduate_subsidy():
    """提交安置残疾大学生申请

    为本年度的一名安置人员（placement_id）申请：毕业院校、专业、学历、学位、毕业时间（不晚于今天，5年以内）、学历证书编号、当年就业月数（省略时取安置确认月数）和学历学位证书（先经POST /api/v1/attachments上传，kind为graduate_material，至少一份）。补贴金额 = 省级参数“安置残疾大学生补贴标准” × 月数 ÷ 12。每人每个年度只能申请一次，已申请时为409。输入有误时为400，fields逐字段给出中文提示。仅用人单位。"""
    year = spec.query().year
    data: GraduateSubsidyInput = spec.body()
    unit = employer_unit(api_user())
    if year not in years_of(db(), unit.id):
        raise DomainError(f"本单位尚未开始{year}年度的年审认证，请先进入年审申报后再申请", "year")
    graduate_subsidy.apply(db(), system(), api_user(), unit, year, data, ip=client_ip())  # 409: applied already
    db().commit()
    return jsonify(_state(year)), 201


@bp.post("/graduates/<int:graduate_id>/correction")
@employer_only
@spec.declare(tags=TAGS, json=GraduateSubsidyInput, answer=GraduateState,
              answer_description="已重新提交，等待初审", errors=(400, 401, 403, 404, 409, 429))  # fmt: skip
def correct_graduate_subsidy(graduate_id: int):
    """补正：重新提交被退回的安置残疾大学生申请

    初审退回补正后，按退回理由修改并重新提交（不能更换人员），重新进入初审。申请不存在或不属于本单位时为404，不在“退回补正”状态时为409。仅用人单位。"""
    data: GraduateSubsidyInput = spec.body()
    unit = employer_unit(api_user())
    grad = db().get(GraduateSubsidy, graduate_id)
    if grad is None or grad.unit_id != unit.id:
        raise NotFound("未找到该申请")
    if not can_correct(db(), grad):
        raise Conflict("该申请当前不是“退回补正”状态，不能修改")
    try:
        graduate_subsidy.correct(db(), system(), api_user(), grad, data, client_ip())
    except DomainError:
        db().rollback()
        raise
    db().commit()
    return jsonify(_state(grad.year))
