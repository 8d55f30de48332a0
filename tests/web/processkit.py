"""Helpers for the 流程管理 tests of 迁移在办业务 and 与…比较: an app with the demo data
(units, staff and process owners) on SQLite or PostgreSQL, running annual cases of 内蒙古,
and versions stored and published the way an owner does it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from casework import accounts, cases, process_versions
from casework.demo import DEMO_PASSWORD, load_demo
from casework.models import CertificationCase, Unit, User
from tests.web.conftest import CAPTCHA, login

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
IM_ANNUAL = (WORKFLOWS / "150000" / "annual_certification.bpmn").read_text("utf-8")
PLACEMENT = (WORKFLOWS / "placement_review.bpmn").read_text("utf-8")


@pytest.fixture
def demo_app(tmp_path, database_url) -> Iterator:
    """The web app on `database_url` (both databases) with the demo data; no job runs."""
    from casework.settings import Settings
    from webapp import create_app

    settings = Settings(var_dir=tmp_path, database_url=database_url, job_runner="manual",
                        simulator_url="http://127.0.0.1:9")
    app = create_app(settings, test_config={"TESTING": True, "CREATE_SCHEMA": True, "CAPTCHA_TEXT": lambda: CAPTCHA})
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        load_demo(session)
        # 辽宁 ships no diagram of its own (its cases run the national defaults), whatever
        # the demo's provinces get over time
        accounts.create_user(session, "owner_ln", DEMO_PASSWORD, "process_owner", "210000", None, "辽宁省残联 流程管理员")
    try:
        yield app
    finally:
        system.close()


def client_for(app, name: str):
    client = app.test_client()
    response = login(client, name, DEMO_PASSWORD, staff=True)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def user(system, name: str) -> User:
    with system.transaction() as session:
        return session.scalar(select(User).where(User.login == name))


def open_cases(system, region_prefix: str) -> list[int]:
    """This year's annual case of every demo unit in the region: the instance ids."""
    with system.transaction() as session:
        units = session.scalars(select(Unit).where(Unit.cdpf_region.like(region_prefix + "%")).order_by(Unit.id)).all()
        opened = [cases.open_case(session, system, unit, system.settings.business_year) for unit in units]
        return [case.instance_id for case in opened]


def case_count(system, region_prefix: str) -> int:
    with system.transaction() as session:
        return len(session.scalars(select(CertificationCase.id).where(CertificationCase.region_code.like(region_prefix + "%"))).all())


def publish(system, owner: str, xml: str, process_id: str, note: str = "") -> int:
    """Store `xml` as a draft of the owner's province and publish it: the new version's id."""
    who = user(system, owner)
    with system.transaction() as session:
        draft = process_versions.save_draft(session, system.registry, who, xml, process_id=process_id,
                                            source="modeler", note=note)
        process_versions.publish(session, system.registry, who, draft.id, system.runtime.clock.now())
        return draft.id


def current_id(system, process_id: str, region: str) -> int:
    with system.transaction() as session:
        return system.registry.current(session, process_id, region).id


def renamed_review(xml: str = IM_ANNUAL, name: str = "年审认证审核（复核）") -> str:
    """内蒙古's annual diagram with a later step renamed: running cases at 申报 can move."""
    old = '<bpmn:userTask id="certification_review" name="年审认证审核">'
    assert old in xml
    return xml.replace(old, f'<bpmn:userTask id="certification_review" name="{name}">')


def changed_declare(xml: str = IM_ANNUAL) -> str:
    """The diagram with the 申报 step's stage property changed: cases at 申报 cannot move."""
    old = '<spiffworkflow:property name="stage" value="按比例安置登记" />'
    assert xml.count(old) == 1
    return xml.replace(old, '<spiffworkflow:property name="stage" value="单位申报" />')


def placement_variant() -> str:
    """placement_review with one step replaced by another (record_checks → log_checks: a
    removed and an added task), the review step renamed and a gateway condition changed.
    It passes every check, so an owner can store it."""
    xml = PLACEMENT
    assert xml.count('name="记录核验结果"') == 1
    xml = xml.replace('name="记录核验结果"', 'name="登记核验结果"')
    xml = re.sub(r"\brecord_checks\b", "log_checks", xml)
    old_task = '<bpmn:userTask id="manual_review" name="安置登记审核">'
    assert old_task in xml
    xml = xml.replace(old_task, '<bpmn:userTask id="manual_review" name="安置登记审核（复核）">')
    old_condition = 'months_action == "save" and len(claimed_months) &gt; 0'
    assert old_condition in xml
    return xml.replace(old_condition, 'months_action == "save" and len(claimed_months) &gt;= 1')
