"""迁移在办业务 (issue 14), through the pages, on SQLite and PostgreSQL: a process owner sees
on the list and on a version's page how many running cases of the province are on each
version, opens the dry run of an older version (which cases can move to the version in
force, and why the others cannot), moves them in one batch (each case moved and audited),
and rolls back by re-publishing the earlier version and migrating back. Another
province's owner finds nothing (404); no id or parameter answers 500."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from casework.models import AuditEntry
from engine.models import ProcessInstance, SpecVersion, TaskEvent
from tests.web import processkit
from tests.web.conftest import csrf_from as csrf
from tests.web.processkit import (
    WORKFLOWS,
    changed_declare,
    client_for,
    current_id,
    open_cases,
    publish,
    renamed_review,
)

demo_app = processkit.demo_app  # the fixture: the app with the demo data, on both databases


def versions_of(system, instance_ids: list[int]) -> set[int]:
    with system.transaction() as session:
        return set(session.scalars(select(ProcessInstance.spec_version_id).where(ProcessInstance.id.in_(instance_ids))))


def audit_count(system, action: str) -> int:
    with system.transaction() as session:
        return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def rows(html: str) -> list[str]:
    return re.findall(r'<tr data-instance="\d+".*?</tr>', html, re.S)


def test_dry_run_batch_migration_and_roll_back(demo_app):
    system = demo_app.extensions["quotacert"]
    mine = open_cases(system, "15")
    theirs = open_cases(system, "21")  # 辽宁: never counted nor moved by 内蒙古's owner
    assert len(mine) >= 2 and theirs
    old = current_id(system, "annual_certification", "150100")
    client = client_for(demo_app, "owner_nmg")

    # before anything is published: the version in force needs no migration
    page = client.get(f"/processes/versions/{old}/migrate").get_data(as_text=True)
    assert "此版本就是内蒙古自治区当前生效的版本" in page and "批量迁移" not in page

    # a version that changes the step the cases are at: nothing can move, and the page says why
    blocked = publish(system, "owner_nmg", changed_declare(), "annual_certification", "申报环节改阶段")
    html = client.get(f"/processes/versions/{old}/migrate").get_data(as_text=True)
    assert f"不可迁移 {len(mine)} 件" in html and "可迁移 0 件" in html
    assert len(rows(html)) == len(mine)
    assert "“按比例安置登记”（declare）在新版本中有改动（扩展属性（表单、阶段等））" in html
    assert "extensions" not in html
    assert re.search(r'<button class="btn btn-primary" type="submit" disabled>批量迁移（0 件）</button>', html)

    # a version that only renames a later step: every case can move
    target = publish(system, "owner_nmg", renamed_review(), "annual_certification", "复核改名")
    assert target != blocked
    listing = client.get("/processes/").get_data(as_text=True)
    assert f'href="/processes/versions/{old}/migrate"' in listing  # the old version's row offers it
    assert f'data-running-count="{len(mine)}"' in listing
    view = client.get(f"/processes/versions/{old}").get_data(as_text=True)
    assert f'data-running-count="{len(mine)}"' in view and "迁移在办业务" in view
    html = client.get(f"/processes/versions/{old}/migrate").get_data(as_text=True)
    for text in ("迁移前检查", "<th>业务</th>", "<th>当前所在环节</th>", "<th>可否迁移</th>", "<th>原因</th>", "如何回退",
                 "重新发布较早的版本"):
        assert text in html, text
    assert "<th>单位</th>" not in html  # an annual case's label is its unit: no column of dashes
    assert f"可迁移 {len(mine)} 件" in html and "不可迁移 0 件" in html
    assert "“按比例安置登记”（declare）" in html and "示范" in html  # where each case is, and whose
    assert f'<input type="hidden" name="to" value="{target}">' in html
    assert f"/processes/versions/{old}/diff/{target}" in html
    assert client.get(f"/processes/versions/{old}/migrate?show=refused").get_data(as_text=True).count("<tr data-instance") == 0

    # a stale target (another version published since the page was read): nothing moves
    token = csrf(client, f"/processes/versions/{old}/migrate")
    stale = client.post(f"/processes/versions/{old}/migrate", data={"csrf_token": token, "to": str(blocked)},
                        follow_redirects=True)
    assert stale.status_code == 200 and "迁移目标与内蒙古自治区当前生效的版本（内蒙古自治区 V3）不一致" in stale.get_data(as_text=True)
    assert versions_of(system, mine) == {old}

    # 批量迁移
    done = client.post(f"/processes/versions/{old}/migrate", data={"csrf_token": token, "to": str(target)})
    report = done.get_data(as_text=True)
    assert done.status_code == 200, report[:2000]
    assert f"已迁移 {len(mine)} 件" in report and "未迁移 0 件" in report and "失败 0 件" in report
    assert 'data-report="moved"' in report
    assert versions_of(system, mine) == {target}
    assert versions_of(system, theirs) != {target} and len(versions_of(system, theirs)) == 1
    assert audit_count(system, "迁移在办业务") == len(mine)
    assert audit_count(system, "批量迁移流程版本") == 1
    with system.transaction() as session:
        assert session.scalar(select(func.count()).select_from(TaskEvent).where(
            TaskEvent.instance_id.in_(mine), TaskEvent.kind == "migration")) == len(mine)
    after = client.get(f"/processes/versions/{old}/migrate").get_data(as_text=True)
    assert "该版本在本省没有在办业务" in after

    # roll back: re-publish the earlier version, then migrate from the newer one back to it
    token = csrf(client, f"/processes/versions/{old}")
    republished = client.post(f"/processes/versions/{old}/publish", data={"csrf_token": token}, follow_redirects=True)
    assert republished.status_code == 200 and current_id(system, "annual_certification", "150100") == old
    back = client.get(f"/processes/versions/{target}/migrate").get_data(as_text=True)
    assert f"可迁移 {len(mine)} 件" in back
    token = csrf(client, f"/processes/versions/{target}/migrate")
    moved_back = client.post(f"/processes/versions/{target}/migrate", data={"csrf_token": token, "to": str(old)})
    assert f"已迁移 {len(mine)} 件" in moved_back.get_data(as_text=True)
    assert versions_of(system, mine) == {old}


def test_cases_left_on_an_older_national_default_are_found_and_moved(demo_app):
    """A new national default replaces the old one: the list names the old version while
    the province still has cases on it, and its migration page moves them."""
    system = demo_app.extensions["quotacert"]
    theirs = open_cases(system, "21")
    old = current_id(system, "annual_certification", "210300")
    national_annual = (WORKFLOWS / "annual_certification.bpmn").read_text("utf-8")
    with system.transaction() as session:
        [new] = system.registry.register(session, national_annual.replace('name="开放下载审核认定书"', 'name="开放下载审核认定书（新）"'),
                                         "annual_certification.bpmn")
        new_id = new.id
    client = client_for(demo_app, "owner_ln")
    listing = client.get("/processes/").get_data(as_text=True)
    assert "其他在办版本" in listing and f'href="/processes/versions/{old}/migrate"' in listing
    html = client.get(f"/processes/versions/{old}/migrate").get_data(as_text=True)
    assert f"可迁移 {len(theirs)} 件" in html and f'name="to" value="{new_id}"' in html
    token = csrf(client, f"/processes/versions/{old}/migrate")
    done = client.post(f"/processes/versions/{old}/migrate", data={"csrf_token": token, "to": str(new_id)})
    assert f"已迁移 {len(theirs)} 件" in done.get_data(as_text=True)
    assert versions_of(system, theirs) == {new_id}
    assert "其他在办版本" not in client.get("/processes/").get_data(as_text=True)


def test_many_cases_are_paged_and_a_capped_check_says_so(demo_app, monkeypatch):
    from webapp import process_changes

    system = demo_app.extensions["quotacert"]
    mine = open_cases(system, "15")
    old = current_id(system, "annual_certification", "150100")
    publish(system, "owner_nmg", renamed_review(), "annual_certification")
    client = client_for(demo_app, "owner_nmg")
    monkeypatch.setattr(process_changes, "PER_PAGE", 1)
    first = client.get(f"/processes/versions/{old}/migrate").get_data(as_text=True)
    second = client.get(f"/processes/versions/{old}/migrate?page=2").get_data(as_text=True)
    assert len(rows(first)) == len(rows(second)) == 1 and rows(first) != rows(second)
    assert f'href="/processes/versions/{old}/migrate?page=2"' in first and f"共 {len(mine)} 件" in first
    last = client.get(f"/processes/versions/{old}/migrate?page={len(mine)}").get_data(as_text=True)
    assert rows(client.get(f"/processes/versions/{old}/migrate?page=99").get_data(as_text=True)) == rows(last)
    monkeypatch.setattr(process_changes, "CHECK_LIMIT", 1)
    capped = client.get(f"/processes/versions/{old}/migrate").get_data(as_text=True)
    assert f"共 {len(mine)} 件，本页只检查了前 1 件" in capped and "可迁移 1 件" in capped
    assert "批量迁移</button>" in capped  # the batch checks them all: no count promised


def test_another_province_and_bad_input(demo_app):
    system = demo_app.extensions["quotacert"]
    mine = open_cases(system, "15")
    old = current_id(system, "annual_certification", "150100")
    target = publish(system, "owner_nmg", renamed_review(), "annual_certification")
    zhejiang = client_for(demo_app, "owner_zhejiang")
    for url in (f"/processes/versions/{old}/migrate", f"/processes/versions/{target}/migrate"):
        assert zhejiang.get(url).status_code == 404, url
    token = csrf(zhejiang, "/processes/")
    assert zhejiang.post(f"/processes/versions/{old}/migrate", data={"csrf_token": token, "to": str(target)}).status_code == 404
    assert versions_of(system, mine) == {old}
    # each province counts its own running cases only: 辽宁's are on the national default
    theirs = open_cases(system, "21")
    liaoning = client_for(demo_app, "owner_ln")
    with system.transaction() as session:
        national = session.scalar(select(SpecVersion.id).where(
            SpecVersion.process_id == "annual_certification", SpecVersion.province == "", SpecVersion.is_current.is_(True)))
    assert versions_of(system, theirs) == {national}
    assert f'data-running-count="{len(theirs)}"' in liaoning.get(f"/processes/versions/{national}").get_data(as_text=True)
    empty = liaoning.get(f"/processes/versions/{national}/migrate").get_data(as_text=True)
    assert "此版本就是辽宁省当前生效的版本" in empty

    client = client_for(demo_app, "owner_nmg")
    assert 'data-running-count="0"' in client.get(f"/processes/versions/{national}").get_data(as_text=True)
    assert "该版本在本省没有在办业务" in client.get(f"/processes/versions/{national}/migrate").get_data(as_text=True)
    for url in ("/processes/versions/0/migrate", "/processes/versions/-1/migrate", "/processes/versions/abc/migrate",
                "/processes/versions/99999999999/migrate", "/processes/versions/2147483647/migrate"):
        assert client.get(url).status_code == 404, url
    for query in ("page=abc", "page=-3", "page=999999", "page=99999999999999999999", "show=%3Cscript%3E",
                  "show=refused&page=2", "per_page=0"):
        response = client.get(f"/processes/versions/{old}/migrate?{query}")
        assert response.status_code == 200, query
        assert "<script>" not in response.get_data(as_text=True).split("<main", 1)[1], query
    token = csrf(client, f"/processes/versions/{old}/migrate")
    url = f"/processes/versions/{old}/migrate"
    assert client.post(url, data={"to": str(target)}).status_code == 400  # no CSRF token
    for to in ("", "abc", "-1", "99999999999", str(old)):
        response = client.post(url, data={"csrf_token": token, "to": to})
        assert response.status_code == 302, (to, response.status_code)
    assert client.post("/processes/versions/0/migrate", data={"csrf_token": token}).status_code in (404, 405)
    assert client.post(f"/processes/versions/{target}/migrate", data={"csrf_token": token, "to": str(target)}).status_code == 302
    assert versions_of(system, mine) == {old}
    assert audit_count(system, "迁移在办业务") == 0


def test_the_migration_post_is_declared_and_garbage_moves_nothing(demo_app):
    """开始迁移 sends one field, `to`, declared by MigrationRunInput (an id 1…2³¹−1): a
    missing or garbled one is a stale target — nothing moves, the owner is told, never 500."""
    import pytest

    from casework.schemas import parse
    from casework.schemas.migration import MigrationRunInput
    from domain.errors import FieldErrors

    assert parse(MigrationRunInput, {"to": "12"}, strict=False).to == 12
    for garbage in ({}, {"to": ""}, {"to": "abc"}, {"to": "0"}, {"to": "-3"}, {"to": "99999999999999999999"}, {"to": "1e3"}):
        with pytest.raises(FieldErrors) as refused:
            parse(MigrationRunInput, garbage, strict=False)
        assert "迁移目标版本" in refused.value.errors["to"], garbage

    system = demo_app.extensions["quotacert"]
    mine = open_cases(system, "15")
    old = current_id(system, "annual_certification", "150100")
    client = client_for(demo_app, "owner_nmg")
    target = publish(system, "owner_nmg", renamed_review(), "annual_certification", "复核改名")
    url = f"/processes/versions/{old}/migrate"
    token = csrf(client, url)
    for garbage in ({}, {"to": ""}, {"to": "abc"}, {"to": "-3"}, {"to": "99999999999999999999"}, {"to": "\x00"},
                    {"to": [str(old), str(target)]}, {"to": "1" * 5000}):
        answer = client.post(url, data={"csrf_token": token, **garbage}, follow_redirects=True)
        assert answer.status_code == 200, garbage
        assert "未迁移：迁移目标与内蒙古自治区当前生效的版本" in answer.get_data(as_text=True), garbage
    assert versions_of(system, mine) == {old}
    done = client.post(url, data={"csrf_token": token, "to": str(target)})
    assert done.status_code == 200 and versions_of(system, mine) == {target}
