"""The workbench in a real browser: a reviewer filters the inbox, claims a task and marks
every claimed month 有效 with one click; a province's supervisor 复核 (the generic 审批
step, added by diagram alone) sends a review back with a reason; after the 10-working-day
limit the reviewer keeps the late task and the supervisor takes it over from 逾期督办."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from casework import decisions, registration, verification
from casework.models import CertificationCase, Placement, Unit, User
from casework.schemas.review import ApprovalInput
from engine.models import InboxTask
from tests.browser.conftest import login
from tests.flowkit import add_person, attachment

pytestmark = pytest.mark.browser

UNIT = "91210303306812749R"  # 鞍山市铁西区 (the seeded demo people belong to 铁东)
RECHECK = Path(__file__).resolve().parents[1] / "workflows" / "diagrams" / "placement_review_recheck.bpmn"


def verified_person(system, population, code: str, scenario: str, index: int = 0):
    """A simulator person of unit `code` registered and auto-verified (at 人员信息校验):
    (placement id, the unit, the employer's account, the person)."""
    year = system.settings.business_year
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == code))
        user = s.scalar(select(User).where(User.login == code))
    person = population.select(unit=code, scenario=scenario, year=year)[index]
    pid = add_person(system, unit.id, user, person, year=year)
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        registration.submit_registration(s, system, user, s.get(CertificationCase, placement.case_id), placement)
    system.settle()
    return pid, unit, user, person


def claimed_person(app, population, index: int) -> str:
    """A person of UNIT with failed months ticked and proven: waiting for 安置登记审核."""
    system = app.extensions["quotacert"]
    pid, unit, user, person = verified_person(system, population, UNIT, "insurance_gap", index)
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        case = s.get(CertificationCase, placement.case_id)
        verification.attach_claim_material(s, user, case, placement, attachment(s, unit.id, ""), "社会保险缴费凭证")
        assert verification.submit_months(s, system, user, case, placement, list(range(1, 13)))
    return person.person.name


def open_task(page, base: str, title: str, name: str) -> None:
    page.goto(f"{base}/review/?person={name}")
    page.wait_for_load_state("networkidle")
    row = page.locator("tbody tr", has_text=title)
    assert row.count() == 1, page.content()[:2000]
    row.locator("text=办理").click()
    page.wait_for_load_state("networkidle")


def test_reviewer_filters_claims_and_marks_all_valid(live_server, page, population, shots):
    base, app = live_server
    name = claimed_person(app, population, 0)
    login(page, base, "reviewer_anshan", staff=True)
    page.goto(f"{base}/review/")
    page.wait_for_load_state("networkidle")
    tab = page.locator(".wtab", has_text="安置登记审核")
    assert tab.count() == 1 and int(tab.locator(".count").inner_text()) >= 1
    shots(page, "wb-01-inbox")

    open_task(page, base, "安置登记审核", name)
    assert page.locator("h2", has_text="审批记录").count() == 1
    page.click("button:has-text('认领')")
    page.wait_for_load_state("networkidle")
    assert page.locator(".badge", has_text="由我办理").count() == 1
    page.click("button:has-text('全部有效')")
    radios = page.locator("input[data-all-valid]")
    assert radios.count() >= 1 and all(radios.nth(i).is_checked() for i in range(radios.count()))
    shots(page, "wb-02-review")
    page.click("button:has-text('确认')")
    page.wait_for_load_state("networkidle")
    assert "审核结论已保存" in page.content()
    page.goto(f"{base}/review/?person={name}")
    assert page.locator(".empty").count() == 1  # done: not in the inbox any more
    shots(page, "wb-03-inbox-after")


def test_supervisor_recheck_and_supervision(live_server, browser, population, shots):
    base, app = live_server
    system = app.extensions["quotacert"]
    with system.transaction() as s:  # Liaoning publishes its variant: no code change
        system.registry.register(s, RECHECK.read_text(encoding="utf-8"), "210000/placement_review.bpmn", "210000")
    name = claimed_person(app, population, 1)

    reviewer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(reviewer, base, "reviewer_anshan", staff=True)
    open_task(reviewer, base, "安置登记审核", name)
    reviewer.click("button:has-text('全部有效')")
    reviewer.click("button:has-text('确认')")
    reviewer.wait_for_load_state("networkidle")

    supervisor = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(supervisor, base, "supervisor_anshan", staff=True)
    supervisor.goto(f"{base}/review/")
    assert supervisor.locator(".wtab", has_text="审批").count() == 1
    open_task(supervisor, base, "安置登记复核", name)
    assert [t.strip() for t in supervisor.locator(".outcomes label").all_inner_texts()] == ["同意", "退回重审"]
    assert "认定有效" in supervisor.locator(".history").inner_text()
    shots(supervisor, "wb-04-recheck")
    supervisor.check("input[value='return']")
    supervisor.click("button:has-text('提交')")
    supervisor.wait_for_load_state("networkidle")
    assert "须填写理由" in supervisor.content()
    supervisor.check("input[value='return']")
    supervisor.fill("textarea[name='reason']", "请核对缴费凭证的月份")
    supervisor.click("button:has-text('提交')")
    supervisor.wait_for_load_state("networkidle")
    assert "已退回重审" in supervisor.content()

    # back with the reviewer, who lets it run past the limit
    open_task(reviewer, base, "安置登记审核", name)
    assert "请核对缴费凭证的月份" in reviewer.locator(".history").inner_text()
    with system.transaction() as s:
        system.runtime.clock.advance(s, timedelta(days=20))
    system.settle()
    # twenty days on the engine clock also end the sessions: both log in again
    login(reviewer, base, "reviewer_anshan", staff=True)
    login(supervisor, base, "supervisor_anshan", staff=True)
    open_task(reviewer, base, "安置登记审核", name)
    assert reviewer.locator(".badge", has_text="已逾期").count() >= 1

    open_task(supervisor, base, "逾期督办", name)
    shots(supervisor, "wb-05-supervision")
    supervisor.check("input[value='take_over']")
    supervisor.click("button:has-text('提交')")
    supervisor.wait_for_load_state("networkidle")
    assert "本人接办" in supervisor.content()
    open_task(supervisor, base, "安置登记审核", name)  # taken over: now in the supervisor's inbox
    assert supervisor.locator(".badge", has_text="由我办理").count() == 1
    shots(supervisor, "wb-06-taken-over")
    reviewer.context.close()
    supervisor.context.close()


def test_reviewer_sends_a_declared_case_to_tax(live_server, page, population, shots):
    """发送税务部门 shows what goes to tax (the unit, the year, people and months) and sends it."""
    from casework import cases

    base, app = live_server
    system = app.extensions["quotacert"]
    code = "91150102132474451B"  # 呼和浩特市新城区: reviewer_huhhot's city
    pid, _unit, user, _person = verified_person(system, population, code, "clean")
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        case = s.get(CertificationCase, placement.case_id)
        assert verification.submit_months(s, system, user, case, placement, list(range(1, 13))) == []
    with system.transaction() as s:
        placement = s.get(Placement, pid)
        cases.complete_declaration(s, system, user, s.get(CertificationCase, placement.case_id), pledge_read=True)
    # Inner Mongolia's diagram (workflows/150000/) has the reviewer's 年审认证审核 first
    with system.transaction() as s:
        iid = s.get(CertificationCase, case.id).instance_id
        [review] = s.scalars(select(InboxTask).where(InboxTask.instance_id == iid, InboxTask.form == "decision")).all()
        decisions.decide(s, system, s.scalar(select(User).where(User.login == "reviewer_huhhot")), review.task_id,
                         ApprovalInput(outcome="approve"))

    login(page, base, "reviewer_huhhot", staff=True)
    page.goto(f"{base}/review/?form=case_send_tax")
    page.wait_for_load_state("networkidle")
    row = page.locator("tbody tr", has_text="呼和浩特市新城区示范乳业有限公司")
    assert row.count() == 1
    row.locator("text=办理").click()
    page.wait_for_load_state("networkidle")
    facts = page.locator("dl.facts").last.inner_text()
    assert code in facts and "1 人" in facts and "12 个月" in facts
    shots(page, "wb-07-send-tax")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('发送税务部门')")
    page.wait_for_load_state("networkidle")
    assert "已提交发送税务部门" in page.content()
    system.settle()
    with system.transaction() as s:
        assert s.get(CertificationCase, case.id).sent_to_tax_at is not None
