"""Employer API: the case, 安置人员 and the registration wizard, the same commands as the
pages (casework services), the same rules, JSON in and out."""

from __future__ import annotations

from io import BytesIO

from flask import jsonify, request, send_file

from casework import cases, documents, placements, registration, uploads, verification
from casework.models import Attachment
from casework.models.attachment import KINDS, MATERIAL_KINDS
from domain.id_number import age_on, parse_id_number
from webapp.api import ApiError, api_user, bp, document, json_body, login_required, schema
from webapp.api.serialize import case_json, placement_json, placement_row
from webapp.context import employer_case
from webapp.extensions import client_ip, db, system

employer_only = login_required("employer")

_ERR = {"description": "输入有误或当前步骤不允许", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
_404 = {"description": "不存在或无权访问", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _ok(body, status: int = 200):
    return jsonify(body), status


def _placement(pid: int):
    case = employer_case(api_user())
    return case, placements.get_placement(db(), case, pid)


PERSON = schema(
    "PersonInput",
    {
        "type": "object",
        "required": ["id_number", "name", "phone", "household_type", "household_region", "household_address"],
        "properties": {
            "id_number": {"type": "string", "description": "18位身份证号"},
            "name": {"type": "string"},
            "phone": {"type": "string"},
            "household_type": {"type": "string", "enum": list(placements.HOUSEHOLD_TYPES)},
            "household_region": {"type": "string", "description": "户籍地行政区划代码（6位）"},
            "household_address": {"type": "string"},
            "education": {"type": "string", "enum": list(placements.EDUCATION)},
            "guardian_name": {"type": "string"},
            "guardian_phone": {"type": "string"},
            "is_graduate": {"type": "boolean"},
        },
    },
)
CONTRACT = schema(
    "ContractInput",
    {
        "type": "object",
        "required": ["relation", "contract_type", "start", "end", "position", "monthly_wage", "pension_unit", "medical_unit", "wage_unit", "attachment_ids"],
        "properties": {
            "dispatched": {"type": "boolean"},
            "relation": {"type": "string", "enum": list(registration.RELATIONS)},
            "contract_type": {"type": "string", "enum": list(registration.CONTRACT_TYPES)},
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            "position": {"type": "string"},
            "monthly_wage": {"type": "number"},
            "agency_unit": {"type": "string"},
            "pension_unit": {"type": "string"},
            "medical_unit": {"type": "string"},
            "wage_unit": {"type": "string"},
            "attachment_ids": {"type": "array", "items": {"type": "integer"}},
        },
    },
)
CERTIFICATE = schema(
    "CertificateInput",
    {
        "type": "object",
        "required": ["kind", "number", "valid_from", "valid_to", "attachment_ids"],
        "properties": {
            "kind": {"type": "string", "enum": ["残疾人证", "残疾军人证"]},
            "number": {"type": "string"},
            "valid_from": {"type": "string", "format": "date"},
            "valid_to": {"type": "string", "format": "date"},
            "grade": {"type": "integer", "minimum": 1, "maximum": 8, "description": "残疾军人证伤残等级"},
            "attachment_ids": {"type": "array", "items": {"type": "integer"}},
        },
    },
)


def _body(ref) -> dict:
    return {"required": True, "content": {"application/json": {"schema": ref}}}


def _doc(path: str, method: str, summary: str, *, body=None, ok: str = "成功", params=None, tag: str = "用人单位") -> None:
    spec = {"summary": summary, "tags": [tag], "responses": {"200": {"description": ok}, "400": _ERR, "401": {"description": "未登录"}, "404": _404}}
    if body is not None:
        spec["requestBody"] = body
    if params:
        spec["parameters"] = params
    document(path, method, spec)


PID = [{"name": "placement_id", "in": "path", "required": True, "schema": {"type": "integer"}}]


# -- case ------------------------------------------------------------------------------
@bp.get("/case")
@employer_only
def get_case():
    case = employer_case(api_user())
    return _ok(case_json(case, cases.summarize(db(), case)))


_doc("/api/v1/case", "get", "本业务年度的年审案件（进度、人数、月数）")


@bp.post("/case/declaration")
@employer_only
def declare():
    data = json_body()
    case = employer_case(api_user())
    cases.complete_declaration(db(), system(), api_user(), case, data.get("pledge_read") is True, client_ip())
    db().commit()
    return _ok(case_json(case, cases.summarize(db(), case)))


_doc(
    "/api/v1/case/declaration", "post", "完成申报（须全部人员已审核确认并阅读承诺书）",
    body=_body({"type": "object", "required": ["pledge_read"], "properties": {"pledge_read": {"type": "boolean"}}}),
)


@bp.get("/case/pledge.pdf")
@employer_only
def case_pledge_pdf():
    case = employer_case(api_user())
    return send_file(BytesIO(documents.pledge_pdf(case)), mimetype="application/pdf", download_name=f"pledge_{case.year}.pdf")


@bp.get("/case/certificate.pdf")
@employer_only
def case_certificate_pdf():
    case = employer_case(api_user())
    if case.certificate_ready_at is None:
        raise ApiError(409, "完成申报三个工作日后方可下载审核认定书")
    return send_file(BytesIO(documents.certificate_pdf(db(), case)), mimetype="application/pdf", download_name=f"certificate_{case.year}.pdf")


_PDF = {"200": {"description": "PDF", "content": {"application/pdf": {}}}, "401": {"description": "未登录"}}
document("/api/v1/case/pledge.pdf", "get", {"summary": "下载申报资料真实性承诺书（PDF）", "tags": ["用人单位"], "responses": _PDF})
document("/api/v1/case/certificate.pdf", "get", {"summary": "下载审核认定书（PDF，完成申报三个工作日后）", "tags": ["用人单位"], "responses": {**_PDF, "409": {"description": "尚不可下载"}}})


# -- registry look-up ------------------------------------------------------------------
@bp.get("/registry/persons/<id_number>")
@employer_only
def registry_person(id_number: str):
    """身份证号 autofill: what the 残疾人证 registry knows (read-only)."""
    parsed = parse_id_number(id_number)
    found = placements.lookup_person(system(), parsed.number)
    age = age_on(parsed.birth_date, system().today())
    if found is None:
        return _ok({"found": False, "id_number": parsed.number, "sex": parsed.sex, "age": age, "birth_date": parsed.birth_date.isoformat()})
    return _ok(
        {
            "found": True,
            "id_number": parsed.number,
            "name": found.name,
            "sex": found.sex,
            "age": age,
            "birth_date": found.birth_date.isoformat(),
            "household_region": found.household_region,
            "household_address": found.household_address,
            "phone": found.phone,
            "certificates": [
                {"number": c.number, "kind": str(c.kind), "category": c.category, "grade": c.grade,
                 "valid_from": c.valid_from.isoformat(), "valid_to": c.valid_to.isoformat()}
                for c in found.certificates
            ],
        }
    )


_doc("/api/v1/registry/persons/{id_number}", "get", "按身份证号从残疾人证信息库获取人员信息（自动填充）",
     params=[{"name": "id_number", "in": "path", "required": True, "schema": {"type": "string"}}])


# -- placements ------------------------------------------------------------------------
@bp.get("/placements")
@employer_only
def list_placements():
    case = employer_case(api_user())
    page = placements.list_placements(
        db(), case, q=request.args.get("q", ""), status=request.args.get("status", ""),
        page=request.args.get("page", 1, type=int), per_page=min(100, request.args.get("per_page", 20, type=int)),
    )
    return _ok({"total": page.total, "page": page.page, "per_page": page.per_page, "items": [placement_row(p) for p in page.items]})


_doc("/api/v1/placements", "get", "安置人员列表（可按姓名或身份证号搜索，身份证号脱敏）", params=[
    {"name": "q", "in": "query", "schema": {"type": "string"}},
    {"name": "status", "in": "query", "schema": {"type": "string"}},
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
])


@bp.post("/placements")
@employer_only
def add_placement():
    case = employer_case(api_user())
    placement = placements.add_placement(db(), system(), api_user(), case, json_body(), client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement), 201)


_doc("/api/v1/placements", "post", "添加残疾人（安置登记第一步）", body=_body(PERSON))


@bp.get("/placements/previous")
@employer_only
def previous_people():
    case = employer_case(api_user())
    people = placements.previous_year_people(db(), case)
    return _ok({"year": case.year - 1, "items": [placement_row(p) for p in people]})


_doc("/api/v1/placements/previous", "get", "上一年度已审核确认、可导入本年度的人员（身份证号脱敏）")


@bp.post("/placements/import")
@employer_only
def import_people():
    """Import by the full 身份证号 of each person (the employer knows its own staff)."""
    case = employer_case(api_user())
    imported = placements.import_previous(db(), system(), api_user(), case, json_body().get("id_numbers"), client_ip())
    db().commit()
    return _ok({"imported": [placement_row(p) for p in imported]}, 201)


_doc("/api/v1/placements/import", "post", "导入上一年申报名单（按身份证号，导入后为资料待完善）",
     body=_body({"type": "object", "required": ["id_numbers"], "properties": {"id_numbers": {"type": "array", "items": {"type": "string"}}}}))


@bp.get("/placements/<int:placement_id>")
@employer_only
def get_placement(placement_id: int):
    case, placement = _placement(placement_id)
    return _ok(placement_json(db(), case, placement))


_doc("/api/v1/placements/{placement_id}", "get", "安置人员详情（当前步骤、合同、残疾证、12个月核验结果）", params=PID)


@bp.put("/placements/<int:placement_id>")
@employer_only
def update_placement(placement_id: int):
    case, placement = _placement(placement_id)
    placements.update_person(db(), api_user(), case, placement, json_body(), client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


_doc("/api/v1/placements/{placement_id}", "put", "修改人员基本信息（安置登记步骤中）", body=_body(PERSON), params=PID)


@bp.delete("/placements/<int:placement_id>")
@employer_only
def delete_placement(placement_id: int):
    case, placement = _placement(placement_id)
    placements.remove_placement(db(), system(), api_user(), case, placement, client_ip())
    db().commit()
    return _ok({"deleted": placement_id})


_doc("/api/v1/placements/{placement_id}", "delete", "删除安置人员（完成申报前）", params=PID)


@bp.post("/placements/<int:placement_id>/reregister")
@employer_only
def reregister(placement_id: int):
    case, placement = _placement(placement_id)
    placements.re_register(db(), system(), api_user(), case, placement, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


_doc("/api/v1/placements/{placement_id}/reregister", "post", "重新登记", params=PID)


@bp.post("/placements/<int:placement_id>/contracts")
@employer_only
def add_contract(placement_id: int):
    case, placement = _placement(placement_id)
    contract = registration.save_contract(db(), api_user(), case, placement, json_body(), ip=client_ip())
    db().commit()
    return _ok({"id": contract.id, "placement": placement_json(db(), case, placement)}, 201)


_doc("/api/v1/placements/{placement_id}/contracts", "post", "添加合同（合同管理）", body=_body(CONTRACT), params=PID)


@bp.put("/placements/<int:placement_id>/contracts/<int:contract_id>")
@employer_only
def update_contract(placement_id: int, contract_id: int):
    case, placement = _placement(placement_id)
    registration.save_contract(db(), api_user(), case, placement, json_body(), contract_id, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


@bp.delete("/placements/<int:placement_id>/contracts/<int:contract_id>")
@employer_only
def delete_contract(placement_id: int, contract_id: int):
    case, placement = _placement(placement_id)
    registration.delete_contract(db(), api_user(), case, placement, contract_id, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


CID = PID + [{"name": "contract_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
_doc("/api/v1/placements/{placement_id}/contracts/{contract_id}", "put", "修改合同", body=_body(CONTRACT), params=CID)
_doc("/api/v1/placements/{placement_id}/contracts/{contract_id}", "delete", "删除合同", params=CID)


@bp.post("/placements/<int:placement_id>/certificates")
@employer_only
def add_certificate(placement_id: int):
    case, placement = _placement(placement_id)
    cert = registration.add_certificate(db(), api_user(), case, placement, json_body(), client_ip())
    db().commit()
    return _ok({"id": cert.id, "placement": placement_json(db(), case, placement)}, 201)


_doc("/api/v1/placements/{placement_id}/certificates", "post", "添加历史残疾证（需残联审核）", body=_body(CERTIFICATE), params=PID)


@bp.delete("/placements/<int:placement_id>/certificates/<int:certificate_id>")
@employer_only
def delete_certificate(placement_id: int, certificate_id: int):
    case, placement = _placement(placement_id)
    registration.delete_certificate(db(), api_user(), case, placement, certificate_id, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


_doc("/api/v1/placements/{placement_id}/certificates/{certificate_id}", "delete", "删除手动添加的残疾证",
     params=PID + [{"name": "certificate_id", "in": "path", "required": True, "schema": {"type": "integer"}}])


@bp.post("/placements/<int:placement_id>/submit")
@employer_only
def submit(placement_id: int):
    case, placement = _placement(placement_id)
    registration.submit_registration(db(), system(), api_user(), case, placement, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement), 202)


_doc("/api/v1/placements/{placement_id}/submit", "post", "保存，下一步：提交自动核验（在后台按月核验）", params=PID)


@bp.post("/placements/<int:placement_id>/materials")
@employer_only
def attach_material(placement_id: int):
    case, placement = _placement(placement_id)
    data = json_body()
    att = db().get(Attachment, int(data.get("attachment_id") or 0))
    if att is None or att.unit_id != case.unit_id:
        raise ApiError(404, "附件不存在或无权使用")
    verification.attach_claim_material(db(), api_user(), case, placement, att, str(data.get("material", "")), client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


_doc("/api/v1/placements/{placement_id}/materials", "post", "为申报的“×”月份登记核验材料（工资发放证明等）",
     body=_body({"type": "object", "required": ["attachment_id", "material"], "properties": {
         "attachment_id": {"type": "integer"}, "material": {"type": "string", "enum": list(MATERIAL_KINDS)}}}),
     params=PID)


@bp.post("/placements/<int:placement_id>/months")
@employer_only
def submit_months(placement_id: int):
    case, placement = _placement(placement_id)
    data = json_body()
    claimed = verification.submit_months(db(), system(), api_user(), case, placement, data.get("selected_months"), client_ip())
    db().commit()
    return _ok({"claimed_months": claimed, "placement": placement_json(db(), case, placement)})


_doc("/api/v1/placements/{placement_id}/months", "post", "人员信息校验：提交勾选的安置月份（含申报的“×”月份）",
     body=_body({"type": "object", "required": ["selected_months"], "properties": {"selected_months": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 12}}}}),
     params=PID)


@bp.post("/placements/<int:placement_id>/back")
@employer_only
def back(placement_id: int):
    case, placement = _placement(placement_id)
    verification.back_to_registration(db(), system(), api_user(), case, placement, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


_doc("/api/v1/placements/{placement_id}/back", "post", "上一步：返回安置登记修改", params=PID)


# -- uploads ---------------------------------------------------------------------------
@bp.post("/attachments")
@employer_only
def upload():
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ApiError(400, "请选择要上传的文件", {"file": "请选择要上传的文件"})
    case = employer_case(api_user())
    limit = uploads.upload_limit_bytes(case.region_code, system().today())
    att = uploads.store_upload(
        db(), system().settings, unit_id=case.unit_id, user_id=api_user().id, filename=file.filename,
        data=file.read(), kind=request.form.get("kind", ""), limit_bytes=limit,
    )
    db().commit()
    return _ok({"id": att.id, "size": att.size, "mime": att.mime, "original_name": att.original_name}, 201)


document("/api/v1/attachments", "post", {
    "summary": "上传附件（仅jpeg/jpg/png/pdf，按文件内容识别；大小上限为省级参数）", "tags": ["用人单位"],
    "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {"file": {"type": "string", "format": "binary"}, "kind": {"type": "string", "enum": sorted(KINDS), "description": "附件类型"}}}}}},
    "responses": {"201": {"description": "已保存"}, "400": _ERR, "401": {"description": "未登录"}},
})
