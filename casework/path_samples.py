"""The sample data a 路径检查 walks a diagram with (see `engine.path_check`).

Each entry is what the product really does at that kind of wait, without its side
effects: the submissions each registered form makes (the values its command completes
the task with), the results each service operation answers, the messages the system
sends (撤回/反馈 requests, the tax side's confirmation, 删除), and for each function a
script may call, its possible results (`find_declaration_problem` answers "" or a reason,
`record_tax_confirmation` 一致 or 不一致). Parameters and time limits are the province's
own on the walk's day, so a path a parameter closes (say 撤回 without a supervisor) is
shown as not reached rather than walked.

A form, operation or function without samples here makes the walk stop with a problem
naming it: a new registered form must say how it is submitted before a diagram using it
can be walked.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from casework import (
    cases,
    custom_forms,
    decisions,
    placements,
    process_rules,
    supervision,
    window_step,
)
from casework.case_requests import FEEDBACK, WITHDRAW
from casework.case_requests import MESSAGES as REQUEST_MESSAGES
from casework.schemas.window import MATERIALS, MODES
from casework.tax_exchange import MESSAGE as TAX_MESSAGE
from casework.window_acceptance import MESSAGE as WINDOW_MESSAGE
from domain.params import params_for
from engine.clock import CHINA_TZ
from engine.path_check import Alternatives, PathReport, Samples, walk
from engine.specs import ParsedSpec

REASON = "路径检查"

FORM_SAMPLES: dict[str, Callable[[dict], Alternatives]] = {
    "placement_register": lambda props: [("提交安置登记", {})],
    "placement_months": lambda props: [
        ("仅申报核验通过的月份", {"months_action": "save", "selected_months": [1, 2, 3], "claimed_months": []}),
        ("申报核验未通过的月份", {"months_action": "save", "selected_months": [1, 2, 3], "claimed_months": [3]}),
        ("返回修改", {"months_action": "back", "selected_months": [], "claimed_months": []}),
    ],
    "placement_review": lambda props: [
        ("认定月份", {"review": {"decisions": {"3": {"valid": True, "reason": ""}}, "reviewer": REASON}}),
    ],
    "placement_result": lambda props: [
        ("接受审核结果", {"result_action": "accept"}),
        ("重新登记", {"result_action": "re_register"}),
    ],
    cases.FORM_DECLARE: lambda props: [("完成申报", {"pledge_read": True, "declared_by_staff": False})],
    "case_send_tax": lambda props: [("发送税务部门", {})],
    decisions.FORM_KEY: lambda props: [
        (label, {"decision": outcome, "decision_reason": REASON, "decision_attachments": [], "decided_by": REASON})
        for outcome, label in decisions.options(props).outcomes.items()
    ],
    supervision.FORM_KEY: lambda props: [
        (label, {"supervision": action, "supervision_assignee": ""}) for action, label in supervision.ACTIONS.items()
    ][:1],
    "reward_correct": lambda props: [("重新提交初审", {})],
    "levy_relief_correct": lambda props: [("重新提交初审", {})],
    "graduate_subsidy_correct": lambda props: [("重新提交初审", {})],
    "placement_end_correct": lambda props: [("重新提交初审", {})],
    window_step.FORM_KEY: lambda props: [
        ("受理", {"window_outcome": "accept", "window_reason": "", "window_materials": list(MATERIALS)}),
        ("不予受理", {"window_outcome": "refuse", "window_reason": REASON, "window_materials": []}),
    ],
}

def _custom_samples(props: dict) -> Alternatives:
    """A process owner's own form: typical values, and each option of each choice (a
    gateway after it may branch on one)."""
    try:
        form = custom_forms.parse_schema(props.get(custom_forms.SCHEMA_PROPERTY, ""), custom_forms.reserved_names())
    except custom_forms.SchemaError:
        return []
    typical = {"textfield": REASON, "textarea": REASON, "datetime": "2026-01-01", "checkbox": True, "filepicker": []}
    base = {}
    for f in form.fields:
        if f.kind == "number":
            base[f.key] = f.minimum if f.minimum is not None else (f.maximum if f.maximum is not None and f.maximum < 1 else 1)
        elif f.kind in ("select", "radio"):
            base[f.key] = f.options[0][0]
        else:
            base[f.key] = typical[f.kind]
    found: Alternatives = [("填写提交", base)]
    for f in form.fields:
        for value, label in f.options[1:]:
            found.append((f"{f.label}：{label}", {**base, f.key: value}))
    return found


FORM_SAMPLES[custom_forms.FORM_KEY] = _custom_samples

OPERATION_SAMPLES: dict[str, Callable[[dict], Alternatives]] = {
    "verify_months": lambda params: [("核验完成", {"months": {}, "sources": {}})],
    "push_tax_result": lambda params: [("税务部门已接收", {"receipt_no": "PATH-CHECK", "idempotency_key": "path-check"})],
}

MESSAGE_SAMPLES: dict[str, Alternatives] = {
    **{name: [(f"单位提出{label}", {"request_id": 0})] for name, label in
       ((REQUEST_MESSAGES[WITHDRAW], "年审申报撤回"), (REQUEST_MESSAGES[FEEDBACK], "年审认证反馈"))},
    TAX_MESSAGE: [("税务部门反馈核对结果", {"consistent": True, "idempotency_key": "path-check"})],
    placements.REMOVE_MESSAGE: [("单位删除该人员", {})],
    # 浙江 窗口受理: a county window (330106) receives a unit's papers
    WINDOW_MESSAGE: [
        (f"服务窗口{label}", {"acceptance_id": 0, "window_region": "330106", "immediate": mode == "immediate"})
        for mode, label in MODES.items()
    ],
}


def _day(run) -> date:
    return run.clock.now().astimezone(CHINA_TZ).date()


def _iso_now(run, *args, **kwargs) -> Alternatives:
    return [("", run.clock.now().isoformat())]


def _nothing(run, *args, **kwargs) -> Alternatives:
    return [("", None)]


def function_samples(province: str) -> dict[str, Callable[..., Alternatives]]:
    """The dry stand-ins of the script functions, with the province's parameters."""

    def time_limit(run, name) -> Alternatives:
        return [("", int(getattr(params_for(province, _day(run)).time_limits, str(name))))]

    def province_param(run, name) -> Alternatives:
        return [("", getattr(params_for(province, _day(run)), str(name)))]

    return {
        "time_limit": time_limit,
        "province_param": province_param,
        "find_declaration_problem": lambda run, *a, **k: [
            ("可以完成申报", ""), ("尚不能完成申报", "还有人员未“已审核确认”")],
        "record_tax_confirmation": lambda run, *a, **k: [("税务核对一致", True), ("税务核对不一致", False)],
        "relief_granted": lambda run, *a, **k: [("本年度已报送税务", True), ("尚未报送税务", False)],
        "placement_end_approved": lambda run, *a, **k: [
            ("已报送税务，有月份不再计入", {"sent_to_tax": True, "months_removed": 1}),
            ("尚未报送税务", {"sent_to_tax": False, "months_removed": 1})],
        "lock_case": _iso_now,
        "certify_case": _iso_now,
        **{name: _nothing for name in (
            "record_month_checks", "confirm_by_system", "submit_for_review", "apply_review", "notify_review_done",
            "reset_registration", "accept_review_result", "remove_placement", "return_declaration",
            "release_certificate", "mark_sent_to_tax", "refuse_request", "withdraw_certification",
            "reopen_for_feedback", "close_window_acceptance", "reward_status", "reward_approved", "reward_rejected",
            "relief_status", "relief_refused", "record_tax_correction",
            "graduate_status", "graduate_approved", "graduate_refused",
            "placement_end_status", "placement_end_refused", "placement_end_sent",
        )},
    }


def _from(table: dict[str, Callable[[dict], Alternatives]]) -> Callable[[str, dict], Alternatives | None]:
    def answer(key: str, given: dict) -> Alternatives | None:
        make = table.get(key)
        return make(given) if make is not None else None

    return answer


def samples_for(process_id: str, province: str) -> Samples:
    start = {name: 0 if name.endswith("_id") else False for name in process_rules.START_DATA.get(process_id, ())}
    return Samples(
        forms=_from(FORM_SAMPLES),
        operations=_from(OPERATION_SAMPLES),
        messages=MESSAGE_SAMPLES,
        functions=function_samples(province),
        start_data=start,
    )


def check_paths(parsed: ParsedSpec, province: str, start: datetime, holidays=None) -> PathReport:
    """Walk a version's paths as a case of `province` ("" for the national default) would."""
    samples = samples_for(parsed.process_id, province)  # "": the national parameters
    return walk(parsed.spec, parsed.subprocess_specs, samples, start, holidays)
