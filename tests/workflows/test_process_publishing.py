"""流程管理 (issue 14): a province's process owner stores a checked diagram as a draft,
publishes it (new cases of the province start on it at once, no restart), unpublishes it
(back to the national default), and moves the province's running cases to the version in
force in one batch. A diagram that does not pass the checks is never stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from casework import cases, process_migration, process_versions
from casework.models import AuditEntry, CertificationCase, Unit
from casework.scope import Forbidden
from engine.models import ProcessInstance, SpecVersion
from engine.specs import SpecError, SpecRegistry

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
PLACEMENT = (WORKFLOWS / "placement_review.bpmn").read_text(encoding="utf-8")
IM_ANNUAL = (WORKFLOWS / "150000" / "annual_certification.bpmn").read_text(encoding="utf-8")


def _renamed(xml: str) -> str:
    """The diagram with one later step renamed (a new content, the same flow)."""
    for old in ("安置登记审核", "年审认证审核"):
        if f'<bpmn:userTask id="manual_review" name="{old}"' in xml or f'name="{old}">' in xml:
            return xml.replace(f'name="{old}"', f'name="{old}（内蒙古）"', 1)
    raise AssertionError("no step to rename")


def _count(system, *where) -> int:
    with system.transaction() as s:
        return s.scalar(select(func.count()).select_from(SpecVersion).where(*where))


def test_draft_publish_unpublish_for_the_owners_province(system, staff):
    owner = staff("owner_nmg")
    with system.transaction() as s:
        draft = process_versions.save_draft(s, system.registry, owner, _renamed(PLACEMENT).encode(),
                                            process_id="placement_review", source="upload", note="改名")
        assert (draft.province, draft.state, draft.is_current, draft.number) == ("150000", "draft", False, 1)
        assert system.registry.current(s, "placement_review", "150100").province == ""
        draft_id = draft.id
    with system.transaction() as s:
        process_versions.publish(s, system.registry, owner, draft_id, system.runtime.clock.now())
    with system.transaction() as s:  # another process's registry reads the same rows: no restart
        fresh = SpecRegistry(rules=system.registry.rules)
        assert fresh.current(s, "placement_review", "150100").id == draft_id
        assert fresh.current(s, "placement_review", "210302").province == ""  # 鞍山 untouched
        assert s.get(SpecVersion, draft_id).published_by == "owner_nmg"
    with system.transaction() as s:
        process_versions.unpublish(s, system.registry, owner, "placement_review")
    with system.transaction() as s:
        assert system.registry.current(s, "placement_review", "150100").province == ""
        actions = s.scalars(select(AuditEntry.action).where(AuditEntry.actor == owner.display_name)).all()
    assert {"保存流程草稿", "发布流程", "撤销发布流程"} <= set(actions)


def test_a_diagram_that_fails_the_checks_is_not_stored(system, staff):
    owner = staff("owner_nmg")
    before = _count(system)
    bad = PLACEMENT.replace('add_working_days(time_limit("manual_review"))', "P10D")
    assert bad != PLACEMENT
    with system.transaction() as s, pytest.raises(SpecError) as refused:
        process_versions.save_draft(s, system.registry, owner, bad.encode(), process_id="placement_review", source="upload")
    assert refused.value.problems and all(p.message for p in refused.value.problems)
    assert any(p.element for p in refused.value.problems)
    for garbage in (b"", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, b"<bpmn:definitions", "不是流程图".encode()):
        with system.transaction() as s, pytest.raises(SpecError):
            process_versions.save_draft(s, system.registry, owner, garbage, process_id="placement_review", source="upload")
    assert _count(system) == before


def test_only_a_process_owner_manages_and_only_their_province(system, staff):
    with system.transaction() as s, pytest.raises(Forbidden):
        process_versions.summaries(s, staff("reviewer_huhhot"))
    with system.transaction() as s:
        draft = process_versions.save_draft(s, system.registry, staff("owner_nmg"), _renamed(PLACEMENT),
                                            process_id="placement_review", source="modeler")
        draft_id = draft.id
    with system.transaction() as s, pytest.raises(process_versions.NotFound):
        process_versions.version_for(s, staff("owner_zhejiang"), draft_id)


def test_owner_choice_survives_a_restart_and_a_deleted_file_falls_back(system, staff, tmp_path):
    owner = staff("owner_nmg")
    with system.transaction() as s:
        mine = process_versions.save_draft(s, system.registry, owner, _renamed(IM_ANNUAL), process_id="annual_certification", source="upload")
        process_versions.publish(s, system.registry, owner, mine.id, system.runtime.clock.now())
        mine_id = mine.id
    with system.transaction() as s:  # a restart loads the shipped files again
        system.registry.sync(s, system.runtime.clock.now())
        assert system.registry.current(s, "annual_certification", "150100").id == mine_id

    # a province file removed from workflows/ stops being in force
    (tmp_path / "wf" / "440000").mkdir(parents=True)
    for name in ("annual_certification.bpmn", "placement_review.bpmn"):
        (tmp_path / "wf" / name).write_text((WORKFLOWS / name).read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "wf" / "440000" / "placement_review.bpmn").write_text(_renamed(PLACEMENT), encoding="utf-8")
    registry = SpecRegistry(tmp_path / "wf", rules=system.registry.rules)
    with system.transaction() as s:
        registry.sync(s)
        assert registry.current(s, "placement_review", "440100").province == "440000"
    (tmp_path / "wf" / "440000" / "placement_review.bpmn").unlink()
    with system.transaction() as s:
        registry.sync(s)
        assert registry.current(s, "placement_review", "440100").province == ""


def test_running_cases_move_to_the_published_version_in_one_batch(system, staff):
    owner = staff("owner_nmg")
    with system.transaction() as s:
        units = s.scalars(select(Unit).where(Unit.cdpf_region.like("15%")).order_by(Unit.id)).all()
        case_ids = [cases.open_case(s, system, u, system.settings.business_year).id for u in units]
        old = system.registry.current(s, "annual_certification", "150100").id
    assert len(case_ids) >= 2
    with system.transaction() as s:
        new = process_versions.save_draft(s, system.registry, owner, _renamed(IM_ANNUAL), process_id="annual_certification", source="modeler")
        process_versions.publish(s, system.registry, owner, new.id, system.runtime.clock.now())
        new_id = new.id
    with system.transaction() as s:
        checks = process_migration.dry_run(s, system.runtime, owner, old, new_id)
    assert len(checks) == len(case_ids) and all(c.movable for c in checks)

    report = process_migration.migrate_batch(system, owner, old, new_id)
    assert (len(report.moved), report.refused, report.failed) == (len(case_ids), [], [])
    with system.transaction() as s:
        versions = {s.get(ProcessInstance, s.get(CertificationCase, c).instance_id).spec_version_id for c in case_ids}
        assert versions == {new_id}
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "迁移在办业务")) == len(case_ids)
    with system.transaction() as s:  # nothing left on the old version in the province
        assert process_migration.dry_run(s, system.runtime, owner, old, new_id) == []


def test_a_version_whose_paths_break_is_not_published(system, staff):
    """路径检查 before it goes live: a condition on data no step before produces passes the
    reading checks but stops the walk; publishing refuses it and names the gateway."""
    owner = staff("owner_nmg")
    broken = PLACEMENT.replace('months_action == "back"', 'result_action == "back"', 1)
    assert broken != PLACEMENT
    with system.transaction() as s:
        draft = process_versions.save_draft(s, system.registry, owner, broken.encode(),
                                            process_id="placement_review", source="upload")
        draft_id = draft.id
    with system.transaction() as s, pytest.raises(SpecError) as refused:
        process_versions.publish(s, system.registry, owner, draft_id, system.runtime.clock.now())
    assert "路径检查未通过" in refused.value.message
    assert [p.element for p in refused.value.problems] == ["choice"]
    with system.transaction() as s:
        assert not s.get(SpecVersion, draft_id).is_current
        report = process_versions.path_check(s, system.registry, s.get(SpecVersion, draft_id),
                                             system.runtime.clock.now())
        assert any(p.outcome == "stopped" for p in report.paths)


def test_created_and_published_times_are_on_the_engine_clock(system, staff):
    """A moved clock (the demo's, a test's) must never show a version created after it was
    published: both times come from the engine clock."""
    from datetime import datetime, timedelta

    from engine.clock import CHINA_TZ
    from engine.db import as_utc

    owner = staff("owner_nmg")
    moment = datetime(2031, 5, 6, 10, 0, tzinfo=CHINA_TZ)
    with system.transaction() as s:
        system.runtime.clock.set_now(s, moment)
    with system.transaction() as s:
        draft = process_versions.save_draft(s, system.registry, owner, _renamed(PLACEMENT).encode(),
                                            process_id="placement_review", source="upload")
        process_versions.publish(s, system.registry, owner, draft.id, system.runtime.clock.now())
        draft_id = draft.id
    with system.transaction() as s:
        version = s.get(SpecVersion, draft_id)
        assert abs(as_utc(version.created_at) - moment) < timedelta(minutes=5)
        assert as_utc(version.created_at) <= as_utc(version.published_at)
