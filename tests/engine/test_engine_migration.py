"""Migrating running instances to another version of their process (issue 14): the dry
check says who can move and why not; a move keeps the timers' due dates; a task added
after an instance's current position runs when it gets there; moving back is the same
operation; an instance that cannot move is left as it was."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from enginekit import diagram
from sqlalchemy import select

from engine.clock import CHINA_TZ
from engine.models import ProcessInstance, SpecVersion, TaskEvent

ARCHIVE = """    <bpmn:sequenceFlow id="f_approve_end" sourceRef="approve" targetRef="archive" />
    <bpmn:userTask id="archive" name="归档">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="form" value="engine_approve" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f_approve_end</bpmn:incoming>
      <bpmn:outgoing>f_archive_end</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f_archive_end" sourceRef="archive" targetRef="end_done" />"""


def aware(dt):
    return None if dt is None else (dt if dt.tzinfo else dt.replace(tzinfo=UTC))


def _with_archive() -> str:
    """engine_flow with a reviewer's 归档 step added after 审核."""
    xml = diagram("engine_flow")
    old = '    <bpmn:sequenceFlow id="f_approve_end" sourceRef="approve" targetRef="end_done" />'
    assert old in xml
    xml = xml.replace(old, ARCHIVE).replace("<bpmn:incoming>f_approve_end</bpmn:incoming>\n    </bpmn:endEvent>", "<bpmn:incoming>f_archive_end</bpmn:incoming>\n    </bpmn:endEvent>")
    return xml.replace("<bpmn:flowNodeRef>approve_deadline</bpmn:flowNodeRef>", "<bpmn:flowNodeRef>approve_deadline</bpmn:flowNodeRef>\n        <bpmn:flowNodeRef>archive</bpmn:flowNodeRef>")


def _register(env, xml: str) -> int:
    with env.tx() as s:
        [version] = env.registry.register(s, xml, "engine_flow.bpmn")
        return version.id


def _first_version(env) -> int:
    with env.tx() as s:
        return s.scalar(select(SpecVersion.id).where(SpecVersion.process_id == "engine_flow").order_by(SpecVersion.id))


def _at_review(env, case_ref: str) -> int:
    iid = env.start("engine_flow", case_ref=case_ref, data={"value": "x"})
    env.complete(iid, "fill", {"value": "x"})
    env.executor.run(env.jobs(iid)[0].task_id)
    return iid


def _check(env, iid: int, version_id: int):
    with env.tx() as s:
        return env.runtime.migration_check(s, s.get(ProcessInstance, iid), version_id)


def _migrate(env, iid: int, version_id: int):
    with env.tx() as s:
        return env.runtime.migrate(s, iid, version_id, actor="owner_nmg")


def test_a_task_added_after_the_current_position_runs_and_the_timer_keeps_its_due_date(env):
    with env.tx() as s:
        env.clock.set_now(s, datetime(2026, 3, 2, 10, 0, tzinfo=CHINA_TZ))
    iid = _at_review(env, "case:1")
    due = aware(env.instance(iid).next_timer_at)
    task_due = aware(env.task(iid, "approve").due_at)
    first = env.instance(iid).spec_version_id

    with env.tx() as s:
        env.clock.advance(s, timedelta(days=6))  # a migration "from now" would move the deadline
    second = _register(env, _with_archive())
    verdict = _check(env, iid, second)
    assert verdict.movable and verdict.reasons == ()
    assert verdict.at == ("“审核”（approve）",)

    assert _migrate(env, iid, second).movable
    instance = env.instance(iid)
    assert instance.spec_version_id == second
    assert aware(instance.next_timer_at) == due
    assert aware(env.task(iid, "approve").due_at) == task_due
    assert [e.kind for e in env.events(iid)][-1] == "migration"

    env.complete(iid, "approve", {"ok": True})
    assert [t.task_name for t in env.inbox(iid)] == ["archive"]  # the added step runs
    env.complete(iid, "archive", {"ok": True})
    assert env.instance(iid).status == "completed"
    assert first != second


def test_an_instance_whose_current_task_was_removed_or_changed_stays(env):
    iid = env.start("engine_flow", data={"value": "x"})  # at 填写申请 (fill)
    no_fill = diagram("engine_flow").replace('<spiffworkflow:property name="form" value="engine_fill" />', '<spiffworkflow:property name="form" value="engine_other" />')
    changed = _register(env, no_fill)
    verdict = _check(env, iid, changed)
    assert not verdict.movable
    assert any("“填写申请”（fill）在新版本中有改动" in r for r in verdict.reasons), verdict.reasons
    before = env.instance(iid)
    assert not _migrate(env, iid, changed).movable
    after = env.instance(iid)
    assert (after.spec_version_id, after.revision, after.state) == (before.spec_version_id, before.revision, before.state)

    xml = diagram("engine_flow")
    removed_fill = xml.replace('targetRef="fill"', 'targetRef="lookup"').replace("<bpmn:incoming>f_fill_lookup</bpmn:incoming>", "<bpmn:incoming>f_start_fill</bpmn:incoming>")
    start, end = removed_fill.index('    <bpmn:userTask id="fill"'), removed_fill.index('    <bpmn:sequenceFlow id="f_fill_lookup"')
    removed_fill = removed_fill[:start] + removed_fill[end:].split("\n", 1)[1]
    removed_fill = removed_fill.replace("        <bpmn:flowNodeRef>fill</bpmn:flowNodeRef>\n", "")
    gone = _register(env, removed_fill)
    verdict = _check(env, iid, gone)
    assert not verdict.movable and any("“填写申请”（fill）在新版本中已删除" in r for r in verdict.reasons), verdict.reasons


def test_roll_back_moves_an_instance_to_the_earlier_version(env):
    first = _first_version(env)
    second = _register(env, _with_archive())
    iid = _at_review(env, "case:2")  # started on the second version
    assert env.instance(iid).spec_version_id == second
    assert _migrate(env, iid, first).movable
    assert env.instance(iid).spec_version_id == first
    env.complete(iid, "approve", {"ok": True})
    assert env.instance(iid).status == "completed"  # no 归档 on the first version
    with env.tx() as s:
        kinds = s.scalars(select(TaskEvent.kind).where(TaskEvent.instance_id == iid)).all()
    assert kinds.count("migration") == 1


def test_a_finished_instance_is_not_moved(env):
    iid = _at_review(env, "case:3")
    env.complete(iid, "approve", {"ok": True})
    second = _register(env, _with_archive())
    verdict = _check(env, iid, second)
    assert not verdict.movable and verdict.reasons == ("业务已办结，无需迁移",)


def test_a_task_renamed_in_the_new_version_shows_its_new_name_in_the_inbox(env):
    iid = _at_review(env, "case:renamed")
    row = env.task(iid, "approve")
    renamed = _register(env, diagram("engine_flow").replace('name="审核"', 'name="审核（新）"', 1))
    assert _migrate(env, iid, renamed).movable
    after = env.task(iid, "approve")
    assert after.title == "审核（新）" and row.title != after.title
    assert aware(after.due_at) == aware(row.due_at)
