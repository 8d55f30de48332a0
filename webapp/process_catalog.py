"""流程管理 (issue 14): what the modeler's properties panel offers a process owner.

The panel beside the canvas (static/process_panel.js) lets an owner pick, never type:
a lane's role, a user task's registered form (and, for the generic 审批 step, its
outcomes, labels and which outcomes need a reason), a service task's adapter operation
and the data each parameter takes, a timer's working-day limit, a gateway's default flow
and the conditions of its other flows over the data the steps before it write.

GET /processes/<process_id>/catalog.json answers those pick lists for the signed-in
owner's province on the engine clock's day. Every list is built from
`casework.process_rules` (the rules a diagram is checked against before it is stored),
so what the panel offers is what the check accepts; the Chinese labels are added here.
"""

from __future__ import annotations

from dataclasses import fields

from flask import Blueprint, Flask, abort, jsonify
from flask_login import current_user

from casework import decisions, process_rules, process_versions, supervision, task_forms
from casework.process_versions import OWNER_ROLE
from domain import regions
from domain.params import params_for
from engine.clock import CHINA_TZ
from engine.lanes import load_lanes
from webapp.auth import role_required
from webapp.extensions import db, system

bp = Blueprint("process_catalog", __name__)

# How the data a case carries is called on screen (a variable not listed shows its name).
VARIABLE_LABELS: dict[str, str] = {
    "case_id": "年审业务编号",
    "placement_id": "安置人员编号",
    "pledge_read": "已阅读承诺书",
    "declared_by_staff": "由残联窗口代办申报",
    "decision": "审批结果",
    "decision_reason": "审批理由",
    "decision_attachments": "审批附件",
    "decided_by": "审批人",
    "review": "人工审核结果",
    "months_action": "人员信息校验的操作",
    "selected_months": "勾选的安置月份",
    "claimed_months": "申报的核验未通过月份",
    "result_action": "对审核结果的操作",
    "supervision": "督办方式",
    "supervision_assignee": "改派给",
    "declaration_problem": "不能完成申报的原因",
    "certified_at": "认证时间",
    "tax_receipt": "税务部门回执",
    "tax_check": "税务部门核对结果",
    "tax_consistent": "税务核对一致",
    "withdraw_needs_supervisor": "撤回须业务主管审批",
    "withdrawal": "年审申报撤回申请",
    "feedback": "年审认证反馈申请",
    "withdrawn": "已同意的撤回",
    "reopened": "已同意的反馈",
    "verification": "自动核验结果",
}
# What a condition usually compares a variable with: "bool" (是/否), "list" (empty or
# not), "number", or a fixed set of values with their labels.
VARIABLE_KINDS: dict[str, str] = {
    "pledge_read": "bool",
    "declared_by_staff": "bool",
    "tax_consistent": "bool",
    "withdraw_needs_supervisor": "bool",
    "declaration_problem": "text",
    "selected_months": "list",
    "claimed_months": "list",
    "decision_attachments": "list",
    "case_id": "number",
    "placement_id": "number",
}
VARIABLE_VALUES: dict[str, dict[str, str]] = {
    "decision": dict(decisions.OUTCOMES),
    "months_action": {"save": "提交申报", "back": "返回修改"},
    "result_action": {"accept": "接受审核结果", "re_register": "重新登记"},
    "supervision": dict(supervision.ACTIONS),
}
OPERATION_LABELS: dict[str, str] = {
    "verify_months": "自动核验（逐月核验一名安置人员）",
    "push_tax_result": "推送税务部门（报送认证结果）",
}
# The variable each operation's answer is written to, as the shipped diagrams name it.
OPERATION_RESULTS: dict[str, str] = {
    "verify_months": "verification",
    "push_tax_result": "tax_receipt",
}
TIME_LIMIT_LABELS: dict[str, str] = {
    "window_acceptance": "窗口受理",
    "manual_review": "人工审核",
    "feedback": "年审认证反馈（认证后）",
    "send_to_tax": "发送税务部门（初次认证后）",
    "certificate_download_after": "审核认定书可下载（完成申报后）",
}
PARAM_LABELS: dict[str, str] = {
    "province_code": "省份代码",
    "upload_limit_mb": "上传文件大小上限（MB）",
    "female_retirement_track": "女职工退休年龄口径",
    "withdrawal_needs_supervisor": "年审申报撤回须业务主管审批",
}
NOTIFY_CHOICES = {"": "不通知", "employer": "通知用人单位"}


def _label(name: str, table: dict[str, str]) -> str:
    return table.get(name, name)


def _param_type(name: str) -> str:
    """The `type` a service parameter is written with (SpiffWorkflow requires one)."""
    return "int" if name.endswith("_id") else "str"


def _variable(name: str) -> dict:
    entry: dict = {"name": name, "label": _label(name, VARIABLE_LABELS), "kind": VARIABLE_KINDS.get(name, "text")}
    if name in VARIABLE_VALUES:
        entry["kind"] = "choice"
        entry["values"] = [{"value": v, "label": label} for v, label in VARIABLE_VALUES[name].items()]
    return entry


def catalog_for(session, process_id: str, province: str, day) -> dict:
    """The pick lists of the panel for one process, one province, one day."""
    lanes = load_lanes(session)
    rules = process_rules.diagram_rules(session, day)

    roles = [
        {"lane": lane, "role": lanes.roles[lane], "staff": lanes.roles[lane] in lanes.staff_roles}
        for lane in lanes.names()
    ]
    forms = []
    for key, form in sorted(task_forms.FORMS.items()):
        allowed = sorted(form.allowed_roles(lanes.staff_roles))
        entry = {
            "key": key,
            "title": form.title,
            "help": form.help,
            "subject": form.subject,
            "roles": allowed,
            "lanes": [lane for lane in lanes.names() if lanes.roles[lane] in allowed],
            "writes": list(rules.form_writes(key)),
            "settings": list(form.settings),
        }
        if key == decisions.FORM_KEY:
            defaults = decisions.options({})
            entry["outcomes"] = [{"key": k, "label": label} for k, label in decisions.OUTCOMES.items()]
            entry["reason_required_default"] = sorted(defaults.reason_required)
            entry["notify"] = [{"value": v, "label": label} for v, label in NOTIFY_CHOICES.items()]
        forms.append(entry)

    operations = [
        {
            "key": key,
            "label": _label(key, OPERATION_LABELS),
            "result_variable": OPERATION_RESULTS.get(key, f"{key}_result"),
            "params": [
                {"name": p, "label": _label(p, VARIABLE_LABELS), "type": _param_type(p)} for p in sorted(params)
            ],
        }
        for key, params in sorted(rules.operations.items())
    ]

    try:
        own = params_for(province, day)
    except Exception:  # a province without a parameter file reads the national one
        own = params_for("", day)
    own_limits = {f.name: int(getattr(own.time_limits, f.name)) for f in fields(own.time_limits)}
    time_limits = [
        {"name": name, "label": _label(name, TIME_LIMIT_LABELS), "days": own_limits.get(name, days), "national_days": days}
        for name, days in rules.time_limits.items()
    ]
    params = [
        {
            "name": name,
            "label": _label(name, PARAM_LABELS),
            "kind": "bool" if isinstance(sample, bool) else "number" if isinstance(sample, int) else "text",
            "value": getattr(own, name, sample),
        }
        for name, sample in rules.params.items()
        if name != "province_code"
    ]

    start = sorted(rules.start_data.get(process_id, frozenset()))
    written = {name for key in task_forms.FORMS for name in rules.form_writes(key)}
    names = sorted(set(start) | written | set(VARIABLE_LABELS) | set(OPERATION_RESULTS.values()))
    return {
        "process_id": process_id,
        "province": province,
        "province_name": regions.label(province) or province,
        "day": day.isoformat(),
        "roles": roles,
        "forms": forms,
        "operations": operations,
        "time_limits": time_limits,
        "params": params,
        "start_data": start,
        "variables": [_variable(name) for name in names],
        "functions": sorted(rules.functions),
    }


@bp.get("/processes/<process_id>/catalog.json")
@role_required(OWNER_ROLE)
def catalog(process_id: str):
    session = db()
    province = process_versions.province_of(current_user)
    if process_id not in process_versions.national_process_ids(session):
        abort(404)
    day = system().runtime.clock.now().astimezone(CHINA_TZ).date()
    response = jsonify(catalog_for(session, process_id, province, day))
    response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
