"""Reviewer/supervisor API: the task inbox, 安置登记审核 decisions, 发送税务部门."""

from __future__ import annotations

from flask import jsonify

from casework import review, verification
from casework.schemas import answers
from casework.schemas.review import DecisionInput, TaskQuery
from domain.id_number import mask_id_number
from webapp.api import api_user, bp, login_required, spec
from webapp.api.serialize import certificate_json, contract_json, month_json
from webapp.extensions import client_ip, db, system

staff_only = login_required("reviewer", "supervisor")
TAGS = ("残联",)
TID = {"task_id": "任务编号"}


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
@spec.declare(tags=TAGS, query=TaskQuery, answer=answers.TaskPage, answer_description="任务列表", errors=(400, 401, 403, 429))
def tasks():
    """待办任务（本人角色、本人辖区）

    page从1开始，per_page为1至100；超出范围返回400（不截断）。"""
    args: TaskQuery = spec.query()
    page = review.inbox(
        db(), api_user(), now=system().runtime.clock.now(), q=args.q, task_name=args.task,
        page=args.page, per_page=args.per_page,
    )
    return jsonify({"total": page.total, "page": page.page, "per_page": page.per_page, "items": [_task_row(r) for r in page.items]})


@bp.get("/tasks/<task_id>")
@staff_only
@spec.declare(tags=TAGS, answer=answers.Task, answer_description="任务", paths=TID, errors=(401, 403, 404, 429))
def task(task_id: str):
    """任务详情（含合同、残疾证、逐月核验结果、材料）

    不存在或不在本人辖区时为404。"""
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


@bp.post("/tasks/<task_id>/decision")
@staff_only
@spec.declare(tags=TAGS, json=DecisionInput, answer=answers.Done, answer_description="已审核", paths=TID)
def decision(task_id: str):
    """安置登记审核：逐月认定有效/无效（无效须填写理由）"""
    data: DecisionInput = spec.body()
    review.decide(db(), system(), api_user(), task_id, data, client_ip())
    db().commit()
    return jsonify({"done": True})


@bp.post("/tasks/<task_id>/send-to-tax")
@staff_only
@spec.declare(tags=TAGS, ok=202, answer=answers.Done, answer_description="已提交", paths=TID)
def send_to_tax(task_id: str):
    """发送税务部门（推送在后台进行）"""
    review.send_to_tax(db(), system(), api_user(), task_id, client_ip())
    db().commit()
    return jsonify({"done": True}), 202


