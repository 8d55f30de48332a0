"""超比例奖励 (issue 15, seed 002) through workflows/over_ratio_reward.bpmn.

An 鞍山 unit with two persons certified for the whole year (审核认定书 issued) and 30
staff last year applies: quota ceil(30 × 1.5%) = 1, one person over. Every path of the
diagram: 初审 退回补正 → 补正 → 初审 → 复审 退回初审 → 初审 → 复审通过 (the 奖励审核认定书
is issued); 初审 不通过; 复审 不通过; the window's way (复核). The refusals (not certified,
no 上年度职工数, not over the quota, a second application of the year, two submits at once)
create nothing. 审核分离 is the diagram's: whoever filed at the window, or did 初审, is
kept off the next review (exclude_actor), from the inbox and from the command."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from wfkit import (
    advance_past,
    aware,
    case_row,
    confirmed_person,
    declare,
    inbox,
    inbox_row,
    instance,
)

from casework import decisions, review
from casework import reward_applications as rewards
from casework.models import DecisionRecord, IssuedCertificate, RewardApplication, Unit
from casework.schemas.review import ApprovalInput
from casework.schemas.reward_application import RewardApplicationInput
from casework.scope import Forbidden
from domain.errors import DomainError
from domain.reward import reward_for
from engine.models import InboxTask

PAYEE = {"payee_name": "鞍山示范单位", "payee_account": "6222 0000 1234 5678", "payee_bank": "中国银行鞍山分行"}


@pytest.fixture
def certified(system, employer, population):
    """The unit's 2026 case declared with two confirmed persons and its certificate issued."""
    unit, user = employer
    confirmed_person(system, unit, user, population, 0)
    pid = confirmed_person(system, unit, user, population, 1)
    with system.transaction() as s:
        from casework.models import Placement

        case_id = s.get(Placement, pid).case_id
        s.get(Unit, unit.id).staff_last_year = 30
    declare(system, user, case_id)
    iid = case_row(system, case_id).instance_id
    advance_past(system, aware(instance(system, iid).next_timer_at))  # 审核认定书 may be downloaded
    return unit, user, case_row(system, case_id)


def _apply(system, user, unit, year, channel="employer", **changes):
    with system.transaction() as s:
        return rewards.apply(s, system, user, s.get(Unit, unit.id), year,
                             RewardApplicationInput(**{**PAYEE, **changes}), channel=channel).id


def _app(system, app_id) -> RewardApplication:
    with system.transaction() as s:
        return s.get(RewardApplication, app_id)


def _decide(system, user, task_id, outcome, reason=""):
    with system.transaction() as s:
        return decisions.decide(s, system, user, task_id, ApprovalInput(outcome=outcome, reason=reason))


def _count(system) -> int:
    with system.transaction() as s:
        return s.scalar(select(func.count()).select_from(RewardApplication))


def test_the_unit_applies_and_every_return_loop_ends_in_the_certificate(system, certified, staff):
    unit, user, case = certified
    expected = reward_for(case.region_code, case.year, 30, 2)
    assert expected.quota_persons == 1 and expected.excess == 1
    app_id = _apply(system, user, unit, case.year)
    app = _app(system, app_id)
    assert (app.staff_count, app.placed_persons, app.quota_persons, app.over_persons) == (30, 2, 1, 1)
    assert app.amount == expected.reward and app.payee_account == "6222000012345678"
    assert app.status_name == "待初审"
    iid = app.instance_id
    reviewer, supervisor = staff("reviewer_anshan"), staff("supervisor_anshan")

    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "return", "银行账户与开户许可证不符")
    assert _app(system, app_id).status_name == "退回补正"
    assert inbox(system, iid) == [("correct", "employer")]
    with system.transaction() as s:  # the unit corrects the account: back to 初审
        application = s.get(RewardApplication, app_id)
        rewards.correct(s, system, user, application, RewardApplicationInput(**{**PAYEE, "payee_account": "6222000087654321"}))
    assert _app(system, app_id).payee_account == "6222000087654321"
    assert _app(system, app_id).status_name == "待初审"
    assert inbox(system, iid) == [("first_review", "reviewer")]

    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "approve")
    assert _app(system, app_id).status_name == "待复审"
    second = inbox_row(system, iid, "second_review")
    assert second.excluded_actors == ",reviewer_anshan,"  # who did 初审 may not do 复审
    _decide(system, supervisor, second.task_id, "return", "请核对安置人数")
    assert inbox(system, iid) == [("first_review", "reviewer")]
    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, supervisor, inbox_row(system, iid, "second_review").task_id, "approve")

    app = _app(system, app_id)
    assert app.status_name == "复审通过" and inbox(system, iid) == []
    with system.transaction() as s:
        certificate = s.get(IssuedCertificate, app.certificate_id)
        assert certificate.kind == "reward" and certificate.number.startswith(f"JL-{case.year}-")
        assert certificate.facts["amount"] == str(expected.reward) and certificate.facts["payee_account"] == "6222********4321"
        steps = [(d.step, d.outcome) for d in s.scalars(select(DecisionRecord).where(
            DecisionRecord.subject_ref == f"reward:{app_id}").order_by(DecisionRecord.id))]
    assert steps == [("初审", "return"), ("初审", "approve"), ("复审", "return"), ("初审", "approve"), ("复审", "approve")]


@pytest.mark.parametrize("where", ["first_review", "second_review"])
def test_a_rejection_ends_the_application_and_the_year_cannot_apply_again(system, certified, staff, where):
    unit, user, case = certified
    app_id = _apply(system, user, unit, case.year)
    iid = _app(system, app_id).instance_id
    if where == "second_review":
        _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, staff("supervisor_anshan" if where == "second_review" else "reviewer_anshan"),
            inbox_row(system, iid, where).task_id, "reject", "安置人员与社保记录不符")
    assert _app(system, app_id).status_name == "审核不通过"
    assert inbox(system, iid) == [] and instance(system, iid).status == "completed"
    with pytest.raises(DomainError, match="只能申请一次"):
        _apply(system, user, unit, case.year)
    assert _count(system) == 1


def test_the_window_files_for_the_unit_and_the_filer_may_not_review_it(system, certified, staff):
    unit, _user, case = certified
    supervisor = staff("supervisor_anshan")
    app_id = _apply(system, supervisor, unit, case.year, channel="window")
    app = _app(system, app_id)
    assert app.channel == "window" and app.status_name == "待复核" and app.filed_by == "supervisor_anshan"
    task = inbox_row(system, app.instance_id, "window_review")
    assert task.excluded_actors == ",supervisor_anshan,"
    with system.transaction() as s:  # not in the filer's inbox, and the command refuses them
        mine = review.inbox(s, supervisor, now=system.runtime.clock.now(), per_page=100)
        assert mine.total >= 0 and task.task_id not in {row.task.task_id for row in mine.items}
    with pytest.raises(Forbidden, match="审核分离"):
        _decide(system, supervisor, task.task_id, "approve")
    assert inbox(system, app.instance_id) == [("window_review", "supervisor")]

    # filed by a reviewer instead: the supervisor 复核s it
    with system.transaction() as s:
        s.delete(s.get(InboxTask, task.task_id))
        s.delete(s.get(RewardApplication, app_id))
    app_id = _apply(system, staff("reviewer_anshan"), unit, case.year, channel="window")
    iid = _app(system, app_id).instance_id
    _decide(system, supervisor, inbox_row(system, iid, "window_review").task_id, "approve")
    assert _app(system, app_id).status_name == "复审通过"


def test_refusals_create_nothing(system, employer, certified, staff):
    unit, user, case = certified
    with pytest.raises(DomainError, match="尚未取得有效的"):  # another year: not certified
        _apply(system, user, unit, case.year - 1)
    with system.transaction() as s:
        s.get(Unit, unit.id).staff_last_year = None
    with pytest.raises(DomainError, match="上年度职工数"):
        _apply(system, user, unit, case.year)
    with system.transaction() as s:
        s.get(Unit, unit.id).staff_last_year = 200  # quota ceil(200 × 1.5%) = 3 > 2
    with pytest.raises(DomainError, match="未超过按比例应安排的3人"):
        _apply(system, user, unit, case.year)
    with pytest.raises(Forbidden):  # a reviewer of another province cannot file at the window
        _apply(system, staff("reviewer_huhhot"), unit, case.year, channel="window")
    assert _count(system) == 0


def test_two_submits_at_once_make_one_application(system, certified):
    unit, user, case = certified
    results: list[object] = []
    barrier = threading.Barrier(2)

    def submit():
        barrier.wait()
        try:
            results.append(_apply(system, user, unit, case.year))
        except DomainError as exc:
            results.append(exc.message)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(type(r).__name__ for r in results) == ["int", "str"], results
    assert any("只能申请一次" in r for r in results if isinstance(r, str))
    assert _count(system) == 1


def test_the_002_example_comes_out_exactly():
    from domain.reward import compute_reward

    result = compute_reward(30, 2, Decimal("0.015"), Decimal("1.5"), Decimal("6600"))
    assert (result.quota_persons, result.excess, result.reward) == (1, 1, Decimal("9900.00"))
