"""缓减免申请 (issue 15) through workflows/levy_relief.bpmn: the unit asks to defer, reduce or
be exempted from its 残保金 of a year; 初审 (退回补正 → 补正 → 初审) → 复审 (退回初审 → 初审)
→ 批准, or 不予批准 at either. 财税〔2015〕72号 第二十一条's limits (a reduction at most one
year's levy, a deferral at most six months) and the documents are checked, nothing is
created by a refused submit; one application per unit and year; who did 初审 is kept off
复审; a granted relief goes with the year's tax push."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func, select
from wfkit import case_row, confirmed_person, declare, inbox, inbox_row, instance

from casework import decisions, review
from casework import levy_relief as relief
from casework.demo import _demo_pdf
from casework.models import LevyRelief, Placement, TaxSubmission, Unit
from casework.schemas.levy_relief import LevyReliefInput
from casework.schemas.review import ApprovalInput
from casework.uploads import store_upload
from domain.errors import DomainError, FieldErrors
from engine.clock import CHINA_TZ

REASON = "2026年7月遭受特大洪涝灾害，厂房设备受损，直接经济损失约300万元"


@pytest.fixture
def opened(system, employer, population):
    """The unit's year opened (a confirmed person), and a loss statement uploaded."""
    unit, user = employer
    pid = confirmed_person(system, unit, user, population, 0)
    with system.transaction() as s:
        case_id = s.get(Placement, pid).case_id
        proof = store_upload(s, system.settings, unit_id=unit.id, user_id=user.id, filename="受灾证明.pdf",
                             data=_demo_pdf("statement"), kind="statement", limit_bytes=10 << 20).id
    return unit, user, case_row(system, case_id), proof


def _apply(system, user, unit, year, **fields):
    with system.transaction() as s:
        return relief.apply(s, system, user, s.get(Unit, unit.id), year, LevyReliefInput(**fields)).id


def _row(system, relief_id) -> LevyRelief:
    with system.transaction() as s:
        return s.get(LevyRelief, relief_id)


def _decide(system, user, task_id, outcome, reason=""):
    with system.transaction() as s:
        return decisions.decide(s, system, user, task_id, ApprovalInput(outcome=outcome, reason=reason))


def test_a_deferral_through_both_return_loops_is_granted_for_six_months_at_most(system, opened, staff):
    unit, user, case, proof = opened
    relief_id = _apply(system, user, unit, case.year, kind="defer", reason=REASON, levy_due="48000",
                       defer_months=4, attachment_ids=[proof])
    row = _row(system, relief_id)
    assert (row.kind_name, row.status_name, row.defer_months, row.amount) == ("缓缴", "待初审", 4, None)
    iid = row.instance_id
    reviewer, supervisor = staff("reviewer_anshan"), staff("supervisor_anshan")
    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "return", "请补充受灾损失评估报告")
    assert _row(system, relief_id).status_name == "退回补正" and inbox(system, iid) == [("correct", "employer")]
    with system.transaction() as s:
        relief.correct(s, system, user, s.get(LevyRelief, relief_id),
                       LevyReliefInput(kind="defer", reason=REASON, levy_due="48000", defer_months=6, attachment_ids=[proof]))
    assert _row(system, relief_id).defer_months == 6 and inbox(system, iid) == [("first_review", "reviewer")]
    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "approve")
    second = inbox_row(system, iid, "second_review")
    assert second.excluded_actors == ",reviewer_anshan,"
    _decide(system, supervisor, second.task_id, "return", "请初审核实损失金额")
    _decide(system, reviewer, inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, supervisor, inbox_row(system, iid, "second_review").task_id, "approve")

    row = _row(system, relief_id)
    today = system.runtime.clock.now().astimezone(CHINA_TZ).date()
    assert row.status_name == "已批准" and instance(system, iid).status == "completed"
    assert row.defer_until == date(today.year + (today.month + 5) // 12, (today.month + 5) % 12 + 1, today.day)
    assert row.granted.startswith("缓缴6个月至")
    with system.transaction() as s:
        payload = relief.tax_payload(s, unit.id, case.year)
    assert payload["kind"] == "defer" and payload["defer_until"] == row.defer_until.isoformat()


@pytest.mark.parametrize("where", ["first_review", "second_review"])
def test_a_refusal_ends_it_and_the_year_cannot_apply_again(system, opened, staff, where):
    unit, user, case, proof = opened
    relief_id = _apply(system, user, unit, case.year, kind="exempt", reason=REASON, levy_due="12000.50",
                       attachment_ids=[proof])
    assert _row(system, relief_id).amount == Decimal("12000.50")  # 免缴: the whole year's levy
    iid = _row(system, relief_id).instance_id
    if where == "second_review":
        _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, staff("supervisor_anshan" if where == "second_review" else "reviewer_anshan"),
            inbox_row(system, iid, where).task_id, "reject", "损失不属于不可抗力")
    assert _row(system, relief_id).status_name == "未批准" and inbox(system, iid) == []
    with system.transaction() as s:
        assert relief.tax_payload(s, unit.id, case.year) is None
    with pytest.raises(DomainError, match="只能申请一次"):
        _apply(system, user, unit, case.year, kind="defer", reason=REASON, levy_due="100", defer_months=1,
               attachment_ids=[proof])


def test_the_limits_of_article_21_and_the_documents_are_checked_and_nothing_is_created(system, opened):
    unit, user, case, proof = opened
    with pytest.raises(FieldErrors) as bad:
        _apply(system, user, unit, case.year, kind="reduce", reason=REASON, levy_due="1000", amount="1000.01",
               attachment_ids=[proof])
    assert bad.value.errors == {"amount": "减缴金额不能超过一年的应缴残保金金额"}
    with pytest.raises(FieldErrors) as bad:
        _apply(system, user, unit, case.year, kind="defer", reason=REASON, levy_due="1000")
    assert set(bad.value.errors) == {"defer_months", "attachment_ids"}
    with pytest.raises(ValueError):  # the declaration itself: at most 6 months
        LevyReliefInput(kind="defer", reason=REASON, levy_due="1000", defer_months=7)
    with pytest.raises(DomainError, match="尚未开始2019年度"):
        _apply(system, user, unit, 2019, kind="exempt", reason=REASON, levy_due="1000", attachment_ids=[proof])
    with system.transaction() as s:
        assert s.scalar(select(func.count()).select_from(LevyRelief)) == 0


def test_a_granted_reduction_goes_with_the_tax_push(system, opened, staff):
    from casework.operations import push_tax_result

    unit, user, case, proof = opened
    relief_id = _apply(system, user, unit, case.year, kind="reduce", reason=REASON, levy_due="30000", amount="20000",
                       attachment_ids=[proof])
    iid = _row(system, relief_id).instance_id
    _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, staff("supervisor_anshan"), inbox_row(system, iid, "second_review").task_id, "approve")
    assert _row(system, relief_id).granted == "减缴20000.00元"
    declare(system, user, case.id)
    receipt = push_tax_result(system, {"case_id": case.id})
    assert receipt["receipt_no"]
    sent = system.clients.tax.http.get_json(system.clients.tax.system, "/tax/results")["results"]
    assert sent[-1]["payload"]["levy_relief"]["kind"] == "reduce"
    assert sent[-1]["payload"]["levy_relief"]["amount"] == 20000.0


def test_a_relief_granted_after_the_year_went_to_tax_follows_as_a_correction(system, opened, staff, simulator_url):
    unit, user, case, proof = opened
    declare(system, user, case.id)
    case_iid = case_row(system, case.id).instance_id
    with system.transaction() as s:
        review.send_to_tax(s, system, staff("reviewer_anshan"), inbox_row(system, case_iid, "send_to_tax").task_id)
    system.drain()
    relief_id = _apply(system, user, unit, case.year, kind="exempt", reason=REASON, levy_due="30000",
                       attachment_ids=[proof])
    iid = _row(system, relief_id).instance_id
    _decide(system, staff("reviewer_anshan"), inbox_row(system, iid, "first_review").task_id, "approve")
    _decide(system, staff("supervisor_anshan"), inbox_row(system, iid, "second_review").task_id, "approve")
    system.drain()
    assert instance(system, iid).status == "completed"
    results = httpx.get(f"{simulator_url}/tax/results", timeout=5).json()["results"]
    assert [r["payload"]["version"] for r in results] == [1, 2]
    assert results[0]["payload"]["levy_relief"] is None
    assert results[1]["payload"]["levy_relief"]["kind"] == "exempt"
    assert results[1]["payload"]["correction_of"] == results[0]["receipt"]["receipt_no"]
    with system.transaction() as s:
        versions = s.scalars(select(TaxSubmission.version).where(TaxSubmission.case_id == case.id)).all()
    assert sorted(versions) == [1, 2]
