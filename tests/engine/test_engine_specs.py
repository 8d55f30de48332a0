"""Spec registry: versions by content hash, instances pinned to their version, province
overrides, and refusal of diagrams the product cannot route (unknown lanes, bad XML)."""

from __future__ import annotations

import re

import pytest
from enginekit import diagram
from sqlalchemy import func, select

from engine.models import SpecVersion
from engine.specs import SpecError, SpecRegistry


def _versions(env, process_id: str) -> list[SpecVersion]:
    with env.tx() as s:
        return list(
            s.scalars(
                select(SpecVersion)
                .where(SpecVersion.process_id == process_id)
                .order_by(SpecVersion.id)
            )
        )


def _retitled(xml: str, old: str, new: str) -> str:
    assert f'name="{old}"' in xml
    return xml.replace(f'name="{old}"', f'name="{new}"', 1)


def test_same_content_is_the_same_version(env):
    with env.tx() as s:
        again = env.registry.register(s, diagram("engine_flow"), "engine_flow.bpmn")
    assert again == []
    versions = _versions(env, "engine_flow")
    assert len(versions) == 1 and versions[0].is_current
    with env.tx() as s:
        assert env.registry.current(s, "engine_flow", "210302").id == versions[0].id


def test_changed_content_is_a_new_version_and_a_running_instance_keeps_its_own(env):
    old_id = env.start("engine_flow", data={"value": "x"})
    first = env.instance(old_id).spec_version_id

    changed = _retitled(diagram("engine_flow"), "填写申请", "填写申请（新版）")
    with env.tx() as s:
        added = env.registry.register(s, changed, "engine_flow.bpmn")
    assert len(added) == 1
    versions = _versions(env, "engine_flow")
    assert [v.is_current for v in versions] == [False, True]
    second = versions[1].id
    assert second != first

    new_id = env.start("engine_flow", case_ref="case:2", data={"value": "y"})
    assert env.instance(new_id).spec_version_id == second
    assert env.instance(old_id).spec_version_id == first
    assert env.task(old_id, "fill").title == "填写申请"
    assert env.task(new_id, "fill").title == "填写申请（新版）"

    # the old instance still runs on its own version after the change
    env.complete(old_id, "fill", {"value": "x"})
    assert len(env.jobs(old_id)) == 1
    assert env.instance(old_id).spec_version_id == first

    # registering the first content again makes it current again, without a new row
    with env.tx() as s:
        assert env.registry.register(s, diagram("engine_flow"), "engine_flow.bpmn") == []
    assert [v.is_current for v in _versions(env, "engine_flow")] == [True, False]


def test_province_override_is_chosen_for_regions_of_that_province(env, tmp_path):
    (tmp_path / "210000").mkdir()
    (tmp_path / "engine_flow.bpmn").write_text(diagram("engine_flow"), encoding="utf-8")
    (tmp_path / "210000" / "engine_flow.bpmn").write_text(
        _retitled(diagram("engine_flow"), "填写申请", "填写申请（辽宁）"), encoding="utf-8"
    )
    registry = SpecRegistry(tmp_path)
    with env.tx() as s:
        added = registry.sync(s)
    assert [(v.province, v.filename) for v in added] == [("210000", "210000/engine_flow.bpmn")]
    with env.tx() as s:
        assert registry.current(s, "engine_flow", "210302").province == "210000"  # 鞍山
        assert registry.current(s, "engine_flow", "210000").province == "210000"
        assert registry.current(s, "engine_flow", "330100").province == ""  # 杭州: national
        assert registry.current(s, "engine_flow", "").province == ""

    liaoning = env.start("engine_flow", case_ref="case:ln", region="210302")
    zhejiang = env.start("engine_flow", case_ref="case:zj", region="330106")
    assert env.task(liaoning, "fill").title == "填写申请（辽宁）"
    assert env.task(zhejiang, "fill").title == "填写申请"


def test_unpublished_process_is_a_chinese_error(env):
    with env.tx() as s, pytest.raises(SpecError, match="尚未发布"):
        env.registry.current(s, "no_such_process", "210302")


def test_unknown_lane_is_refused_with_a_chinese_message(env):
    with env.tx() as s, pytest.raises(SpecError) as caught:
        env.registry.register(s, diagram("engine_bad_lane"), "engine_bad_lane.bpmn")
    message = caught.value.message
    assert "财务科" in message and "泳道" in message
    assert re.search(r"[\u4e00-\u9fff]", message.replace("财务科", ""))
    for known in ("用人单位", "残联业务人员", "业务主管", "系统"):
        assert known in message
    assert env.count(SpecVersion, SpecVersion.process_id == "engine_bad_lane") == 0


def test_sync_leaves_out_a_diagram_with_an_unknown_lane_and_loads_the_others(env, tmp_path):
    """One province's broken override must not stop the web and the workers: it is left
    out (listed with its Chinese message) and every other diagram still loads."""
    (tmp_path / "440000").mkdir()
    (tmp_path / "440000" / "engine_flow.bpmn").write_text(diagram("engine_bad_lane"), encoding="utf-8")
    (tmp_path / "engine_counter.bpmn").write_text(diagram("engine_counter"), encoding="utf-8")
    registry = SpecRegistry(tmp_path)
    with env.tx() as s:
        registry.sync(s)
    assert list(registry.rejected) == ["440000/engine_flow.bpmn"]
    assert "财务科" in registry.rejected["440000/engine_flow.bpmn"]
    assert env.count(SpecVersion, SpecVersion.process_id == "engine_bad_lane") == 0
    with env.tx() as s:  # the province falls back to the national version
        assert registry.current(s, "engine_flow", "440100").province == ""


def test_a_lane_added_to_the_table_is_a_known_role(env):
    """A process owner names a new lane in Chinese; once the table maps it to a role, a
    diagram using it loads and its tasks land in that role's inbox."""
    from engine.lanes import add_lane, load_lanes

    with env.tx() as s, pytest.raises(SpecError, match="财务科"):
        env.registry.register(s, diagram("engine_bad_lane"), "engine_bad_lane.bpmn")
    with env.tx() as s:
        add_lane(s, "财务科", "finance", staff=True)
    with env.tx() as s:
        lanes = load_lanes(s)
        assert lanes.role_of("财务科") == "finance" and "finance" in lanes.staff_roles
        assert env.registry.register(s, diagram("engine_bad_lane"), "engine_bad_lane.bpmn")


def test_unparsable_diagram_is_refused(env):
    broken = diagram("engine_flow").replace("</bpmn:process>", "", 1)
    with env.tx() as s, pytest.raises(SpecError, match="流程图解析失败"):
        env.registry.register(s, broken, "broken.bpmn")
    with env.tx() as s:
        assert s.scalar(select(func.count()).select_from(SpecVersion)) == 3


def test_parsed_spec_is_cached_per_version(env):
    with env.tx() as s:
        version = env.registry.current(s, "engine_flow")
        first = env.registry.parsed(s, version.id)
        assert env.registry.parsed(s, version.id) is first
        assert set(first.lanes) == {"用人单位", "系统", "残联业务人员", "业务主管"}
