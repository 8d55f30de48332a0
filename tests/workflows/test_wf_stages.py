"""The 首页 progress bar is read from the diagram: the tasks' `stage` properties in flow
order, and the instance's place among them."""

from __future__ import annotations

from pathlib import Path

from wfkit import open_case

from casework import cases
from casework.models import CertificationCase
from engine.specs import parse_bpmn
from engine.stages import stage_order

ANNUAL = (Path(__file__).resolve().parents[2] / "workflows" / "annual_certification.bpmn").read_text(encoding="utf-8")


def test_the_shipped_stages_in_flow_order():
    _pid, spec, subs = parse_bpmn(ANNUAL)
    assert stage_order(spec, subs) == ["按比例安置登记", "完成申报", "发送税务部门"]
    # 001's wizard: the system-confirmed shortcut reaches 完成登记 early, the loops go back;
    # the order is how deep into the flow each stage sits
    placement = (Path(__file__).resolve().parents[2] / "workflows" / "placement_review.bpmn").read_text(encoding="utf-8")
    _pid, spec, _subs = parse_bpmn(placement)
    assert stage_order(spec) == ["安置登记", "人员信息校验", "材料审核", "完成登记"]


def test_a_province_that_adds_a_stage_shows_it(system, employer):
    """A province gives its 检查申报条件 step a stage of its own: the bar shows it, in its place."""
    variant = ANNUAL.replace(
        "<bpmn:script>declaration_problem",
        '<bpmn:extensionElements><spiffworkflow:properties><spiffworkflow:property name="stage" value="资格审查" />'
        "</spiffworkflow:properties></bpmn:extensionElements>\n      <bpmn:script>declaration_problem",
    )
    with system.transaction() as s:
        system.registry.register(s, variant, "210000/annual_certification.bpmn", "210000")
    unit, user = employer
    case_id = open_case(system, unit.id, user)
    with system.transaction() as s:
        stages = cases.stages(s, system, s.get(CertificationCase, case_id))
    assert [(st.name, st.state) for st in stages] == [
        ("按比例安置登记", "current"), ("资格审查", "todo"), ("完成申报", "todo"), ("发送税务部门", "todo"),
    ]
