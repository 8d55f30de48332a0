"""路径检查 (engine.path_check with casework.path_samples): every shipped diagram is walked
to its ends with the product's sample data, each element reached unless a parameter
closes its branch; a diagram whose paths break is reported on the element that breaks.
No database: the walk runs in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

import casework.flow_functions  # noqa: F401  (registers the script functions)
from casework import path_samples, task_forms
from engine.clock import CHINA_TZ
from engine.path_check import walk
from engine.specs import ParsedSpec, parse_bpmn

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2031, 4, 1, 9, 0, tzinfo=CHINA_TZ)  # after chinese-calendar's years too


@pytest.fixture(scope="module", autouse=True)
def _forms() -> None:
    task_forms.load_forms()


def parsed(xml: str) -> ParsedSpec:
    process_id, spec, subprocess_specs = parse_bpmn(xml)
    return ParsedSpec(0, process_id, spec, subprocess_specs, ())


def shipped(name: str) -> str:
    return (ROOT / "workflows" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "province", "closed"), [
    ("placement_review.bpmn", "", set()),
    ("150000/annual_certification.bpmn", "150000", set()),
    # nationally a withdrawal needs no supervisor (withdrawal_needs_supervisor false)
    ("annual_certification.bpmn", "", {"withdraw_confirm", "withdraw_confirmed"}),
    # 浙江 too; its window path (窗口受理, the 3-day escalation, 属地审核) is walked in full
    ("330000/annual_certification.bpmn", "330000", {"withdraw_confirm", "withdraw_confirmed"}),
])
def test_every_shipped_diagram_walks_to_its_ends(name: str, province: str, closed: set[str]) -> None:
    report = path_samples.check_paths(parsed(shipped(name)), province, START)
    assert report.ok, report.problems
    assert not report.truncated
    assert {element for element, _ in report.unreached} == closed
    assert all(p.outcome in ("completed", "resting") for p in report.paths)
    assert any(p.outcome == "completed" for p in report.paths)


def test_each_decision_outcome_and_timer_is_walked() -> None:
    report = path_samples.check_paths(parsed(shipped("150000/annual_certification.bpmn")), "150000", START)
    texts = {step.text for path in report.paths for step in path.steps}
    assert {"年审认证审核：年审认证审核通过", "年审认证审核：退回修改"} <= texts
    assert any(t.startswith("时限到期：20个工作日未发送") for t in texts)  # the boundary timer on 发送税务部门
    assert "税务反馈不一致处理：维持原报送结果" in texts


def test_the_window_path_is_walked_with_the_window_samples() -> None:
    report = path_samples.check_paths(parsed(shipped("330000/annual_certification.bpmn")), "330000", START)
    texts = {step.text for path in report.paths for step in path.steps}
    assert {"收到消息：服务窗口当场受理", "收到消息：服务窗口暂缓受理", "窗口受理：受理", "窗口受理：不予受理",
            "属地审核：审核通过（代单位完成申报）", "属地审核：退回单位"} <= texts
    assert any(t.startswith("时限到期：3个工作日未受理") for t in texts)
    assert {"window_finished", "window_finished_end", "window_supervised_end"} <= report.reached


def test_a_condition_on_data_no_step_before_produced_stops_the_walk_at_its_gateway() -> None:
    xml = shipped("placement_review.bpmn").replace('months_action == "back"', 'result_action == "back"', 1)
    report = path_samples.check_paths(parsed(xml), "", START)
    assert not report.ok
    assert any(p.element in ("choice", "f_choice_back") or "result_action" in p.message for p in report.problems)
    assert any("result_action" in p.message for p in report.problems)
    assert any(p.outcome == "stopped" for p in report.paths)


def test_a_wait_for_a_message_the_system_never_sends_is_reported() -> None:
    samples = path_samples.samples_for("annual_certification", "")
    without_tax = replace(samples, messages={k: v for k, v in samples.messages.items() if k != "tax_confirmation"})
    spec = parsed(shipped("annual_certification.bpmn"))
    report = walk(spec.spec, spec.subprocess_specs, without_tax, START)
    assert any("流程停在此处" in p.message for p in report.problems)


def test_a_function_without_a_dry_stand_in_is_named() -> None:
    samples = path_samples.samples_for("annual_certification", "")
    functions = {k: v for k, v in samples.functions.items() if k != "lock_case"}
    spec = parsed(shipped("annual_certification.bpmn"))
    report = walk(spec.spec, spec.subprocess_specs, replace(samples, functions=functions), START)
    assert any("lock_case" in p.message and p.element == "lock_case" for p in report.problems), report.problems


def test_a_form_without_samples_is_named() -> None:
    samples = path_samples.samples_for("placement_review", "")
    spec = parsed(shipped("placement_review.bpmn"))
    report = walk(spec.spec, spec.subprocess_specs, replace(samples, forms=lambda key, props: None), START)
    assert [p.element for p in report.problems] == ["register"]
    assert "placement_register" in report.problems[0].message
