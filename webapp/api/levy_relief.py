"""缓减免申请, the employer's API (001's menu; 财税〔2015〕72号 第二十一条): the year's
application and where it stands (`GET /levy/relief`); 提交 (`POST /levy/relief`, 201); 补正
after 退回补正 (`POST /levy/relief/correction`). The same commands and rules as the page
(webapp.relief): the body is `LevyReliefInput`; files are uploaded first through
`POST /api/v1/attachments` (kind relief_material) and named by `attachment_ids`."""

from __future__ import annotations

from flask import jsonify

from casework import levy_relief
from casework.cases import years_of
from casework.models import LevyRelief
from casework.models.levy_relief import STATUS_HELP
from casework.relief_review import asked, can_correct, decisions_of
from casework.schemas.levy_relief import LevyReliefInput
from casework.schemas.levy_relief_answers import LevyReliefQuery, LevyReliefState, LevyReliefYear
from domain.errors import Conflict, DomainError, FieldErrors, NotFound
from webapp.api import api_user, bp, login_required, spec
from webapp.api.applications import at, decisions_json, unit_year
from webapp.context import employer_unit
from webapp.extensions import client_ip, db, system

TAGS = ("缓减免申请",)
employer_only = login_required("employer")
NO_CASE = "本单位尚无按比例就业情况联网认证记录，请先进入年审申报后再申请缓减免"


def _application_json(relief: LevyRelief) -> dict:
    return {
        "id": relief.id, "year": relief.year, "kind": relief.kind, "kind_name": relief.kind_name,
        "reason": relief.reason, "levy_due": format(relief.levy_due, "f"),
        "amount": format(relief.amount, "f") if relief.amount is not None else None,
        "defer_months": relief.defer_months, "asked": asked(relief),
        "attachment_ids": list(relief.attachment_ids or []), "status": relief.status,
        "status_name": relief.status_name, "status_help": STATUS_HELP.get(relief.status, ""),
        "filed_at": at(relief.filed_at), "can_correct": can_correct(db(), relief), "granted": relief.granted,
        "defer_until": relief.defer_until.isoformat() if relief.defer_until else None,
        "decisions": decisions_json(decisions_of(db(), relief)),
    }  # fmt: skip


def _state(year: int | None) -> dict:
    unit, years, year = unit_year(year)
    body: dict = {"year": year, "years": years, "can_apply": False, "refusal": None, "application": None}
    if year is None:
        body["refusal"] = NO_CASE
        return body
    relief = levy_relief.application_of(db(), unit.id, year)
    body["can_apply"] = relief is None
    body["application"] = _application_json(relief) if relief is not None else None
    return body


@bp.get("/levy/relief")
@employer_only
@spec.declare(tags=TAGS, query=LevyReliefQuery, answer=LevyReliefState, errors=(400, 401, 403, 404, 429))
def levy_relief_state():
    """本单位的残保金缓减免申请（某业务年度）

    未申请时can_apply为true；已申请时给出申请内容、审核状态及说明、证明材料、审核记录（初审、复审）和批准结果。year省略时取本单位最近有年审记录的年度；本单位没有该年度的年审记录时为404。仅用人单位。"""
    query: LevyReliefQuery = spec.query()
    return jsonify(_state(query.year))


@bp.post("/levy/relief")
@employer_only
@spec.declare(tags=TAGS, query=LevyReliefYear, json=LevyReliefInput, ok=201, answer=LevyReliefState,
              answer_description="已提交，等待初审", errors=(400, 401, 403, 404, 409, 429))  # fmt: skip
def apply_levy_relief():
    """提交残保金缓减免申请

    依据《残疾人就业保障金征收使用管理办法》第二十一条：遭受不可抗力自然灾害或其他突发事件造成重大直接经济损失的，可申请缓缴（kind=defer，defer_months为1至6个月）、减缴（kind=reduce，amount不超过应缴残保金金额levy_due）或免缴（kind=exempt，免缴金额为levy_due全额）。须附证明材料（先经POST /api/v1/attachments上传，kind为relief_material）。year须为本单位有年审记录的年度，否则为400；每个年度只能申请一次，已申请时为409。输入有误时为400，fields逐字段给出中文提示。仅用人单位。"""
    year = spec.query().year
    data: LevyReliefInput = spec.body()
    unit = employer_unit(api_user())
    if year not in years_of(db(), unit.id):
        raise DomainError(f"本单位尚未开始{year}年度的年审认证，请先进入年审申报后再申请缓减免", "year")
    try:
        levy_relief.apply(db(), system(), api_user(), unit, year, data, ip=client_ip())
    except (FieldErrors, NotFound):
        db().rollback()
        raise
    except DomainError as exc:
        db().rollback()
        if levy_relief.application_of(db(), unit.id, year) is not None:
            raise Conflict(exc.message) from None
        raise
    db().commit()
    return jsonify(_state(year)), 201


@bp.post("/levy/relief/correction")
@employer_only
@spec.declare(tags=TAGS, query=LevyReliefYear, json=LevyReliefInput, answer=LevyReliefState,
              answer_description="已重新提交，等待初审", errors=(400, 401, 403, 404, 409, 429))  # fmt: skip
def correct_levy_relief():
    """补正：重新提交被退回的缓减免申请

    初审退回补正后，按退回理由修改申请内容或补充证明材料并重新提交，重新进入初审；规则同提交。该年度没有申请时为404，申请不在“退回补正”状态时为409。仅用人单位。"""
    year = spec.query().year
    data: LevyReliefInput = spec.body()
    unit = employer_unit(api_user())
    relief = levy_relief.application_of(db(), unit.id, year)
    if relief is None:
        raise NotFound(f"本单位{year}年度没有缓减免申请")
    if not can_correct(db(), relief):
        raise Conflict("该申请当前不是“退回补正”状态，不能修改")
    try:
        levy_relief.correct(db(), system(), api_user(), relief, data, client_ip())
    except DomainError:
        db().rollback()
        raise
    db().commit()
    return jsonify(_state(year))
