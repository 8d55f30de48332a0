"""安置残疾大学生申请 (issue 15) through workflows/graduate_subsidy.bpmn: the unit asks for the
subsidy for a disabled college graduate it placed in a year; 初审 (退回补正 → 补正 → 初审) →
复审 (退回初审 → 初审) → 已批准, or 不予批准 at either. The amount is the province's
graduate_subsidy × months / 12, frozen when filed; the graduation date (not in the future,
within 5 years), the person (one of the year's) and the documents are checked, nothing is
created by a refused submit; one application per person and year; who did 初审 is kept
off 复审."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from wfkit import case_row, confirmed_person, inbox, inbox_row, instance

from casework import decisions
from casework import graduate_subsidy as graduates
from casework.demo import _demo_pdf
from casework.models import GraduateSubsidy, Placement, Unit
from casework.schemas.graduate_subsidy import GraduateSubsidyInput
from casework.schemas.review import ApprovalInput
from casework.uploads import store_upload
from domain.errors import DomainError, FieldErrors
from domain.params import params_for
from engine.clock import CHINA_TZ

FIELDS = {"school": "辽宁大学", "major": "计算机科学与技术", "education": "本科", "degree": "学士",
          "diploma_no": "101401202405001234"}


@pytest.fixture
def opened(system, employer, population):
    """Two confirmed persons of the unit's year, and a diploma uploaded."""
    unit, user = employer
    first = confirmed_person(system, unit, user, population, 0)
    second = confirmed_person(system, unit, user, population, 1)
    with system.transaction() as s:
        case_id = s.get(Placement, first).case_id
        diploma = store_upload(s, system.settings, unit_id=unit.id, user_id=user.id, filename="毕业证书.pdf",
                               data=_demo_pdf("diploma"), kind="graduate_material", limit_bytes=10 << 20).id
    return unit, user, case_row(system, case_id), (first, second), diploma


def _today(system):
    return system.runtime.clock.now().astimezone(CHINA_TZ).date()


def _apply(system, user, unit, year, **fields):
    with system.transaction() as s:
        return graduates.apply(s, system, user, s.get(Unit, unit.id), year, GraduateSubsidyInput(**fields)).id


def _row(system, graduate_id) -> GraduateSubsidy:
    with system.transaction() as s:
        return s.get(GraduateSubsidy, graduate_id)


def _decide(system, user, task_id, outcome, reason=""):
    with system.transaction() as s:
        return decisions.decide(s, system, user, task_id, ApprovalInput(outcome=outcome, reason=reason))


def test_through_both_return_loops_it_is_approved_with_the_amount_frozen(system, opened, staff):
    unit, user, case, (pid, _), diploma = opened
    graduated = (_today(system) - timedelta(days=400)).isoformat()
    gid = _apply(system, user, unit, case.year, placement_id=pid, graduated_on=graduated, months=7,
                 attachment_ids=[diploma], **FIELDS)
    row = _row(system, gid)
    standard = params_for(case.region_code, _today(system)).graduate_subsidy
    assert row.standard == standard and row.amount == graduates.amount_of(standard, 7)
    assert (row.status_name, row.months, row.education, row.degree) == ("待初审", 7, "本科", "学士")
    iid = row.instance_id
    reviewer, supervisor = staff("reviewer_anshan"), staff("supervisor_anshan")
    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "return", "请补充学位证书")
    assert _row(system, gid).status_name == "退回补正" and inbox(system, iid) == [("correct", "employer")]
    with system.transaction() as s:
        graduates.correct(s, system, user, s.get(GraduateSubsidy, gid), GraduateSubsidyInput(
            placement_id=pid, graduated_on=graduated, months=12, attachment_ids=[diploma], **FIELDS))
    row = _row(system, gid)
    assert (row.months, row.amount) == (12, standard.quantize(Decimal("0.01")))
    assert inbox(system, iid) == [("first_review", "reviewer")]
    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "approve")
    second = inbox_row(system, iid, "second_review")
    assert second.excluded_actors == ",reviewer_anshan," and _row(system, gid).status_name == "待复审"
    _decide(system, supervisor, second.task_id, "return", "请初审核实学历证书编号")
    assert _row(system, gid).status_name == "待初审"
    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, supervisor, inbox_row(system, iid, "second_review").task_id, "approve")
    row = _row(system, gid)
    assert row.status == "approved" and row.status_name == "已批准" and instance(system, iid).status == "completed"


def test_the_amount_is_to_the_fen():
    assert graduates.amount_of(Decimal("5000"), 7) == Decimal("2916.67")
    assert graduates.amount_of(Decimal("5000"), 12) == Decimal("5000.00")
    assert graduates.amount_of(Decimal("5000"), 1) == Decimal("416.67")


@pytest.mark.parametrize("where", ["first_review", "second_review"])
def test_a_refusal_ends_it_and_the_person_cannot_apply_again_that_year(system, opened, staff, where):
    unit, user, case, (pid, other), diploma = opened
    graduated = (_today(system) - timedelta(days=30)).isoformat()
    gid = _apply(system, user, unit, case.year, placement_id=pid, graduated_on=graduated, months=3,
                 attachment_ids=[diploma], **FIELDS)
    iid = _row(system, gid).instance_id
    if where == "second_review":
        _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, staff("supervisor_anshan" if where == "second_review" else "reviewer_anshan"),
            inbox_row(system, iid, where).task_id, "reject", "学历证书编号无法核实")
    assert _row(system, gid).status_name == "未批准" and inbox(system, iid) == []
    with pytest.raises(DomainError, match="每人每个年度只能申请一次"):
        _apply(system, user, unit, case.year, placement_id=pid, graduated_on=graduated, months=3,
               attachment_ids=[diploma], **FIELDS)
    # another person of the year may
    _apply(system, user, unit, case.year, placement_id=other, graduated_on=graduated, months=3,
           attachment_ids=[diploma], **FIELDS)
    with system.transaction() as s:
        assert len(graduates.applications_of(s, unit.id, case.year)) == 2


def test_the_date_the_person_and_the_documents_are_checked_and_nothing_is_created(system, opened, employer):
    unit, user, case, (pid, _), diploma = opened
    today = _today(system)
    base = {"placement_id": pid, "months": 6, "attachment_ids": [diploma], **FIELDS}
    with pytest.raises(FieldErrors) as bad:
        _apply(system, user, unit, case.year, **{**base, "graduated_on": (today + timedelta(days=1)).isoformat()})
    assert bad.value.errors == {"graduated_on": "毕业时间不能晚于今天"}
    with pytest.raises(FieldErrors) as bad:
        _apply(system, user, unit, case.year, **{**base, "graduated_on": today.replace(year=today.year - 6).isoformat()})
    assert "5年以内" in bad.value.errors["graduated_on"]
    with pytest.raises(FieldErrors) as bad:
        _apply(system, user, unit, case.year, **{**base, "attachment_ids": [], "graduated_on": today.isoformat()})
    assert bad.value.errors == {"attachment_ids": "请上传毕业证书或学位证书（至少一项）"}
    with pytest.raises(FieldErrors) as bad:
        _apply(system, user, unit, case.year, **{**base, "placement_id": 999999, "graduated_on": today.isoformat()})
    assert set(bad.value.errors) == {"placement_id"}
    with pytest.raises(ValueError):  # the declaration itself: 1–12 months, a listed 学历
        GraduateSubsidyInput(**{**base, "months": 13, "graduated_on": today.isoformat()})
    with pytest.raises(ValueError):
        GraduateSubsidyInput(**{**base, "education": "高中", "graduated_on": today.isoformat()})
    with pytest.raises(DomainError, match="尚未开始2019年度"):
        _apply(system, user, unit, 2019, **{**base, "graduated_on": today.isoformat()})
    with system.transaction() as s:
        assert s.scalar(select(func.count()).select_from(GraduateSubsidy)) == 0


def test_the_months_default_to_the_confirmed_months(system, opened):
    unit, user, case, (pid, _), diploma = opened
    with system.transaction() as s:
        s.get(Placement, pid).confirmed_months = 9
    gid = _apply(system, user, unit, case.year, placement_id=pid, graduated_on=_today(system).isoformat(),
                 attachment_ids=[diploma], **FIELDS)
    row = _row(system, gid)
    assert row.months == 9 and row.amount == graduates.amount_of(row.standard, 9)
