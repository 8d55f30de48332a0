"""单位注销安置登记, the employer's API: the year's requests and whom it may still end
(`GET /placement-ends`); 提交 for a placed person or the whole unit (`POST
/placement-ends`, 201); 补正 after 退回补正 (`POST /placement-ends/{id}/correction`). The
same commands and rules as the page (webapp.placement_end): the body is
`PlacementEndInput`; the signed 注销业务申请书 and the proof are uploaded first through
`POST /api/v1/attachments` (kind placement_end_material) and named by `attachment_ids`."""

from __future__ import annotations

from flask import jsonify

from casework import placement_end
from casework import placement_end_review as review
from casework.cases import case_of, years_of
from casework.models import PlacementEnd
from casework.models.placement_end import STATUS_HELP
from casework.schemas.placement_end import PlacementEndInput
from casework.schemas.placement_end_answers import (
    PlacementEndQuery,
    PlacementEndState,
    PlacementEndYear,
)
from domain.errors import Conflict, DomainError, NotFound
from domain.id_number import mask_id_number
from webapp.api import api_user, bp, login_required, spec
from webapp.api.applications import decisions_json, unit_year
from webapp.context import employer_unit
from webapp.extensions import client_ip, db, system

TAGS = ("单位注销安置登记",)
employer_only = login_required("employer")


def _request_json(end: PlacementEnd) -> dict:
    return {
        "id": end.id, "year": end.year, "scope": end.scope, "scope_name": end.scope_name,
        "placement_id": end.placement_id, "person_name": end.person_name,
        "id_number": mask_id_number(end.id_number) if end.id_number else "", "reason": end.reason,
        "ended_on": end.ended_on.isoformat(), "from_month": end.from_month, "note": end.note,
        "attachment_ids": list(end.attachment_ids or []), "status": end.status, "status_name": end.status_name,
        "status_help": STATUS_HELP.get(end.status, ""), "months_removed": end.removed_month_count,
        "tax_corrected": bool(end.tax_corrected), "can_correct": review.can_correct(db(), end),
        "decisions": decisions_json(review.decisions_of(db(), end)),
    }  # fmt: skip


def _state(year: int | None) -> dict:
    unit, years, year = unit_year(year)
    body: dict = {"year": year, "years": years, "persons": [], "can_end_unit": False, "requests": []}
    if year is None:
        return body
    ends = placement_end.ends_of(db(), unit.id, year)
    persons, body["can_end_unit"] = review.endable(db(), case_of(db(), unit.id, year), ends)
    body["persons"] = [
        {"placement_id": p.id, "name": p.name, "id_number": mask_id_number(p.id_number),
         "registered_months": p.registered_months}
        for p in persons
    ]  # fmt: skip
    body["requests"] = [_request_json(e) for e in ends]
    return body


@bp.get("/placement-ends")
@employer_only
@spec.declare(tags=TAGS, query=PlacementEndQuery, answer=PlacementEndState, errors=(400, 401, 403, 404, 429))
def placement_ends_state():
    """本单位的单位注销安置登记（某业务年度）

    列出本年度尚可注销的安置人员（未注销、也没有待审核的注销申请）、能否申请单位整体注销，以及已提交的注销申请（审核状态、不再计入的月份数、是否已更正报送税务、审核记录）。year省略时取本单位最近有年审记录的年度；没有该年度的年审记录时为404。仅用人单位。"""
    return jsonify(_state(spec.query().year))


@bp.post("/placement-ends")
@employer_only
@spec.declare(tags=TAGS, query=PlacementEndYear, json=PlacementEndInput, ok=201, answer=PlacementEndState,
              answer_description="已提交，等待初审", errors=(400, 401, 403, 404, 409, 429))  # fmt: skip
def apply_placement_end():
    """提交单位注销安置登记申请

    scope为person时注销本年度的一名安置人员（placement_id，原因为离职、退休、死亡或其他），为unit时注销本单位本年度的全部安置人员（原因为单位注销、单位合并或分立或其他）；注销日期不晚于今天，注销起始月份为注销日期所在月或其次月（注销日期在该年度以前的为1月）。盖章的注销业务申请书和证明材料先经POST /api/v1/attachments上传（kind为placement_end_material），至少一份。审核期间安置月份照常计算；复审通过后自注销起始月份起不再计入，本年度已报送税务的向税务部门报送更正数据。同一人员（或单位整体）已有待审核的注销申请时为409。输入有误时为400，fields逐字段给出中文提示。仅用人单位。"""
    year = spec.query().year
    data: PlacementEndInput = spec.body()
    unit = employer_unit(api_user())
    if year not in years_of(db(), unit.id):
        raise NotFound(f"本单位没有{year}年度的年审记录")
    placement_end.apply(db(), system(), api_user(), unit, year, data, ip=client_ip())  # 409: one already open
    db().commit()
    return jsonify(_state(year)), 201


@bp.post("/placement-ends/<int:end_id>/correction")
@employer_only
@spec.declare(tags=TAGS, json=PlacementEndInput, answer=PlacementEndState, paths={"end_id": "注销申请编号"},
              answer_description="已重新提交，等待初审", errors=(400, 401, 403, 404, 409, 429))  # fmt: skip
def correct_placement_end(end_id: int):
    """补正：重新提交被退回的单位注销安置登记申请

    初审退回补正后，按退回理由修改注销原因、注销日期、注销起始月份、情况说明或材料并重新提交（注销范围和人员不能更换），重新进入初审。申请不存在或不属于本单位时为404，不在“退回补正”状态时为409。仅用人单位。"""
    data: PlacementEndInput = spec.body()
    unit = employer_unit(api_user())
    end = db().get(PlacementEnd, end_id)
    if end is None or end.unit_id != unit.id:
        raise NotFound("未找到该申请")
    if not review.can_correct(db(), end):
        raise Conflict("该申请当前不是“退回补正”状态，不能修改")
    try:
        placement_end.correct(db(), system(), api_user(), end, data, client_ip())
    except DomainError:
        db().rollback()
        raise
    db().commit()
    return jsonify(_state(end.year))
