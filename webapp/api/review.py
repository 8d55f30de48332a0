"""Reviewer/supervisor API: the task inbox with its tabs, claiming and assigning, and one
operation per workbench form (`POST /tasks/<id>/decision` for 安置登记审核, `/send-to-tax`,
`/approval` for the generic 审批 …), each generated from the form's registration: its
declared input validates the body, its command completes the task.
"""

from __future__ import annotations

from flask import jsonify

from casework import review, task_forms, verification
from casework.decisions import history
from casework.schemas import answers
from casework.schemas.review import AssignInput, TaskQuery
from casework.scope import reads_case_files
from domain.id_number import mask_id_number
from webapp.api import api_user, bp, login_required, spec
from webapp.api.serialize import certificate_json, contract_json, month_json
from webapp.extensions import client_ip, db, system
from webapp.review import soon_until

TAGS = ("残联",)
TID = {"task_id": "任务编号"}


# a token of a role that works a staff inbox (the lane table says which)
staff_only = login_required(allowed=lambda: system().runtime.lanes.staff_roles)


def _task_row(r) -> dict:
    return {
        "task_id": r.task.task_id,
        "task": r.task.task_name,
        "form": r.task.form,
        "form_title": task_forms.title_of(r.task.form),
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
        "due_state": r.due_state,
        "assignee": r.task.assignee,
    }


@bp.get("/tasks")
@staff_only
@spec.declare(tags=TAGS, query=TaskQuery, answer=answers.TaskPage, answer_description="任务列表", errors=(400, 401, 403, 429))
def tasks():
    """待办任务（本人角色与辖区，及分配给本人的）

    form为页签（表单键）；tabs给出在其余筛选条件下每个页签的任务数。page从1开始，
    per_page为1至100；超出范围返回400（不截断）。"""
    args: TaskQuery = spec.query()
    filters = review.InboxFilter.of(args)
    now = system().runtime.clock.now()
    until = soon_until(now)
    page = review.inbox(db(), api_user(), now=now, filters=filters, soon_until=until, page=args.page, per_page=args.per_page)
    counts = review.tab_counts(db(), api_user(), now=now, filters=filters, soon_until=until)
    return jsonify({
        "total": page.total, "page": page.page, "per_page": page.per_page,
        "items": [_task_row(r) for r in page.items],
        "tabs": [{"form": k, "title": task_forms.title_of(k), "count": n} for k, n in sorted(counts.items())],
    })


@bp.get("/tasks/<task_id>")
@staff_only
@spec.declare(tags=TAGS, answer=answers.Task, answer_description="任务", paths=TID, errors=(401, 403, 404, 429))
def task(task_id: str):
    """任务详情（含合同、残疾证、逐月核验结果、材料、审批记录）

    不存在或不在本人辖区时为404。"""
    row = review.task_for(db(), api_user(), task_id, system().runtime.clock.now())
    body = _task_row(row)
    body["settings"] = dict(row.task.props or {})
    if row.placement is not None:
        p = row.placement
        body["contracts"] = [contract_json(c) for c in p.contracts]
        body["certificates"] = [certificate_json(c) for c in p.certificates]
        body["months"] = [month_json(m) for m in sorted(p.months, key=lambda m: m.month)]
        materials = verification.claim_materials(db(), p)
        body["materials"] = {name: [a.id for a in files] for name, files in materials.items() if files}
    body["history"] = [] if not reads_case_files(api_user()) else [
        {"step": d.step, "form": d.form, "outcome": d.outcome, "outcome_label": d.outcome_label, "reason": d.reason,
         "actor": d.actor_name or d.actor, "role": d.role, "at": d.at.isoformat() if d.at else None}
        for d in history(db(), row.case.id)
    ]
    return jsonify(body)


@bp.post("/tasks/<task_id>/claim")
@staff_only
@spec.declare(tags=TAGS, answer=answers.Done, answer_description="已认领", paths=TID, errors=(401, 403, 404, 409, 429))
def claim_task(task_id: str):
    """认领任务（他人已认领时为409，并告知由谁办理）"""
    review.claim(db(), api_user(), task_id, system().runtime.clock.now(), client_ip())
    db().commit()
    return jsonify({"done": True})


@bp.post("/tasks/<task_id>/release")
@staff_only
@spec.declare(tags=TAGS, answer=answers.Done, answer_description="已释放", paths=TID, errors=(401, 403, 404, 409, 429))
def release_task(task_id: str):
    """释放任务（本人或业务主管）"""
    review.release(db(), api_user(), task_id, client_ip())
    db().commit()
    return jsonify({"done": True})


@bp.post("/tasks/<task_id>/assignee")
@staff_only
@spec.declare(tags=TAGS, json=AssignInput, answer=answers.Done, answer_description="已改派", paths=TID)
def assign_task(task_id: str):
    """改派任务（业务主管；填本人用户名即为接办）"""
    data: AssignInput = spec.body()
    review.reassign(db(), api_user(), task_id, data.assignee, system().runtime.clock.now(), client_ip())
    db().commit()
    return jsonify({"done": True})


def _form_operation(form: task_forms.TaskForm) -> None:
    """POST /tasks/<id>/<operation> for one workbench form, declared with its input."""
    path = form.api.split(" ", 1)[1].removeprefix("/api/v1").replace("{task_id}", "<task_id>")
    with_body = form.input is not None and bool(form.input.model_fields)

    def view(task_id: str):
        data = spec.body() if with_body else form.input()
        form.command(db(), system(), api_user(), task_id, data, client_ip())
        db().commit()
        return jsonify({"done": True}), form.api_status

    view.__name__ = f"form_{form.key}"
    view.__doc__ = f"{form.title}（表单{form.key}）\n\n{form.help}。任务不是该表单时为400，已被他人认领或办理时为409。"
    declared = spec.declare(
        tags=TAGS, ok=form.api_status, json=form.input if with_body else None,
        answer=answers.Done, answer_description="已办理", paths=TID,
    )(view)
    bp.add_url_rule(path, endpoint=view.__name__, view_func=staff_only(declared), methods=["POST"])


for _form in task_forms.load_forms() and task_forms.staff_forms():
    _form_operation(_form)
