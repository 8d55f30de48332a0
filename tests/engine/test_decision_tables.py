"""决策表 in the engine: a shipped `<name>.dmn` beside `<name>.bpmn` is that version's
decision tables; a document with several decisions is split so a business-rule task runs
the one it names (SpiffWorkflow's DMN parser reads only a document's first decision)."""

from __future__ import annotations

from sqlalchemy import select

from engine.decisions import decision_infos, parse_dmn_text, split_decisions
from engine.models import ProcessInstance, SpecVersion
from engine.specs import SpecRegistry

FLOW = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
                  id="rule_flow_definitions" targetNamespace="https://quotacert.example/bpmn/test">
  <bpmn:process id="rule_flow" name="决策表测试流程" isExecutable="true">
    <bpmn:laneSet id="rule_flow_lanes">
      <bpmn:lane id="system" name="系统">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>decide</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="employer" name="用人单位">
        <bpmn:flowNodeRef>fill</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide" />
    <bpmn:businessRuleTask id="decide" name="定级">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>grade</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="fill" />
    <bpmn:userTask id="fill" name="填写申请">
      <bpmn:extensionElements>
        <spiffworkflow:properties><spiffworkflow:property name="form" value="engine_fill" /></spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="fill" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _table(decision_id: str, name: str, output: str, rows: list[tuple[str, str]]) -> str:
    rules = "".join(
        f'<rule id="{decision_id}_r{i}"><inputEntry id="{decision_id}_i{i}"><text>{cond}</text></inputEntry>'
        f'<outputEntry id="{decision_id}_o{i}"><text>{value}</text></outputEntry></rule>'
        for i, (cond, value) in enumerate(rows)
    )
    return (
        f'<decision id="{decision_id}" name="{name}"><decisionTable id="{decision_id}_t">'
        f'<input id="{decision_id}_in" label="人数"><inputExpression id="{decision_id}_e" typeRef="integer">'
        f"<text>persons</text></inputExpression></input>"
        f'<output id="{decision_id}_out" label="结果" name="{output}" typeRef="string" />{rules}'
        f"</decisionTable></decision>"
    )


DMN = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="tables" name="决策表" '
    'namespace="http://camunda.org/schema/1.0/dmn">'
    + _table("first", "第一张", "first_result", [("-", '"甲"')])
    + _table("grade", "定级", "grade", [("&lt; 3", '"少"'), ("? &gt;= 3 and ? &lt; 10", '"中"'), ("&gt;= 10", '"多"')])
    + "</definitions>"
)


def test_a_document_with_two_decisions_is_split_one_per_decision():
    root = parse_dmn_text(DMN)
    assert [(d.id, d.name, d.hit_policy, d.rules) for d in decision_infos(root)] == [
        ("first", "第一张", "UNIQUE", 1), ("grade", "定级", "UNIQUE", 3),
    ]
    documents = split_decisions(root)
    assert [[d.id for d in decision_infos(doc)] for doc in documents] == [["first"], ["grade"]]


def test_a_shipped_dmn_beside_its_diagram_is_the_versions_tables(env, tmp_path):
    (tmp_path / "rule_flow.bpmn").write_text(FLOW, encoding="utf-8")
    (tmp_path / "rule_flow.dmn").write_text(DMN, encoding="utf-8")
    registry = SpecRegistry(tmp_path)
    with env.tx() as s:
        added = registry.sync(s)
        assert [v.filename for v in added] == ["rule_flow.bpmn"]
        assert registry.rejected == {}
    env.runtime.registry = registry
    for persons, grade in ((1, "少"), (5, "中"), (12, "多")):
        iid = env.start("rule_flow", case_ref=f"case:{persons}", data={"persons": persons})
        env.task(iid, "fill")  # the table ran on the way there
        with env.tx() as s:
            assert env.runtime.data_of(s, s.get(ProcessInstance, iid))["grade"] == grade
    with env.tx() as s:
        version = s.scalars(select(SpecVersion).where(SpecVersion.process_id == "rule_flow")).one()
        assert "grade" in version.dmn_xml

    # the table changed on disk: a new version, the diagram file itself untouched
    (tmp_path / "rule_flow.dmn").write_text(DMN.replace('"多"', '"很多"'), encoding="utf-8")
    with env.tx() as s:
        assert len(registry.sync(s)) == 1
    # a broken table leaves the diagram out, reported, without stopping the others
    (tmp_path / "rule_flow.dmn").write_text("<definitions", encoding="utf-8")
    with env.tx() as s:
        assert registry.sync(s) == []
    assert "rule_flow.bpmn" in registry.rejected
