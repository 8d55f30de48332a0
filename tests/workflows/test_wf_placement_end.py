"""单位注销安置登记 (issue 15) through workflows/placement_end.bpmn: the unit ends a placed
person's placement from a month on, or its whole registration of the year; 初审 (退回补正 →
补正 → 初审) → 复审 (退回初审 → 初审) → 已注销, or 不予注销 at either. Nothing counts
differently until it is approved; then the months from the start month on stop counting,
a valid 审核认定书 is reissued, and when the year had already gone to tax the corrected
result is pushed as a correction (the diagram's gateway), whose check is recorded. The
date, the month, the reason, the person and the documents are checked and a refused
submit creates nothing; one open request per person; who did 初审 is kept off 复审."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from wfkit import (
    advance_past,
    aware,
    case_row,
    confirmed_person,
    declare,
    deliver_tax_confirmation,
    inbox,
    inbox_row,
    instance,
    tax_confirmations,
)

from casework import certificates, decisions, review
from casework import placement_end as ends
from casework.demo import _demo_pdf
from casework.models import CertificationCase, Notice, Placement, PlacementEnd, TaxSubmission, Unit
from casework.schemas.placement_end import PlacementEndInput
from casework.schemas.review import ApprovalInput
from casework.uploads import store_upload
from domain.errors import DomainError, FieldErrors
from engine.clock import CHINA_TZ, china_time


@pytest.fixture
def placed(system, employer, population):
    """Two confirmed persons (all twelve months) of the unit's year and a signed form uploaded."""
    unit, user = employer
    first = confirmed_person(system, unit, user, population, 0)
    second = confirmed_person(system, unit, user, population, 1)
    with system.transaction() as s:
        case_id = s.get(Placement, first).case_id
        form = store_upload(s, system.settings, unit_id=unit.id, user_id=user.id, filename="注销业务申请书.pdf",
                            data=_demo_pdf("end"), kind="placement_end_material", limit_bytes=10 << 20).id
    return unit, user, case_row(system, case_id), (first, second), form


def _today(system) -> date:
    return system.runtime.clock.now().astimezone(CHINA_TZ).date()


def _input(case, form, **fields) -> PlacementEndInput:
    base = {"scope": "person", "reason": "离职", "ended_on": date(case.year, 3, 31).isoformat(), "from_month": 4,
            "note": "本人辞职", "attachment_ids": [form]}
    return PlacementEndInput(**{**base, **fields})


def _apply(system, user, unit, year, data) -> int:
    with system.transaction() as s:
        return ends.apply(s, system, user, s.get(Unit, unit.id), year, data).id


def _row(system, end_id) -> PlacementEnd:
    with system.transaction() as s:
        return s.get(PlacementEnd, end_id)


def _person(system, pid) -> Placement:
    with system.transaction() as s:
        return s.get(Placement, pid)


def _decide(system, user, task_id, outcome, reason=""):
    with system.transaction() as s:
        return decisions.decide(s, system, user, task_id, ApprovalInput(outcome=outcome, reason=reason))


def _approve(system, staff, iid) -> None:
    _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, staff("supervisor_anshan"), inbox_row(system, iid, "second_review").task_id, "approve")


def _sent_to_tax(system, user, case, staff) -> int:
    """完成申报, then 发送税务部门 (the push delivered); the case's instance id."""
    declare(system, user, case.id)
    iid = case_row(system, case.id).instance_id
    with system.transaction() as s:
        review.send_to_tax(s, system, staff("reviewer_anshan"), inbox_row(system, iid, "send_to_tax").task_id)
    system.drain()
    return iid


def _submissions(system, case_id) -> list[tuple]:
    with system.transaction() as s:
        rows = s.scalars(select(TaxSubmission).where(TaxSubmission.case_id == case_id).order_by(TaxSubmission.version))
        return [(r.version, r.status, r.approved_months) for r in rows]


def test_through_both_return_loops_the_months_after_it_stop_counting(system, placed, staff):
    unit, user, case, (pid, other), form = placed
    assert _person(system, pid).approved_months == 12
    eid = _apply(system, user, unit, case.year, _input(case, form, placement_id=pid))
    row = _row(system, eid)
    assert (row.status_name, row.scope_name, row.person_name, row.from_month) == ("待初审", "安置人员注销", _person(system, pid).name, 4)
    assert _person(system, pid).approved_months == 12  # nothing changes while it is reviewed
    iid = row.instance_id
    reviewer, supervisor = staff("reviewer_anshan"), staff("supervisor_anshan")
    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "return", "请上传离职证明")
    assert _row(system, eid).status_name == "退回补正" and inbox(system, iid) == [("correct", "employer")]
    with pytest.raises(FieldErrors), system.transaction() as s:  # 补正 cannot change whom it is about
        ends.correct(s, system, user, s.get(PlacementEnd, eid), _input(case, form, placement_id=other))
    with system.transaction() as s:
        ends.correct(s, system, user, s.get(PlacementEnd, eid), _input(
            case, form, placement_id=pid, ended_on=date(case.year, 6, 15).isoformat(), from_month=6))
    assert inbox(system, iid) == [("first_review", "reviewer")]
    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "approve")
    second = inbox_row(system, iid, "second_review")
    assert second.excluded_actors == ",reviewer_anshan," and _row(system, eid).status_name == "待复审"
    _decide(system, supervisor, second.task_id, "return", "请初审核实离职日期")
    assert _row(system, eid).status_name == "待初审"
    _approve(system, staff, iid)
    row = _row(system, eid)
    assert (row.status, row.status_name, row.open_key) == ("approved", "已注销", None)
    assert row.months_removed == {str(pid): list(range(6, 13))} and row.removed_month_count == 7
    assert not row.tax_corrected and instance(system, iid).status == "completed"  # not sent: no correction
    person = _person(system, pid)
    assert (person.ended_from_month, person.end_reason) == (6, "离职")
    assert (person.registered_months, person.confirmed_months, person.approved_months) == (5, 5, 5)
    assert _person(system, other).approved_months == 12  # the other person is untouched
    with system.transaction() as s:
        notices = {n.title: n for n in s.scalars(select(Notice).where(Notice.unit_id == unit.id))}
    # the notices (from a script task and from the decision command) are dated on the engine clock
    for title in ("注销安置登记审核结果通知", "复审结果通知"):
        assert china_time(notices[title].created_at).date() == _today(system), title


def test_after_the_year_went_to_tax_a_correction_is_pushed_and_the_certificate_reissued(
    system, placed, staff, simulator_url
):
    unit, user, case, (pid, _), form = placed
    iid = _sent_to_tax(system, user, case, staff)
    while instance(system, iid).next_timer_at is not None:  # 审核认定书 after three working days, the feedback period
        advance_past(system, aware(instance(system, iid).next_timer_at))
    assert deliver_tax_confirmation(system, tax_confirmations(simulator_url, 1)[0])
    assert instance(system, iid).status == "completed"
    with system.transaction() as s:
        first = certificates.current(s, s.get(CertificationCase, case.id))
        first_number = first.number
    assert _submissions(system, case.id) == [(1, "confirmed", 24)]

    eid = _apply(system, user, unit, case.year, _input(
        case, form, placement_id=pid, reason="退休", ended_on=date(case.year, 9, 30).isoformat(), from_month=10))
    end_iid = _row(system, eid).instance_id
    _approve(system, staff, end_iid)
    assert instance(system, end_iid).status == "running"  # waits for the push
    system.drain()
    assert instance(system, end_iid).status == "completed"
    assert _row(system, eid).tax_corrected
    results = httpx.get(f"{simulator_url}/tax/results", timeout=5).json()["results"]
    assert [r["payload"]["version"] for r in results] == [1, 2]
    assert results[1]["payload"]["correction_of"] == results[0]["receipt"]["receipt_no"]
    assert results[1]["payload"]["approved_months"] == 21
    assert _submissions(system, case.id) == [(1, "confirmed", 24), (2, "sent", 21)]
    # the case's own diagram no longer waits: the check of the correction is still recorded
    assert deliver_tax_confirmation(system, tax_confirmations(simulator_url, 2)[1])
    assert _submissions(system, case.id) == [(1, "confirmed", 24), (2, "confirmed", 21)]
    with system.transaction() as s:
        now = certificates.current(s, s.get(CertificationCase, case.id))
        old = s.scalar(select(type(now)).where(type(now).number == first_number))
        assert (now.version, now.status, now.facts["totals"]["approved_months"]) == (2, "valid", 21)
        assert old.status == "superseded" and now.facts["replaces"] == first_number
        person = next(p for p in now.facts["people"] if p["approved_months"] == 9)
        assert person["certified_months"] == list(range(1, 10))


def test_a_correction_sent_before_the_first_version_was_checked_supersedes_it(
    system, placed, staff, simulator_url
):
    """The year went to tax and, before the tax side checked it, a 注销 sent a correction:
    the first version becomes 已被更正, the correction's check is recorded on it, and the
    first version's late check is no longer taken."""
    unit, user, case, (pid, _), form = placed
    _sent_to_tax(system, user, case, staff)
    assert _submissions(system, case.id) == [(1, "sent", 24)]
    eid = _apply(system, user, unit, case.year, _input(
        case, form, placement_id=pid, reason="退休", ended_on=date(case.year, 9, 30).isoformat(), from_month=10))
    _approve(system, staff, _row(system, eid).instance_id)
    system.drain()
    assert _row(system, eid).tax_corrected
    assert _submissions(system, case.id) == [(1, "superseded", 24), (2, "sent", 21)]
    first, second = tax_confirmations(simulator_url, 2)[:2]
    assert second["idempotency_key"].endswith("-v2")
    assert deliver_tax_confirmation(system, second)
    assert not deliver_tax_confirmation(system, first)  # too late: the correction stands
    assert _submissions(system, case.id) == [(1, "superseded", 24), (2, "confirmed", 21)]
    with system.transaction() as s:
        rows = s.scalars(select(TaxSubmission).where(TaxSubmission.case_id == case.id).order_by(TaxSubmission.version))
        assert [r.status_name for r in rows] == ["已被更正", "税务已确认"]


def test_a_request_that_ends_no_counted_month_sends_nothing(system, placed, staff, simulator_url):
    unit, user, case, (pid, _), form = placed
    _sent_to_tax(system, user, case, staff)
    with system.transaction() as s:  # the person's December was never ticked
        person = s.get(Placement, pid)
        next(m for m in person.months if m.month == 12).selected = False
    eid = _apply(system, user, unit, case.year, _input(
        case, form, placement_id=pid, ended_on=date(case.year, 11, 30).isoformat(), from_month=12))
    _approve(system, staff, _row(system, eid).instance_id)
    system.drain()
    row = _row(system, eid)
    assert (row.status, row.removed_month_count, row.tax_corrected) == ("approved", 0, False)
    assert [v for v, *_ in _submissions(system, case.id)] == [1]


def test_the_whole_unit_is_ended(system, placed, staff):
    unit, user, case, (pid, other), form = placed
    with pytest.raises(FieldErrors) as bad:  # 离职 is a person's reason
        _apply(system, user, unit, case.year, _input(case, form, scope="unit"))
    assert set(bad.value.errors) == {"reason"}
    eid = _apply(system, user, unit, case.year, _input(
        case, form, scope="unit", reason="单位注销", ended_on=date(case.year, 1, 20).isoformat(), from_month=2))
    with pytest.raises(DomainError, match="待审核的注销申请（单位整体）"):
        _apply(system, user, unit, case.year, _input(
            case, form, scope="unit", reason="单位注销", ended_on=date(case.year, 1, 20).isoformat(), from_month=2))
    _approve(system, staff, _row(system, eid).instance_id)
    row = _row(system, eid)
    assert row.months_removed == {str(pid): list(range(2, 13)), str(other): list(range(2, 13))}
    assert [_person(system, p).approved_months for p in (pid, other)] == [1, 1]


@pytest.mark.parametrize("where", ["first_review", "second_review"])
def test_a_refusal_changes_nothing_and_the_person_may_be_ended_again(system, placed, staff, where):
    unit, user, case, (pid, _), form = placed
    eid = _apply(system, user, unit, case.year, _input(case, form, placement_id=pid))
    with pytest.raises(DomainError, match="已有一份待审核的注销申请"):
        _apply(system, user, unit, case.year, _input(case, form, placement_id=pid))
    iid = _row(system, eid).instance_id
    if where == "second_review":
        _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, staff("supervisor_anshan" if where == "second_review" else "reviewer_anshan"),
            inbox_row(system, iid, where).task_id, "reject", "离职证明与社保记录不符")
    row = _row(system, eid)
    assert (row.status_name, row.open_key, row.months_removed) == ("不予注销", None, {})
    assert inbox(system, iid) == [] and _person(system, pid).approved_months == 12
    again = _apply(system, user, unit, case.year, _input(case, form, placement_id=pid))
    with system.transaction() as s:
        assert [e.id for e in ends.ends_of(s, unit.id, case.year)] == [eid, again]


def test_the_date_the_month_the_person_and_the_documents_are_checked_and_nothing_is_created(system, placed):
    unit, user, case, (pid, _), form = placed
    today = _today(system)

    def refused(**fields) -> dict:
        with pytest.raises(FieldErrors) as bad:
            _apply(system, user, unit, case.year, _input(case, form, **{"placement_id": pid, **fields}))
        return bad.value.errors

    assert refused(ended_on=(today + timedelta(days=1)).isoformat()) == {"ended_on": "注销日期不能晚于今天"}
    assert refused(from_month=6) == {"from_month": "注销起始月份应为3月或4月（注销日期所在月或其次月）"}
    assert refused(ended_on=date(case.year - 1, 12, 1).isoformat(), from_month=2) == {"from_month": "注销起始月份应为1月"}
    assert refused(attachment_ids=[]) == {"attachment_ids": "请上传盖章的注销业务申请书及离职、退休、死亡或注销证明"}
    assert refused(attachment_ids=[999999]) == {"attachment_ids": "附件不存在或不属于该单位"}
    assert refused(reason="单位注销") == {"reason": "注销原因请选择：离职、退休、死亡、其他"}
    assert set(refused(placement_id=999999)) == {"placement_id"}
    with pytest.raises(ValueError):  # the declaration itself: 1–12, a listed reason
        _input(case, form, placement_id=pid, from_month=13)
    with pytest.raises(ValueError):
        _input(case, form, placement_id=pid, reason="调动")
    with pytest.raises(DomainError, match="没有2019年度"):
        _apply(system, user, unit, 2019, _input(case, form, placement_id=pid))
    with system.transaction() as s:
        assert s.scalar(select(func.count()).select_from(PlacementEnd)) == 0


def test_the_allowed_start_month():
    assert ends.first_month_allowed(2026, date(2026, 3, 31)) == (3, 4)
    assert ends.first_month_allowed(2026, date(2026, 12, 5)) == (12, 12)
    assert ends.first_month_allowed(2026, date(2025, 7, 1)) == (1, 1)
    assert ends.first_month_allowed(2026, date(2027, 1, 1)) is None


def test_two_submits_at_once_make_one_request(system, placed):
    unit, user, case, (pid, _), form = placed
    results: list[object] = []
    barrier = threading.Barrier(2)

    def submit():
        barrier.wait()
        try:
            results.append(_apply(system, user, unit, case.year, _input(case, form, placement_id=pid)))
        except DomainError as exc:
            results.append(exc.message)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(type(r).__name__ for r in results) == ["int", "str"], results
    with system.transaction() as s:
        assert s.scalar(select(func.count()).select_from(PlacementEnd)) == 1


def test_an_ended_person_is_not_offered_for_next_year(system, placed, staff):
    from casework import cases, placements

    unit, user, case, (pid, other), form = placed
    eid = _apply(system, user, unit, case.year, _input(
        case, form, placement_id=pid, reason="死亡", ended_on=date(case.year, 8, 2).isoformat(), from_month=9))
    _approve(system, staff, _row(system, eid).instance_id)
    with system.transaction() as s:
        following = cases.open_case(s, system, s.get(Unit, unit.id), case.year + 1, user.login)
        assert [p.id for p in placements.previous_year_people(s, following)] == [other]


def test_a_person_under_a_placement_end_cannot_be_registered_again_or_deleted(system, placed, staff):
    """重新登记 or 删除 would rewrite or drop the months a 注销 request is about: refused while
    the request is reviewed and once it is approved, for that person only; a request for the
    whole unit holds everyone."""
    from casework import placements

    unit, user, case, (pid, other), form = placed

    def refused(person: int) -> list[str]:
        messages = []
        for act in (placements.re_register, placements.remove_placement):
            with pytest.raises(DomainError) as caught, system.transaction() as s:
                act(s, system, user, s.get(CertificationCase, case.id), s.get(Placement, person))
            messages.append(caught.value.message)
        return messages

    def holds() -> dict[int, str]:
        with system.transaction() as s:
            return placements.end_holds(s, [s.get(Placement, pid), s.get(Placement, other)])

    assert holds() == {}
    eid = _apply(system, user, unit, case.year, _input(case, form, placement_id=pid))
    name = _person(system, pid).name
    assert holds() == {pid: "注销安置登记申请正在审核"}
    assert refused(pid) == [f"{name}注销安置登记申请正在审核，不能重新登记", f"{name}注销安置登记申请正在审核，不能删除"]
    _approve(system, staff, _row(system, eid).instance_id)
    assert holds() == {pid: "已自4月起注销安置登记"}
    assert refused(pid) == [f"{name}已自4月起注销安置登记，不能重新登记", f"{name}已自4月起注销安置登记，不能删除"]
    assert not _person(system, pid).removed
    whole = _apply(system, user, unit, case.year, _input(case, form, scope="unit", reason="单位注销"))
    assert holds() == {pid: "已自4月起注销安置登记", other: "注销安置登记申请正在审核"}
    assert _row(system, whole).status == "first_review"
