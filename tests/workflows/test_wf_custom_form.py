"""自定义表单 (issue 14): a process owner gives a step a form of their own, with no code.

内蒙古's 年审认证审核 is turned into a 现场核查 step with its own form-js form (a date, a
choice the gateway after it reads, a number, a note, a yes/no and an attachment); the
diagram is published through the owner's service, the next Hohhot case takes the step,
the form validates (Chinese messages, nothing completed on bad input), its values go into
the task data for the gateway and into the case's history, and a bad form design is
refused when the diagram is saved, naming its task."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest
from sqlalchemy import select
from wfkit import case_row, confirmed_person, declare, inbox, inbox_row

from casework import custom_forms, process_versions
from casework.models import DecisionRecord, Placement, Unit, User
from casework.schemas.review import CustomFormInput
from domain.errors import DomainError, FieldErrors
from engine.specs import SpecError

VARIANT = Path(__file__).resolve().parents[2] / "workflows" / "150000" / "annual_certification.bpmn"
SCHEMA = {
    "type": "default",
    "components": [
        {"type": "text", "text": "请按现场核查情况填写"},
        {"type": "datetime", "subtype": "date", "key": "checked_on", "label": "核查日期", "validate": {"required": True}},
        {"type": "radio", "key": "conclusion", "label": "核查结论", "validate": {"required": True},
         "values": [{"label": "情况属实", "value": "approve"}, {"label": "情况不符，退回修改", "value": "return"}]},
        {"type": "number", "key": "people_seen", "label": "现场见到人数", "validate": {"min": 0, "max": 500}},
        {"type": "textarea", "key": "remarks", "label": "核查说明"},
        {"type": "checkbox", "key": "signed", "label": "单位负责人已签字确认", "validate": {"required": True}},
        {"type": "filepicker", "key": "photos", "label": "现场照片"},
    ],
}


def with_form(schema: dict | str) -> str:
    """Inner Mongolia's diagram with 年审认证审核 made a custom-form step read by the gateway."""
    xml = VARIANT.read_text(encoding="utf-8")
    start = xml.index('    <bpmn:userTask id="certification_review"')
    end = xml.index("</bpmn:userTask>", start) + len("</bpmn:userTask>")
    text = schema if isinstance(schema, str) else json.dumps(schema, ensure_ascii=False)
    task = f"""    <bpmn:userTask id="certification_review" name="现场核查">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="form" value="custom" />
          <spiffworkflow:property name="stage" value="年审认证审核" />
          <spiffworkflow:property name="form_schema" value="{escape(text, quote=True)}" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>"""
    xml = xml[:start] + task + xml[end:]
    old = '<bpmn:conditionExpression>decision == "approve"</bpmn:conditionExpression>\n    </bpmn:sequenceFlow>\n    <bpmn:sequenceFlow id="f_review_returned"'
    assert old in xml
    xml = xml.replace(old, old.replace('decision == "approve"', 'conclusion == "approve"'))
    # the return reads the form's own note (the path check finds a decision_reason no step gives)
    return xml.replace("return_declaration(case_id, decision_reason)", "return_declaration(case_id, remarks)")


def _publish(system, owner, xml: str) -> None:
    with system.transaction() as s:
        draft = process_versions.save_draft(s, system.registry, owner, xml.encode(), process_id="annual_certification",
                                            source="upload", note="现场核查")
        draft_id = draft.id
    with system.transaction() as s:
        process_versions.publish(s, system.registry, owner, draft_id, system.runtime.clock.now())


def _hohhot(system):
    with system.transaction() as s:
        unit = s.scalars(select(Unit).where(Unit.cdpf_region.like("1501%")).order_by(Unit.id)).first()
        return unit, s.scalar(select(User).where(User.unit_id == unit.id))


def _fill(system, user, task_id, values, page=False, attachment_ids=()):
    with system.transaction() as s:
        return custom_forms.fill(s, system, user, task_id,
                                 CustomFormInput(values=values, page=page, attachment_ids=list(attachment_ids)))


def test_a_step_with_its_own_form_runs_without_code(system, population, staff):
    _publish(system, staff("owner_nmg"), with_form(SCHEMA))
    unit, user = _hohhot(system)
    pid = confirmed_person(system, unit, user, population)
    with system.transaction() as s:
        case_id = s.get(Placement, pid).case_id
    declare(system, user, case_id)
    iid = case_row(system, case_id).instance_id
    assert inbox(system, iid) == [("certification_review", "reviewer")]
    task = inbox_row(system, iid, "certification_review")
    assert task.form == "custom" and task.title == "现场核查"
    reviewer = staff("reviewer_huhhot")

    with pytest.raises(FieldErrors) as bad:  # required fields, wrong types, out of range: nothing done
        _fill(system, reviewer, task.task_id, {"conclusion": "maybe", "people_seen": -1, "checked_on": "2026-02-30"})
    errors = bad.value.errors
    assert set(errors) >= {"conclusion", "people_seen", "checked_on", "signed"}, errors
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in errors.values())
    with pytest.raises(FieldErrors):  # JSON is held to its types: a number is not text
        _fill(system, reviewer, task.task_id, {"checked_on": "2026-04-15", "conclusion": "approve",
                                              "people_seen": "3", "signed": True})
    assert inbox(system, iid) == [("certification_review", "reviewer")]

    # the page sends text: "3", "on"
    message = _fill(system, reviewer, task.task_id, {"checked_on": "2026-04-15", "conclusion": "return",
                                                    "people_seen": "3", "remarks": "岗位与申报不符", "signed": "on"},
                    page=True)
    assert message == "已提交"
    # the gateway read the form's choice: returned to the unit, declared again
    assert ("declare", "employer") in inbox(system, iid)
    with system.transaction() as s:
        entry = s.scalars(select(DecisionRecord).where(DecisionRecord.case_id == case_id)).one()
        assert entry.step == "现场核查" and entry.outcome_label == "已填写"
        assert "核查结论：情况不符，退回修改" in entry.reason and "现场见到人数：3" in entry.reason
        assert entry.detail == {"checked_on": "2026-04-15", "conclusion": "return", "people_seen": 3,
                                "remarks": "岗位与申报不符", "signed": True, "photos": []}

    declare(system, user, case_id)
    task = inbox_row(system, iid, "certification_review")
    _fill(system, reviewer, task.task_id, {"checked_on": "2026-04-16", "conclusion": "approve", "signed": True})
    assert inbox(system, iid) == [("send_to_tax", "reviewer")]


@pytest.mark.parametrize(("schema", "expected"), [
    ({"components": []}, "至少须有一个填写项"),
    ("{not json", "不是有效的JSON"),
    ({"components": [{"type": "textfield", "key": "decision", "label": "结论"}]}, "已被系统使用"),
    ({"components": [{"type": "textfield", "key": "Bad Key", "label": "甲"}]}, "字段名"),
    ({"components": [{"type": "iframe", "key": "x", "label": "网页"}]}, "不支持的控件"),
    ({"components": [{"type": "select", "key": "x", "label": "乙", "valuesKey": "remote"}]}, "须列出可选项"),
    ({"components": [{"type": "datetime", "subtype": "datetime", "key": "x", "label": "丙"}]}, "只支持日期"),
])
def test_a_bad_form_design_is_refused_on_its_task(system, staff, schema, expected):
    with system.transaction() as s, pytest.raises(SpecError) as refused:
        process_versions.save_draft(s, system.registry, staff("owner_nmg"), with_form(schema).encode(),
                                    process_id="annual_certification", source="upload")
    found = {p.element: p.message for p in refused.value.problems}
    assert "certification_review" in found and expected in found["certification_review"], found


def test_a_gateway_reading_a_field_the_form_does_not_have_is_refused(system, staff):
    schema = {"components": [{"type": "textfield", "key": "remarks", "label": "说明"}]}
    with system.transaction() as s, pytest.raises(SpecError) as refused:
        process_versions.save_draft(s, system.registry, staff("owner_nmg"), with_form(schema).encode(),
                                    process_id="annual_certification", source="upload")
    assert any("conclusion" in p.message for p in refused.value.problems), refused.value.problems


def test_only_the_steps_form_is_accepted(system, staff):
    with system.transaction() as s, pytest.raises(DomainError):
        custom_forms.fill(s, system, staff("reviewer_huhhot"), "no-such-task", CustomFormInput(values={}))


def test_the_path_check_finds_data_no_step_before_gives(system, staff):
    """Every variable is known somewhere in the diagram (a decision writes decision_reason),
    so the reading checks pass; only walking the paths shows that after this step nobody
    gave one: publishing is refused on the script that reads it."""
    xml = with_form(SCHEMA).replace("return_declaration(case_id, remarks)", "return_declaration(case_id, decision_reason)")
    with pytest.raises(SpecError) as refused:
        _publish(system, staff("owner_nmg"), xml)
    assert [p.element for p in refused.value.problems] == ["return_declaration"]
    assert "decision_reason" in refused.value.problems[0].message
