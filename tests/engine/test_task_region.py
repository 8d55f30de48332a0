"""`region_from`: a task property naming the variable whose region code the task's inbox
row gets (浙江's 窗口受理: the window that received a unit's papers, not the unit's
jurisdiction, must find the task). The diagram check refuses a variable without a source;
a value that is no region code leaves the task with the instance's jurisdiction."""

from __future__ import annotations

import pytest

import casework.flow_functions  # noqa: F401  (registers the script functions)
from casework import task_forms
from engine.lanes import LaneTable
from engine.script_engine import registered_functions
from engine.validation import DiagramRules, check_diagram

ROUTED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="routed_definitions" targetNamespace="https://quotacert.example/bpmn/test">
  <bpmn:process id="engine_routed" name="按变量分派" isExecutable="true">
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="employer" name="用人单位">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>fill</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="window" name="窗口受理人员">
        <bpmn:flowNodeRef>receive</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:userTask id="fill" name="填写">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="FILL_FORM" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:userTask id="receive" name="窗口受理">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="window_acceptance" />
        <spiffworkflow:property name="region_from" value="REGION_VARIABLE" />
      </spiffworkflow:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:endEvent id="end" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="fill" />
    <bpmn:sequenceFlow id="f2" sourceRef="fill" targetRef="receive" />
    <bpmn:sequenceFlow id="f3" sourceRef="receive" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def routed(variable: str = "window_region", fill_form: str = "engine_fill") -> str:
    return ROUTED.replace("REGION_VARIABLE", variable).replace("FILL_FORM", fill_form)


@pytest.fixture(scope="module")
def rules() -> DiagramRules:
    forms = task_forms.load_forms()
    return DiagramRules(
        lanes=LaneTable(),
        form_rule=lambda key, role, props, table: task_forms.check_form(key, role, props, table.staff_roles),
        functions=frozenset(registered_functions()) | {"add_working_days", "now"},
        form_writes=lambda key: forms[key].writes if key in forms else (),
        start_data={"engine_routed": frozenset({"window_region"})},
    )


def test_the_check_accepts_a_known_variable_and_names_an_unknown_one(rules: DiagramRules) -> None:
    fill = "case_declare"  # an employer's form: the lane check passes
    assert check_diagram(routed(fill_form=fill), "r.bpmn", rules)[1] == []
    _checked, problems = check_diagram(routed("window_place", fill), "r.bpmn", rules)
    assert [p.element for p in problems] == ["receive"]
    assert "region_from" in problems[0].message and "“window_place”在流程中没有来源" in problems[0].message
    _checked, problems = check_diagram(routed("window-region", fill), "r.bpmn", rules)
    assert [p.element for p in problems] == ["receive"] and "须是一个变量名" in problems[0].message


@pytest.mark.parametrize(("given", "row_region"), [
    ("330108", "330108"),  # the window's county
    ("33010", "210302"),  # no region code: the instance's jurisdiction
    (None, "210302"),
])
def test_the_inbox_row_gets_the_region_the_variable_holds(env, given, row_region) -> None:
    with env.tx() as s:
        env.registry.register(s, routed(), "engine_routed.bpmn")
    iid = env.start("engine_routed", case_ref="case:7", region="210302")
    [fill] = env.inbox(iid)
    assert fill.region_code == "210302"  # no region_from: the instance's
    env.complete(iid, "fill", {"window_region": given})
    receive = env.task(iid, "receive")
    assert (receive.role, receive.region_code) == ("window_clerk", row_region)
