"""自定义表单 in the 用人单位 lane (issue 14): a process owner adds a step the unit itself
fills, with a form of its own.

内蒙古's diagram gets a 补充说明 step in the employer's lane after 完成申报: its form-js
form asks for a contact, a choice the gateway after it reads (确认无误 goes on to
年审认证审核, 需要修改 unlocks the case and returns it to the unit), a number, a note and an
attachment. The diagram passes the publishing checks, the next Hohhot case takes the step,
the unit's employer fills it (bad input: Chinese messages per field, nothing completed),
another unit's employer cannot see or complete it, its values reach the gateway and the
case's history, and the staff's custom form keeps working beside it."""

from __future__ import annotations

import json
from html import escape
from pathlib import Path

import pytest
from sqlalchemy import select
from wfkit import case_row, confirmed_person, declare, inbox, inbox_row

from casework import custom_forms, process_versions, uploads
from casework.models import CertificationCase, DecisionRecord, Placement, Unit, User
from casework.schemas.review import CustomFormInput
from domain.errors import FieldErrors, NotFound
from tests.api.files import png_bytes

VARIANT = Path(__file__).resolve().parents[2] / "workflows" / "150000" / "annual_certification.bpmn"
SCHEMA = {
    "type": "default",
    "components": [
        {"type": "text", "text": "请补充说明本年度安置残疾人就业的情况"},
        {"type": "textfield", "key": "contact", "label": "联系人", "validate": {"required": True}},
        {"type": "radio", "key": "confirmation", "label": "申报情况", "validate": {"required": True},
         "values": [{"label": "确认申报无误", "value": "confirm"}, {"label": "需要修改申报", "value": "amend"}]},
        {"type": "number", "key": "new_posts", "label": "新增岗位数", "validate": {"min": 0, "max": 100}},
        {"type": "textarea", "key": "note", "label": "补充说明"},
        {"type": "filepicker", "key": "proof", "label": "证明材料"},
    ],
}


def with_employer_step(schema: dict | str = SCHEMA) -> str:
    """Inner Mongolia's diagram with a 补充说明 step of the unit's between 完成申报 and
    年审认证审核, and a gateway reading its choice."""
    xml = VARIANT.read_text(encoding="utf-8")
    text = schema if isinstance(schema, str) else json.dumps(schema, ensure_ascii=False)
    xml = xml.replace("        <bpmn:flowNodeRef>declare</bpmn:flowNodeRef>\n",
                      "        <bpmn:flowNodeRef>declare</bpmn:flowNodeRef>\n"
                      "        <bpmn:flowNodeRef>supplement</bpmn:flowNodeRef>\n", 1)
    system_lane = xml.index('<bpmn:lane id="system"')
    ref_end = xml.index("</bpmn:lane>", system_lane)
    xml = xml[:ref_end] + ("  <bpmn:flowNodeRef>supplement_checked</bpmn:flowNodeRef>\n"
                           "        <bpmn:flowNodeRef>return_supplement</bpmn:flowNodeRef>\n      ") + xml[ref_end:]
    step = f"""    <bpmn:userTask id="supplement" name="补充说明">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="form" value="custom" />
          <spiffworkflow:property name="form_schema" value="{escape(text, quote=True)}" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:exclusiveGateway id="supplement_checked" name="单位确认申报无误？" default="f_supplement_ok" />
    <bpmn:scriptTask id="return_supplement" name="单位要求修改，解锁申报">
      <bpmn:script>return_declaration(case_id, note)</bpmn:script>
    </bpmn:scriptTask>
"""
    anchor = '    <bpmn:userTask id="certification_review"'
    xml = xml.replace(anchor, step + anchor, 1)
    old = '<bpmn:sequenceFlow id="f_lock_review" sourceRef="lock_case" targetRef="certification_review" />'
    assert old in xml
    return xml.replace(old, """<bpmn:sequenceFlow id="f_lock_supplement" sourceRef="lock_case" targetRef="supplement" />
    <bpmn:sequenceFlow id="f_supplement_check" sourceRef="supplement" targetRef="supplement_checked" />
    <bpmn:sequenceFlow id="f_supplement_ok" name="确认无误" sourceRef="supplement_checked" targetRef="certification_review" />
    <bpmn:sequenceFlow id="f_supplement_amend" name="需要修改" sourceRef="supplement_checked" targetRef="return_supplement">
      <bpmn:conditionExpression>confirmation == "amend"</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_supplement_returned" sourceRef="return_supplement" targetRef="declare" />""")


def publish(system, owner, xml: str) -> None:
    with system.transaction() as s:
        draft = process_versions.save_draft(s, system.registry, owner, xml.encode(), process_id="annual_certification",
                                            source="upload", note="单位补充说明")
        draft_id = draft.id
    with system.transaction() as s:
        process_versions.publish(s, system.registry, owner, draft_id, system.runtime.clock.now())


def units_with_users(system):
    """A Hohhot unit and its employer first, then another unit's employer."""
    with system.transaction() as s:
        units = s.scalars(select(Unit).order_by(Unit.cdpf_region.like("1501%").desc(), Unit.id)).all()
        pairs = [(u, s.scalar(select(User).where(User.unit_id == u.id))) for u in units]
        found = [(u, user) for u, user in pairs if user is not None]
        assert found[0][0].cdpf_region.startswith("1501")
        return found


def _fill(system, user, task_id, values, page=False, attachment_ids=()):
    with system.transaction() as s:
        return custom_forms.fill(s, system, user, task_id,
                                 CustomFormInput(values=values, page=page, attachment_ids=list(attachment_ids)))


def _upload(system, unit, user) -> int:
    with system.transaction() as s:
        return uploads.store_upload(s, system.settings, unit_id=unit.id, user_id=user.id, filename="proof.png",
                                    data=png_bytes(), kind="statement", limit_bytes=10 * 1024 * 1024).id


def test_the_unit_fills_its_own_step_and_the_gateway_reads_it(system, population, staff):
    publish(system, staff("owner_nmg"), with_employer_step())
    (unit, user), (other_unit, other) = units_with_users(system)[:2]
    pid = confirmed_person(system, unit, user, population)
    with system.transaction() as s:
        case_id = s.get(Placement, pid).case_id
    declare(system, user, case_id)
    iid = case_row(system, case_id).instance_id
    assert inbox(system, iid) == [("supplement", "employer")]
    task = inbox_row(system, iid, "supplement")
    assert task.form == "custom" and task.title == "补充说明"
    with system.transaction() as s:  # the unit's 待办事项
        assert [t.task_id for t in custom_forms.employer_steps(s, s.get(CertificationCase, case_id))] \
            == [task.task_id]

    # another unit's employer and staff of the jurisdiction cannot see or complete it
    for outsider in (other, staff("reviewer_huhhot")):
        with pytest.raises(NotFound):
            _fill(system, outsider, task.task_id, {"contact": "王五", "confirmation": "confirm"})
    foreign = _upload(system, other_unit, other)

    with pytest.raises(FieldErrors) as bad:  # required, wrong choice, out of range: nothing done
        _fill(system, user, task.task_id, {"confirmation": "maybe", "new_posts": -1})
    errors = bad.value.errors
    assert set(errors) >= {"contact", "confirmation", "new_posts"}, errors
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in errors.values())
    assert "请填写联系人" in errors["contact"]
    with pytest.raises(FieldErrors):  # JSON is held to its types: a number is not text
        _fill(system, user, task.task_id, {"contact": "张三", "confirmation": "confirm", "new_posts": "2"})
    with pytest.raises(FieldErrors) as theirs:  # another unit's file is not evidence of this one
        _fill(system, user, task.task_id, {"contact": "张三", "confirmation": "confirm"}, attachment_ids=[foreign])
    assert "proof" in theirs.value.errors
    assert inbox(system, iid) == [("supplement", "employer")]

    # the page sends text: "2"; the unit asks to change its declaration
    assert _fill(system, user, task.task_id, {"contact": "张三", "confirmation": "amend", "new_posts": "2",
                                              "note": "漏报一名职工"}, page=True) == "已提交"
    assert ("declare", "employer") in inbox(system, iid)  # the gateway read the unit's choice
    assert not case_row(system, case_id).locked
    with system.transaction() as s:
        entry = s.scalars(select(DecisionRecord).where(DecisionRecord.case_id == case_id)).one()
        assert entry.step == "补充说明" and entry.role == "employer" and entry.form == "custom"
        assert "申报情况：需要修改申报" in entry.reason and "新增岗位数：2" in entry.reason
        assert entry.detail == {"contact": "张三", "confirmation": "amend", "new_posts": 2, "note": "漏报一名职工",
                                "proof": []}
        assert [d.id for d in custom_forms.employer_history(s, s.get(CertificationCase, case_id))] \
            == [entry.id]

    # declared again: this time confirmed (JSON, with the unit's own attachment): on to review
    declare(system, user, case_id)
    task = inbox_row(system, iid, "supplement")
    proof = _upload(system, unit, user)
    _fill(system, user, task.task_id, {"contact": "张三", "confirmation": "confirm", "new_posts": 1},
          attachment_ids=[proof])
    assert inbox(system, iid) == [("certification_review", "reviewer")]
    with system.transaction() as s:
        last = s.scalars(select(DecisionRecord).where(DecisionRecord.case_id == case_id)
                         .order_by(DecisionRecord.id.desc())).first()
        assert last.attachment_ids == [proof] and "证明材料：1个附件" in last.reason
    with pytest.raises(NotFound):  # done: gone for the unit too
        _fill(system, user, task.task_id, {"contact": "张三", "confirmation": "confirm"})


def test_the_employer_lane_may_hold_a_custom_form_but_not_a_staff_form(system, staff):
    """The publishing check lets `custom` into the employer's lane; a staff-only form there
    is still refused, and a bad design is refused on its task as in a staff lane."""
    from engine.specs import SpecError

    with system.transaction() as s:
        process_versions.save_draft(s, system.registry, staff("owner_nmg"), with_employer_step().encode(),
                                    process_id="annual_certification", source="upload")
    staff_form = with_employer_step().replace(
        '<spiffworkflow:property name="form" value="custom" />\n          <spiffworkflow:property name="form_schema"',
        '<spiffworkflow:property name="form" value="decision" />\n          <spiffworkflow:property name="x"', 1)
    for xml, expected in ((staff_form, "不能用于该泳道"), (with_employer_step({"components": []}), "至少须有一个填写项")):
        with system.transaction() as s, pytest.raises(SpecError) as refused:
            process_versions.save_draft(s, system.registry, staff("owner_nmg"), xml.encode(),
                                        process_id="annual_certification", source="upload")
        found = {p.element: p.message for p in refused.value.problems}
        assert "supplement" in found and expected in found["supplement"], found
