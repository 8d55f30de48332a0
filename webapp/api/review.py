"""Reviewer/supervisor API: the task inbox, 安置登记审核 decisions, 发送税务部门."""

from __future__ import annotations

from flask import jsonify, request

from casework import review, verification
from domain.id_number import mask_id_number
from webapp.api import api_user, bp, document, json_body, login_required
from webapp.api.serialize import certificate_json, contract_json, month_json
from webapp.extensions import client_ip, db, system

staff_only = login_required("reviewer", "supervisor")
TID = [{"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}]
_ERR = {"description": "输入有误", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _task_row(r) -> dict:
    return {
        "task_id": r.task.task_id,
        "task": r.task.task_name,
        "title": r.task.title,
        "role": r.task.role,
        "region_code": r.task.region_code,
        "unit": {"name": r.unit.name, "credit_code": r.unit.credit_code},
        "year": r.case.year,
        "case_id": r.case.id,
        "placement": {"id": r.placement.id, "name": r.placement.name, "id_number": mask_id_number(r.placement.id_number), "status": r.placement.status} if r.placement else None,
        "created_at": r.task.created_at.isoformat() if r.task.created_at else None,
        "due_at": r.task.due_at.isoformat() if r.task.due_at else None,
        "overdue": r.overdue,
    }


@bp.get("/tasks")
@staff_only
def tasks():
    page = review.inbox(
        db(), api_user(), now=system().runtime.clock.now(), q=request.args.get("q", ""), task_name=request.args.get("task", ""),
        page=request.args.get("page", 1, type=int),
    )
    return jsonify({"total": page.total, "page": page.page, "per_page": page.per_page, "items": [_task_row(r) for r in page.items]})


document("/api/v1/tasks", "get", {
    "summary": "待办任务（本人角色、本人辖区）", "tags": ["残联"],
    "parameters": [{"name": "task", "in": "query", "schema": {"type": "string"}}, {"name": "q", "in": "query", "schema": {"type": "string"}}, {"name": "page", "in": "query", "schema": {"type": "integer"}}],
    "responses": {"200": {"description": "任务列表"}, "401": {"description": "未登录"}, "403": {"description": "非残联工作人员"}},
})


@bp.get("/tasks/<task_id>")
@staff_only
def task(task_id: str):
    row = review.task_for(db(), api_user(), task_id)
    body = _task_row(row)
    if row.placement is not None:
        p = row.placement
        body["contracts"] = [contract_json(c) for c in p.contracts]
        body["certificates"] = [certificate_json(c) for c in p.certificates]
        body["months"] = [month_json(m) for m in sorted(p.months, key=lambda m: m.month)]
        materials = verification.claim_materials(db(), p)
        body["materials"] = {name: [a.id for a in files] for name, files in materials.items() if files}
    return jsonify(body)


document("/api/v1/tasks/{task_id}", "get", {
    "summary": "任务详情（含合同、残疾证、逐月核验结果、材料）", "tags": ["残联"], "parameters": TID,
    "responses": {"200": {"description": "任务"}, "404": {"description": "不存在或不在本人辖区"}},
})


@bp.post("/tasks/<task_id>/decision")
@staff_only
def decision(task_id: str):
    data = json_body()
    review.decide(db(), system(), api_user(), task_id, data.get("decisions") or {}, client_ip())
    db().commit()
    return jsonify({"done": True})


document("/api/v1/tasks/{task_id}/decision", "post", {
    "summary": "安置登记审核：逐月认定有效/无效（无效须填写理由）", "tags": ["残联"], "parameters": TID,
    "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["decisions"], "properties": {
        "decisions": {"type": "object", "additionalProperties": {"type": "object", "properties": {"valid": {"type": "boolean"}, "reason": {"type": "string"}}}, "description": "键为月份（1–12）"}}}}}},
    "responses": {"200": {"description": "已审核"}, "400": _ERR, "404": {"description": "不存在或不在本人辖区"}},
})


@bp.post("/tasks/<task_id>/send-to-tax")
@staff_only
def send_to_tax(task_id: str):
    review.send_to_tax(db(), system(), api_user(), task_id, client_ip())
    db().commit()
    return jsonify({"done": True}), 202


document("/api/v1/tasks/{task_id}/send-to-tax", "post", {
    "summary": "发送税务部门（推送在后台进行）", "tags": ["残联"], "parameters": TID,
    "responses": {"202": {"description": "已提交"}, "400": _ERR, "404": {"description": "不存在或不在本人辖区"}},
})
