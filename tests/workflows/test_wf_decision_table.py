"""决策表 (issue 14): a process owner's business-rule task decides with a DMN table stored
with the version.

内蒙古's diagram gets a 审核分流 step after 完成申报: a decision table says whether a case
needs 年审认证审核 (a declaration the window's staff made for the unit does not; one the
unit made itself does). The diagram and its table are saved and published through the
owner's service; the next Hohhot case follows the table; a new version of the table alone
is a new version of the process, and a case started on the old one keeps the old rules.
A table that calls for unknown data, a policy the engine does not run, or a task that
names no table is refused when saved, naming the decision or the task."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from wfkit import case_row, confirmed_person, declare, inbox

from casework import process_versions
from casework.models import Placement, Unit, User
from engine.models import ProcessInstance, SpecVersion
from engine.specs import SpecError

ROOT = Path(__file__).resolve().parents[2]
VARIANT = ROOT / "workflows" / "150000" / "annual_certification.bpmn"
TABLE = (Path(__file__).resolve().parent / "diagrams" / "review_route.dmn").read_text(encoding="utf-8")


def with_rule_task(decision_id: str = "review_route") -> str:
    """内蒙古's diagram with 审核分流 (a business-rule task) and a gateway before the review."""
    xml = VARIANT.read_text(encoding="utf-8")
    old = '<bpmn:sequenceFlow id="f_lock_review" sourceRef="lock_case" targetRef="certification_review" />'
    assert old in xml
    called = f"<spiffworkflow:calledDecisionId>{decision_id}</spiffworkflow:calledDecisionId>" if decision_id else ""
    new = f"""<bpmn:sequenceFlow id="f_lock_route" sourceRef="lock_case" targetRef="route_review" />
    <bpmn:businessRuleTask id="route_review" name="审核分流">
      <bpmn:extensionElements>{called}</bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f_route_gw" sourceRef="route_review" targetRef="review_needed_gw" />
    <bpmn:exclusiveGateway id="review_needed_gw" name="需要审核？" default="f_no_review" />
    <bpmn:sequenceFlow id="f_needs_review" name="需要" sourceRef="review_needed_gw" targetRef="certification_review">
      <bpmn:conditionExpression>review_needed</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no_review" name="免审" sourceRef="review_needed_gw" targetRef="certify" />"""
    xml = xml.replace(old, new)
    ref = "<bpmn:flowNodeRef>lock_case</bpmn:flowNodeRef>"
    return xml.replace(ref, ref + "<bpmn:flowNodeRef>route_review</bpmn:flowNodeRef><bpmn:flowNodeRef>review_needed_gw</bpmn:flowNodeRef>")


def _save(system, owner, xml: str, dmn: str) -> int:
    with system.transaction() as s:
        draft = process_versions.save_draft(s, system.registry, owner, xml.encode(), process_id="annual_certification",
                                            source="modeler", note="审核分流", dmn=dmn)
        return draft.id


def _publish(system, owner, xml: str, dmn: str) -> int:
    draft_id = _save(system, owner, xml, dmn)
    with system.transaction() as s:
        process_versions.publish(s, system.registry, owner, draft_id, system.runtime.clock.now())
    return draft_id


def _hohhot(system):
    with system.transaction() as s:
        unit = s.scalars(select(Unit).where(Unit.cdpf_region.like("1501%")).order_by(Unit.id)).first()
        return unit, s.scalar(select(User).where(User.unit_id == unit.id))


def _declared_case(system, population, unit, user, index: int = 0) -> tuple[int, int]:
    pid = confirmed_person(system, unit, user, population, index)
    with system.transaction() as s:
        case_id = s.get(Placement, pid).case_id
    return case_id, case_row(system, case_id).instance_id


RELAXED = TABLE.replace('<outputEntry id="rule_unit_out"><text>True</text>', '<outputEntry id="rule_unit_out"><text>False</text>')


def test_a_decision_table_routes_the_case_and_its_version_keeps_its_rules(system, population, staff):
    owner = staff("owner_nmg")
    first = _publish(system, owner, with_rule_task(), TABLE)
    with system.transaction() as s:
        assert "review_route" in s.get(SpecVersion, first).dmn_xml
    unit, user = _hohhot(system)
    case_id, iid = _declared_case(system, population, unit, user)
    declare(system, user, case_id)
    # the unit declared itself: the table says review
    assert inbox(system, iid) == [("certification_review", "reviewer")]

    # the owner changes only the table: a new version, while the case keeps its own
    second = _publish(system, owner, with_rule_task(), RELAXED)
    assert second != first
    with system.transaction() as s:
        assert s.get(ProcessInstance, iid).spec_version_id == first
    assert inbox(system, iid) == [("certification_review", "reviewer")]


def test_a_changed_table_changes_the_route_of_new_cases(system, population, staff):
    _publish(system, staff("owner_nmg"), with_rule_task(), RELAXED)
    unit, user = _hohhot(system)
    case_id, iid = _declared_case(system, population, unit, user)
    declare(system, user, case_id)
    # a unit's own declaration needs no review under the changed table: on to the tax push
    assert inbox(system, iid) == [("send_to_tax", "reviewer")]


@pytest.mark.parametrize(("xml_decision", "table", "element", "expected"), [
    ("", TABLE, "route_review", "没有指定决策表"),
    ("no_such_table", TABLE, "route_review", "决策表“no_such_table”不存在"),
    ("review_route", TABLE.replace('hitPolicy="UNIQUE"', 'hitPolicy="FIRST"'), "review_route", "命中策略“FIRST”不受支持"),
    ("review_route", TABLE.replace("<text>declared_by_staff</text>", "<text>staff_count_unknown</text>"),
     "review_route", "“staff_count_unknown”在流程中没有来源"),
    ("review_route", TABLE.replace('<inputEntry id="rule_unit_in"><text>False</text>', '<inputEntry id="rule_unit_in"><text>否</text>'),
     "review_route", "第2条规则"),
    ("review_route", TABLE.replace('name="review_needed"', 'name=""'), "review_route", "须有输出名称"),
    ("review_route", TABLE.replace("<text>False</text></outputEntry>", "<text>__import__('os')</text></outputEntry>", 1),
     "review_route", "不能使用"),
    ("review_route", "<definitions", "", "决策表文件不是有效的XML"),
    ("review_route", '<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>',
     "", "不是DMN决策表"),
])
def test_a_bad_decision_table_is_refused_naming_it(system, staff, xml_decision, table, element, expected):
    owner = staff("owner_nmg")
    with system.transaction() as s:
        before = s.scalar(select(SpecVersion.id).order_by(SpecVersion.id.desc()).limit(1))
    with pytest.raises(SpecError) as refused:
        _save(system, owner, with_rule_task(xml_decision), table)
    problems = {p.element: p.message for p in refused.value.problems}
    assert element in problems, problems
    assert expected in problems[element], problems
    with system.transaction() as s:  # nothing half-stored
        assert s.scalar(select(SpecVersion.id).order_by(SpecVersion.id.desc()).limit(1)) == before


def test_a_diagram_without_tables_is_unchanged(system, staff):
    """No DMN: the version's identity is its diagram alone, as before decision tables."""
    from engine.specs import content_hash

    xml = VARIANT.read_text(encoding="utf-8")
    assert content_hash(xml) == content_hash(xml, "")
    assert content_hash(xml, TABLE) != content_hash(xml)


def test_the_version_diff_lists_a_changed_rule():
    from casework.process_diff import compare

    xml = with_rule_task()
    diff = compare(xml, xml, TABLE, RELAXED)
    assert [c.element for c in diff.changed] == ["review_route"]
    assert diff.changed[0].title == "修改决策表“是否需要年审认证审核”（review_route）"
    assert diff.changed[0].details == ("第2条规则：条件 False；结果 True → 条件 False；结果 False",)
    added = compare(VARIANT.read_text(encoding="utf-8"), xml, "", TABLE)
    assert "review_route" in [c.element for c in added.added] and "route_review" in [c.element for c in added.added]


def test_a_case_past_its_table_migrates_to_a_version_with_another_table(system, population, staff):
    """A case waiting in 年审认证审核 moves to a version whose table changed (the task it
    waits in is the same); a case still before the table would then decide by the new one."""
    from casework import process_migration

    owner = staff("owner_nmg")
    first = _publish(system, owner, with_rule_task(), TABLE)
    unit, user = _hohhot(system)
    case_id, iid = _declared_case(system, population, unit, user)
    declare(system, user, case_id)
    second = _publish(system, owner, with_rule_task(), RELAXED)
    with system.transaction() as s:
        checks = process_migration.dry_run(s, system.runtime, owner, first, second)
    assert [(c.instance_id, c.movable) for c in checks] == [(iid, True)], checks
    report = process_migration.migrate_batch(system, owner, first, second)
    assert (len(report.moved), report.refused, report.failed) == (1, [], [])
    with system.transaction() as s:
        assert s.get(ProcessInstance, iid).spec_version_id == second
    assert inbox(system, iid) == [("certification_review", "reviewer")]


def test_the_cli_publishes_a_diagram_with_the_tables_beside_it(tmp_path, monkeypatch, capsys):
    """`quotacert process publish x.bpmn --province 150000` takes x.dmn beside it, as the
    shipped files do (or --dmn FILE), with the page's checks."""
    from webapp import cli

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'q.db'}")
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    cli.db_upgrade()
    (tmp_path / "annual_certification.bpmn").write_text(with_rule_task(), encoding="utf-8")
    (tmp_path / "annual_certification.dmn").write_text(TABLE, encoding="utf-8")
    cli.main(["process", "publish", str(tmp_path / "annual_certification.bpmn"), "--province", "150000"])
    assert "已发布：annual_certification（150000）V2" in capsys.readouterr().out
    (tmp_path / "broken.dmn").write_text(TABLE.replace('hitPolicy="UNIQUE"', 'hitPolicy="ANY"'), encoding="utf-8")
    with pytest.raises(SystemExit) as refused:
        cli.main(["process", "publish", str(tmp_path / "annual_certification.bpmn"), "--province", "150000",
                  "--dmn", str(tmp_path / "broken.dmn")])
    assert "命中策略“ANY”不受支持" in str(refused.value)
