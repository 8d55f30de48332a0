"""超比例奖励申请, the employer's API (002 网报系统): the year's figures or why the unit
cannot apply, and its application (`GET /reward/application`); 提交 (`POST
/reward/application`, 201); 补正 after 退回补正 (`POST /reward/application/correction`); and
the signed 奖励审核认定书 once approved. The same commands and rules as the page
(webapp.reward): the body is `RewardApplicationInput`; files are uploaded first through
`POST /api/v1/attachments` (kind reward_material) and named by `attachment_ids`."""

from __future__ import annotations

from decimal import Decimal
from io import BytesIO

from flask import jsonify, send_file

from casework import documents
from casework import reward_applications as rewards
from casework.cases import years_of
from casework.models import IssuedCertificate, RewardApplication
from casework.models.issued_certificate import VALID
from casework.models.reward import APPROVED, CHANNEL_NAMES
from casework.reward_overview import RewardOverview, default_year, overview
from casework.schemas.reward_answers import (
    EmployerRewardQuery,
    EmployerRewardYear,
    RewardApplicationState,
)
from casework.schemas.reward_application import RewardApplicationInput
from casework.task_forms import task_with_form
from domain.errors import Conflict, DomainError, FieldErrors, NotFound
from webapp.api import api_user, bp, login_required, spec
from webapp.api.applications import at, decisions_json, unit_year
from webapp.context import employer_unit
from webapp.extensions import client_ip, db, system
from webapp.verify import verify_url

TAGS = ("超比例奖励",)
employer_only = login_required("employer")
_CENT = Decimal("0.01")


def _plain(value) -> str:
    return format(value.normalize(), "f") if value is not None else ""


def _figures_json(found: rewards.RewardFigures) -> dict:
    result = found.result
    return {
        "certificate_number": found.certificate_number, "staff_count": found.staff_count,
        "placed_persons": _plain(found.placed_persons), "quota_persons": result.quota_persons,
        "over_persons": _plain(result.excess), "coefficient": _plain(result.coefficient),
        "base_amount": str(result.base.quantize(_CENT)), "amount": str(result.reward.quantize(_CENT)),
    }  # fmt: skip


def _application_json(found: RewardOverview) -> dict:
    a: RewardApplication = found.application
    certificate = found.certificate
    return {
        "id": a.id, "year": a.year, "channel": a.channel, "channel_name": CHANNEL_NAMES.get(a.channel, a.channel),
        "status": a.status, "status_name": a.status_name, "status_help": found.status_help, "filed_at": at(a.filed_at),
        "figures": {
            "certificate_number": None, "staff_count": a.staff_count, "placed_persons": _plain(a.placed_persons),
            "quota_persons": a.quota_persons, "over_persons": _plain(a.over_persons), "coefficient": _plain(a.coefficient),
            "base_amount": str(a.base_amount.quantize(_CENT)), "amount": str(a.amount.quantize(_CENT)),
        },
        "payee_name": a.payee_name, "payee_account": a.payee_account, "payee_bank": a.payee_bank,
        "attachment_ids": list(a.attachment_ids or []), "can_correct": found.can_correct,
        "decisions": decisions_json(found.decisions),
        "certificate": None if certificate is None else {
            "number": certificate.number, "issued_at": at(certificate.issued_at), "status": certificate.status,
            "verify_url": verify_url(certificate.token),
        },
    }  # fmt: skip


def _state(year: int | None) -> dict:
    unit, years, year = unit_year(year, lambda unit, years: default_year(db(), unit, years))
    body: dict = {"year": year, "years": years, "can_apply": False, "refusal": None, "refusal_field": None,
                  "figures": None, "application": None}
    if year is None:
        body["refusal"] = "本单位尚无按比例就业情况联网认证记录，取得审核认定书后方可申请超比例奖励"
        return body
    found = overview(db(), unit, year)
    body.update(can_apply=found.can_apply, refusal=found.refusal, refusal_field=found.refusal_field,
                figures=_figures_json(found.figures) if found.figures is not None else None,
                application=_application_json(found) if found.application is not None else None)
    return body


@bp.get("/reward/application")
@employer_only
@spec.declare(tags=TAGS, query=EmployerRewardQuery, answer=RewardApplicationState, errors=(400, 401, 403, 404, 429))
def reward_application():
    """本单位的超比例奖励申请（某业务年度）

    未申请时给出按当前数据计算的超比例奖励信息，或不能申请的原因（refusal，中文）；已申请时给出审核状态、提交时确定的奖励信息、收款信息和审核记录。year省略时取最近有申请的年度，其次最近可申请的年度；本单位没有该年度的年审记录时为404。仅用人单位。"""
    query: EmployerRewardQuery = spec.query()
    return jsonify(_state(query.year))


@bp.post("/reward/application")
@employer_only
@spec.declare(tags=TAGS, query=EmployerRewardYear, json=RewardApplicationInput, ok=201, answer=RewardApplicationState,
              answer_description="已提交，等待初审", errors=(400, 401, 403, 404, 409, 429))  # fmt: skip
def apply_reward():
    """提交超比例奖励申请

    year为审核认定书所属业务年度（须已取得有效审核认定书、已维护上年度职工数、安置人数超过按比例应安排人数，否则为400并给出中文原因）；超比例奖励信息由系统按认定结果和当地参数计算，单位只填收款信息和附件。每个业务年度只能申请一次，已申请时为409。仅用人单位。"""
    year = spec.query().year
    data: RewardApplicationInput = spec.body()
    unit = employer_unit(api_user())
    if year not in years_of(db(), unit.id):
        raise DomainError(f"本单位{year}年度尚未取得有效的按比例安排残疾人就业审核认定书，不能申请超比例奖励", "year")
    try:
        rewards.apply(db(), system(), api_user(), unit, year, data, ip=client_ip())
    except (FieldErrors, NotFound):
        raise
    except DomainError as exc:
        db().rollback()
        if rewards.application_of(db(), unit.id, year) is not None:
            raise Conflict(exc.message) from None
        raise
    db().commit()
    return jsonify(_state(year)), 201


@bp.post("/reward/application/correction")
@employer_only
@spec.declare(tags=TAGS, query=EmployerRewardYear, json=RewardApplicationInput, answer=RewardApplicationState,
              answer_description="已重新提交，等待初审", errors=(400, 401, 403, 404, 409, 429))  # fmt: skip
def correct_reward():
    """补正：重新提交被退回的超比例奖励申请

    初审退回补正后，按退回理由修改收款信息或附件并重新提交，重新进入初审；奖励信息按当前数据重新计算。该年度没有申请时为404，申请不在“退回补正”状态时为409。仅用人单位。"""
    year = spec.query().year
    data: RewardApplicationInput = spec.body()
    unit = employer_unit(api_user())
    application = rewards.application_of(db(), unit.id, year)
    if application is None:
        raise NotFound(f"本单位{year}年度没有超比例奖励申请")
    if task_with_form(db(), application.instance_id, rewards.FORM_CORRECT) is None:
        raise Conflict("该申请当前不是“退回补正”状态，不能修改")
    rewards.correct(db(), system(), api_user(), application, data, client_ip())
    db().commit()
    return jsonify(_state(year))


@bp.get("/reward/application/certificate.pdf")
@employer_only
@spec.declare(tags=TAGS, query=EmployerRewardYear, answer_description="PDF", errors=(400, 401, 403, 404, 409, 429))
def reward_certificate_pdf():
    """下载奖励审核认定书（PDF，附审核机构电子签章）

    复审通过后可下载；该年度没有申请时为404，尚未复审通过时为409。仅用人单位。"""
    year = spec.query().year
    unit = employer_unit(api_user())
    application = rewards.application_of(db(), unit.id, year)
    if application is None:
        raise NotFound(f"本单位{year}年度没有超比例奖励申请")
    certificate = db().get(IssuedCertificate, application.certificate_id) if application.certificate_id else None
    if application.status != APPROVED or certificate is None or certificate.status != VALID:
        raise Conflict("复审通过后方可下载奖励审核认定书")
    now = system().runtime.clock.now()
    data = documents.signed_reward_certificate_pdf(certificate, verify_url(certificate.token), system().settings, now)
    response = send_file(BytesIO(data), mimetype="application/pdf", download_name=f"reward_{certificate.number}.pdf")
    response.direct_passthrough = False
    return response
