"""Employer API: the case, 安置人员 and the registration wizard, the same commands as the
pages (casework services), the same rules, JSON in and out."""

from __future__ import annotations

from io import BytesIO

from flask import jsonify, send_file

from casework import (
    case_requests,
    cases,
    certificates,
    custom_forms,
    documents,
    placements,
    registration,
    uploads,
    verification,
)
from casework.models import Attachment
from casework.schemas import answers
from casework.schemas.placements import (
    CaseRequestInput,
    CertificateInput,
    ContractInput,
    DeclarationInput,
    ImportInput,
    MaterialInput,
    MonthsInput,
    PersonInput,
    PlacementQuery,
    UploadForm,
)
from casework.schemas.review import CustomFormInput
from domain.errors import DomainError
from webapp.api import ApiError, api_user, bp, login_required, spec
from webapp.api.serialize import case_json, case_request_json, placement_json, placement_row
from webapp.api.spec import body, form, query
from webapp.context import employer_case
from webapp.extensions import client_ip, db, system
from webapp.verify import verify_url

employer_only = login_required("employer")


def _ok(body, status: int = 200):
    return jsonify(body), status


def _pdf(data: bytes, name: str):
    """A PDF answer held in memory (not streamed: the declaration layer reads answers)."""
    response = send_file(BytesIO(data), mimetype="application/pdf", download_name=name)
    response.direct_passthrough = False
    return response


def _placement(pid: int):
    case = employer_case(api_user())
    return case, placements.get_placement(db(), case, pid)


TAGS = ("用人单位",)
PID = {"placement_id": "安置人员编号"}
CID = {**PID, "contract_id": "合同编号"}
CERT = {**PID, "certificate_id": "残疾证编号"}


# -- case ------------------------------------------------------------------------------
@bp.get("/case")
@employer_only
@spec.declare(tags=TAGS, answer=answers.Case, errors=(401, 403, 404, 429))
def get_case():
    """本业务年度的年审案件（进度、人数、月数）"""
    case = employer_case(api_user())
    return _ok(case_json(case, cases.summarize(db(), case, system().today())))


@bp.post("/case/declaration")
@employer_only
@spec.declare(tags=TAGS, json=DeclarationInput, answer=answers.Case, answer_description="已完成申报")
def declare():
    """完成申报（须全部人员已审核确认并阅读承诺书）"""
    data: DeclarationInput = body()
    case = employer_case(api_user())
    cases.complete_declaration(db(), system(), api_user(), case, data.pledge_read, client_ip())
    db().commit()
    return _ok(case_json(case, cases.summarize(db(), case, system().today())))


@bp.get("/case/pledge.pdf")
@employer_only
@spec.declare(tags=TAGS, answer_description="PDF", errors=(401, 403, 404, 429))
def case_pledge_pdf():
    """下载申报资料真实性承诺书（PDF）"""
    case = employer_case(api_user())
    return _pdf(documents.pledge_pdf(case), f"pledge_{case.year}.pdf")


@bp.get("/case/deregistration.pdf")
@employer_only
@spec.declare(tags=TAGS, answer_description="PDF", errors=(401, 403, 404, 429))
def case_deregistration_pdf():
    """下载注销业务申请书（PDF，已填写单位名称、统一社会信用代码和本年度的安置人员）"""
    case = employer_case(api_user())
    return _pdf(documents.deregistration_pdf(case, placements.people_of(db(), case.id)), f"deregistration_{case.year}.pdf")


@bp.get("/case/certificate.pdf")
@employer_only
@spec.declare(tags=TAGS, answer_description="PDF", errors=(401, 403, 404, 409, 429))
def case_certificate_pdf():
    """下载审核认定书（PDF，附审核机构电子签章，完成申报三个工作日后）

    尚不可下载或认定书已撤回（年审申报撤回）时为409。"""
    case = employer_case(api_user())
    now = system().runtime.clock.now()
    certificate = certificates.downloadable(db(), case, now)
    data = documents.signed_certificate_pdf(certificate, verify_url(certificate.token), system().settings, now)
    db().commit()  # a case released before certificates were recorded: its first version
    return _pdf(data, f"certificate_{certificate.number}.pdf")


def _requests(case):
    return {
        "available": sorted(case_requests.available(db(), system(), case)),
        "items": [case_request_json(r) for r in case_requests.requests_of(db(), case.id)],
    }


@bp.get("/case/requests")
@employer_only
@spec.declare(tags=TAGS, answer=answers.CaseRequests, errors=(401, 403, 404, 429))
def list_case_requests():
    """年审申报撤回、年审认证反馈：现在能否申请，以及申请记录和审核结果"""
    return _ok(_requests(employer_case(api_user())))


def _file(kind: str):
    data: CaseRequestInput = body()
    case = employer_case(api_user())
    case_requests.file_request(db(), system(), api_user(), case, kind, data, client_ip())
    db().commit()
    return _ok(_requests(case), 201)


@bp.post("/case/withdrawal")
@employer_only
@spec.declare(tags=TAGS, json=CaseRequestInput, ok=201, answer=answers.CaseRequests, answer_description="已提交撤回申请",
              errors=(400, 401, 403, 404, 409, 429))
def request_withdrawal():
    """年审申报撤回（完成申报后、结果发送税务部门前；须填写理由，由残联审核）
    流程当前不接受撤回申请时（尚未完成申报、已发送税务部门、已有申请在审核中）为409。"""
    return _file(case_requests.WITHDRAW)


@bp.post("/case/feedback")
@employer_only
@spec.declare(tags=TAGS, json=CaseRequestInput, ok=201, answer=answers.CaseRequests, answer_description="已提交反馈",
              errors=(400, 401, 403, 404, 409, 429))
def file_feedback():
    """年审认证反馈（认证后7个工作日内；理由必填，可附已上传的附件，由残联认证反馈审核）
    超过反馈期限、尚未认证或已有申请在审核中时为409。"""
    return _file(case_requests.FEEDBACK)


# -- the unit's own steps (自定义表单 in the employer's lane) -------------------------------
def _step_json(task) -> dict:
    body = {"task_id": task.task_id, "title": task.title or custom_forms.FORM_KEY,
            "due_at": task.due_at.isoformat() if task.due_at else None, "notes": [], "fields": [], "problem": None}
    try:
        design = custom_forms.form_of(task.props or {})
    except DomainError as exc:
        body["problem"] = exc.message
        return body
    body["notes"] = list(design.notes)
    body["fields"] = [
        {"key": f.key, "kind": f.kind, "label": f.label, "required": f.required,
         "options": [{"value": v, "label": label} for v, label in f.options]}
        for f in design.fields
    ]
    return body


def _steps(case) -> dict:
    return {
        "items": [_step_json(t) for t in custom_forms.employer_steps(db(), case)],
        "history": [
            {"step": d.step, "reason": d.reason, "detail": d.detail, "actor": d.actor_name or d.actor,
             "at": d.at.isoformat() if d.at else None}
            for d in custom_forms.employer_history(db(), case)
        ],
    }


@bp.get("/case/steps")
@employer_only
@spec.declare(tags=TAGS, answer=answers.CaseSteps, errors=(401, 403, 404, 429))
def list_case_steps():
    """待填写事项（流程管理员为用人单位设计的自定义表单）及填报记录"""
    return _ok(_steps(employer_case(api_user())))


@bp.post("/case/steps/<task_id>")
@employer_only
@spec.declare(tags=TAGS, json=CustomFormInput, answer=answers.Done, answer_description="已提交",
              paths={"task_id": "事项编号（GET /case/steps的task_id）"}, errors=(400, 401, 403, 404, 409, 429))
def fill_case_step(task_id: str):
    """填写并提交待填写事项（按表单设计校验：必填、类型、范围、可选项；附件为本单位已上传的附件编号）

    values按字段名（key）填写；数字为数字、是/否为true/false、日期为YYYY-MM-DD。非本单位的事项为404。"""
    data: CustomFormInput = body()
    custom_forms.fill(db(), system(), api_user(), task_id, data, client_ip())
    db().commit()
    return _ok({"done": True})


# -- placements ------------------------------------------------------------------------
@bp.get("/placements")
@employer_only
@spec.declare(tags=TAGS, query=PlacementQuery, answer=answers.PlacementPage, errors=(400, 401, 403, 404, 429))
def list_placements():
    """安置人员列表（可按姓名或身份证号搜索，身份证号脱敏）

    page从1开始，per_page为1至100；超出范围的页码或每页条数返回400（不截断）。"""
    case = employer_case(api_user())
    args: PlacementQuery = query()
    page = placements.list_placements(
        db(), case, q=args.q, status=args.status, page=args.page, per_page=args.per_page
    )
    return _ok({"total": page.total, "page": page.page, "per_page": page.per_page, "items": [placement_row(p) for p in page.items]})


@bp.post("/placements")
@employer_only
@spec.declare(tags=TAGS, json=PersonInput, ok=201, answer=answers.Placement, answer_description="已添加")
def add_placement():
    """添加残疾人（安置登记第一步）"""
    case = employer_case(api_user())
    placement = placements.add_placement(db(), system(), api_user(), case, body().model_dump(), client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement), 201)


@bp.get("/placements/previous")
@employer_only
@spec.declare(tags=TAGS, answer=answers.PreviousPeople, errors=(401, 403, 404, 429))
def previous_people():
    """上一年度已审核确认、可导入本年度的人员（身份证号脱敏）"""
    case = employer_case(api_user())
    people = placements.previous_year_people(db(), case)
    return _ok({"year": case.year - 1, "items": [placement_row(p) for p in people]})


@bp.post("/placements/import")
@employer_only
@spec.declare(tags=TAGS, json=ImportInput, ok=201, answer=answers.Imported, answer_description="已导入")
def import_people():
    """导入上一年申报名单（按身份证号，导入后为资料待完善）

    按每人的完整身份证号导入（单位知道自己的职工）。"""
    case = employer_case(api_user())
    imported = placements.import_previous(db(), system(), api_user(), case, body().id_numbers, client_ip())
    db().commit()
    return _ok({"imported": [placement_row(p) for p in imported]}, 201)


@bp.get("/placements/<int:placement_id>")
@employer_only
@spec.declare(tags=TAGS, answer=answers.Placement, paths=PID, errors=(401, 403, 404, 429))
def get_placement(placement_id: int):
    """安置人员详情（当前步骤、合同、残疾证、12个月核验结果）"""
    case, placement = _placement(placement_id)
    return _ok(placement_json(db(), case, placement))


@bp.put("/placements/<int:placement_id>")
@employer_only
@spec.declare(tags=TAGS, json=PersonInput, answer=answers.Placement, answer_description="已保存", paths=PID)
def update_placement(placement_id: int):
    """修改人员基本信息（安置登记步骤中）"""
    case, placement = _placement(placement_id)
    placements.update_person(db(), api_user(), case, placement, body().model_dump(), client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


@bp.delete("/placements/<int:placement_id>")
@employer_only
@spec.declare(tags=TAGS, answer=answers.Deleted, answer_description="已删除", paths=PID)
def delete_placement(placement_id: int):
    """删除安置人员（完成申报前）"""
    case, placement = _placement(placement_id)
    placements.remove_placement(db(), system(), api_user(), case, placement, client_ip())
    db().commit()
    return _ok({"deleted": placement_id})


@bp.post("/placements/<int:placement_id>/reregister")
@employer_only
@spec.declare(tags=TAGS, answer=answers.Placement, paths=PID)
def reregister(placement_id: int):
    """重新登记"""
    case, placement = _placement(placement_id)
    placements.re_register(db(), system(), api_user(), case, placement, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


@bp.post("/placements/<int:placement_id>/acceptance")
@employer_only
@spec.declare(tags=TAGS, answer=answers.Placement, paths=PID)
def accept_result(placement_id: int):
    """接受审核结果（部分审核不通过的人员按审核有效的月份计入）"""
    case, placement = _placement(placement_id)
    placements.accept_result(db(), system(), api_user(), case, placement, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


@bp.post("/placements/<int:placement_id>/contracts")
@employer_only
@spec.declare(tags=TAGS, json=ContractInput, ok=201, answer=answers.Created, answer_description="已添加", paths=PID)
def add_contract(placement_id: int):
    """添加合同（合同管理）"""
    case, placement = _placement(placement_id)
    contract = registration.save_contract(db(), api_user(), case, placement, body().model_dump(), ip=client_ip())
    db().commit()
    return _ok({"id": contract.id, "placement": placement_json(db(), case, placement)}, 201)


@bp.put("/placements/<int:placement_id>/contracts/<int:contract_id>")
@employer_only
@spec.declare(tags=TAGS, json=ContractInput, answer=answers.Placement, answer_description="已保存", paths=CID)
def update_contract(placement_id: int, contract_id: int):
    """修改合同"""
    case, placement = _placement(placement_id)
    registration.save_contract(db(), api_user(), case, placement, body().model_dump(), contract_id, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


@bp.delete("/placements/<int:placement_id>/contracts/<int:contract_id>")
@employer_only
@spec.declare(tags=TAGS, answer=answers.Placement, answer_description="已删除", paths=CID)
def delete_contract(placement_id: int, contract_id: int):
    """删除合同"""
    case, placement = _placement(placement_id)
    registration.delete_contract(db(), api_user(), case, placement, contract_id, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


@bp.post("/placements/<int:placement_id>/certificates")
@employer_only
@spec.declare(tags=TAGS, json=CertificateInput, ok=201, answer=answers.Created, answer_description="已添加", paths=PID)
def add_certificate(placement_id: int):
    """添加历史残疾证（需残联审核）"""
    case, placement = _placement(placement_id)
    cert = registration.add_certificate(db(), api_user(), case, placement, body().model_dump(), client_ip())
    db().commit()
    return _ok({"id": cert.id, "placement": placement_json(db(), case, placement)}, 201)


@bp.delete("/placements/<int:placement_id>/certificates/<int:certificate_id>")
@employer_only
@spec.declare(tags=TAGS, answer=answers.Placement, answer_description="已删除", paths=CERT)
def delete_certificate(placement_id: int, certificate_id: int):
    """删除手动添加的残疾证"""
    case, placement = _placement(placement_id)
    registration.delete_certificate(db(), api_user(), case, placement, certificate_id, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


@bp.post("/placements/<int:placement_id>/submit")
@employer_only
@spec.declare(tags=TAGS, ok=202, answer=answers.Placement, answer_description="已提交，后台按月核验", paths=PID)
def submit(placement_id: int):
    """保存，下一步：提交自动核验（在后台按月核验）"""
    case, placement = _placement(placement_id)
    registration.submit_registration(db(), system(), api_user(), case, placement, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement), 202)


@bp.post("/placements/<int:placement_id>/materials")
@employer_only
@spec.declare(tags=TAGS, json=MaterialInput, answer=answers.Placement, answer_description="已登记", paths=PID)
def attach_material(placement_id: int):
    """为申报的“×”月份登记核验材料（工资发放证明等）"""
    case, placement = _placement(placement_id)
    data: MaterialInput = body()
    att = db().get(Attachment, data.attachment_id)
    if att is None or att.unit_id != case.unit_id:
        raise ApiError(404, "附件不存在或无权使用")
    verification.attach_claim_material(db(), api_user(), case, placement, att, data.material, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


@bp.post("/placements/<int:placement_id>/months")
@employer_only
@spec.declare(tags=TAGS, json=MonthsInput, answer=answers.ClaimedMonths, answer_description="已提交", paths=PID)
def submit_months(placement_id: int):
    """人员信息校验：提交勾选的安置月份（含申报的“×”月份）"""
    case, placement = _placement(placement_id)
    claimed = verification.submit_months(db(), system(), api_user(), case, placement, list(body().selected_months), client_ip())
    db().commit()
    return _ok({"claimed_months": claimed, "placement": placement_json(db(), case, placement)})


@bp.post("/placements/<int:placement_id>/back")
@employer_only
@spec.declare(tags=TAGS, answer=answers.Placement, paths=PID)
def back(placement_id: int):
    """上一步：返回安置登记修改"""
    case, placement = _placement(placement_id)
    verification.back_to_registration(db(), system(), api_user(), case, placement, client_ip())
    db().commit()
    return _ok(placement_json(db(), case, placement))


# -- uploads ---------------------------------------------------------------------------
@bp.post("/attachments")
@employer_only
@spec.declare(
    tags=TAGS, form=UploadForm, ok=201, answer=answers.Uploaded, answer_description="已保存",
    errors=(400, 401, 403, 404, 409, 413, 429),
)  # fmt: skip
def upload():
    """上传附件（仅jpeg/jpg/png/pdf，按文件内容识别；大小上限为省级参数）"""
    file = form().file if form() is not None else None
    if file is None or not hasattr(file, "read") or not file.filename:
        raise ApiError(400, "请选择要上传的文件", {"file": "请选择要上传的文件"})
    case = employer_case(api_user())
    limit = uploads.upload_limit_bytes(case.region_code, system().today())
    att = uploads.store_upload(
        db(), system().settings, unit_id=case.unit_id, user_id=api_user().id, filename=file.filename,
        data=file.read(), kind=form().kind, limit_bytes=limit,
    )
    db().commit()
    return _ok({"id": att.id, "size": att.size, "mime": att.mime, "original_name": att.original_name}, 201)


