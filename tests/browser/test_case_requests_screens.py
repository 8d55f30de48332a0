"""年审申报撤回 in Chromium, as the employer and the reviewer see it: the 年审认证结果 page
offers the request after 完成申报, the reviewer decides it on the 审批 page (the request
and its reason shown), and the employer reads the outcome; no CSP violation, WCAG AA."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework import cases
from casework.models import Unit, User
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations
from tests.certkit import add_certified_person, id_number

pytestmark = pytest.mark.browser
UNIT = "91210303306812749R"  # no seeded people: only the one certified here


def _declared(app) -> None:
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == UNIT))
        user = s.scalar(select(User).where(User.unit_id == unit.id))
        case = cases.open_case(s, system, unit, system.settings.business_year, user.login)
        add_certified_person(s, case, "王一", id_number(3), list(range(1, 13)))
        cases.complete_declaration(s, system, user, case, pledge_read=True)


def test_withdrawal_asked_and_agreed(live_server, browser, shots):
    base, app = live_server
    _declared(app)
    found: list[str] = []

    employer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(employer, base, UNIT)
    employer.click("text=年审认证结果")
    employer.wait_for_load_state("networkidle")
    assert employer.locator("h2", has_text="年审申报撤回").count() == 1
    found += violations(employer)
    employer.click("text=提交撤回申请")  # empty reason: the browser's own required check stops it
    employer.wait_for_timeout(200)
    assert employer.locator(".flash, .notice.ok").filter(has_text="已提交").count() == 0
    employer.fill("#withdraw-reason", "漏报一名安置人员，需撤回后补充申报")
    employer.once("dialog", lambda d: d.accept())
    employer.click("text=提交撤回申请")
    employer.wait_for_load_state("networkidle")
    assert "审核中" in employer.content() and employer.locator("#withdraw-reason").count() == 0
    shots(employer, "20-results-withdrawal-pending")

    reviewer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(reviewer, base, "reviewer_anshan", staff=True)
    reviewer.goto(f"{base}/review/?form=decision")
    reviewer.wait_for_load_state("networkidle")
    reviewer.locator("tr", has_text="年审申报撤回审核").locator("a", has_text="办理").first.click()
    reviewer.wait_for_load_state("networkidle")
    assert "漏报一名安置人员" in reviewer.content()
    found += violations(reviewer)
    shots(reviewer, "21-review-withdrawal")
    reviewer.check("input[value=approve]")
    reviewer.locator("button[type=submit]", has_text="提交").click()
    reviewer.wait_for_load_state("networkidle")

    employer.reload()
    employer.wait_for_load_state("networkidle")
    assert "已同意" in employer.content()
    shots(employer, "22-results-withdrawal-agreed")
    assert found == [], "\n".join(found)


def test_tax_state_for_both_sides(live_server, browser, shots):
    """After the withdrawal above the unit declares again; the reviewer sends it; the tax
    side answers 不一致: the reviewer's 发送税务查询 and the employer's page say so."""
    import time

    from casework import review, tax_exchange
    from casework.models import CertificationCase, TaxSubmission
    from engine.models import InboxTask

    base, app = live_server
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == UNIT))
        user = s.scalar(select(User).where(User.unit_id == unit.id))
        case = s.scalar(select(CertificationCase).where(CertificationCase.unit_id == unit.id, CertificationCase.year == system.settings.business_year))
        if not case.locked:
            cases.complete_declaration(s, system, user, case, pledge_read=True)
        case_id = case.id
    with system.transaction() as s:
        task = s.scalar(select(InboxTask).where(InboxTask.case_id == case_id, InboxTask.form == "case_send_tax"))
        assert task is not None, [(t.task_name, t.form, t.case_id) for t in s.scalars(select(InboxTask))]
        reviewer_user = s.scalar(select(User).where(User.login == "reviewer_anshan"))
        review.send_to_tax(s, system, reviewer_user, task.task_id)
    for _ in range(200):  # the in-process runner pushes in the background
        with system.transaction() as s:
            sent = s.scalar(select(TaxSubmission).where(TaxSubmission.case_id == case_id))
            key = sent.idempotency_key if sent else None
        if key:
            break
        time.sleep(0.05)
    with system.transaction() as s:
        assert tax_exchange.receive_confirmation(s, system, {"idempotency_key": key, "consistent": False, "reason": "在职职工人数与社保登记不符"})

    found: list[str] = []
    reviewer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(reviewer, base, "reviewer_anshan", staff=True)
    reviewer.click("text=发送税务查询")
    reviewer.wait_for_load_state("networkidle")
    assert "税务反馈不一致" in reviewer.locator("table").inner_text()
    found += violations(reviewer)
    shots(reviewer, "23-review-tax-query")

    employer = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(employer, base, UNIT)
    employer.goto(f"{base}/results/")
    employer.wait_for_load_state("networkidle")
    assert "在职职工人数与社保登记不符" in employer.content()
    shots(employer, "24-results-tax-inconsistent")
    assert found == [], "\n".join(found)
