"""窗口受理 in Chromium (浙江, 003 收受分离): 滨江区's window clerk finds a 西湖区 unit,
records its papers (暂缓受理), accepts them later from the workbench; 杭州's reviewer sees
what the window received on the 属地审核 page; the unit's 首页 shows where its case is.
No CSP violation, WCAG AA on every screen."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework import cases
from casework.models import Unit
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations
from tests.certkit import add_certified_person, id_number

pytestmark = pytest.mark.browser
UNIT_NAME = "杭州市西湖区示范康复服务中心"  # no seeded people: only the one certified here


def _unit_with_a_person(app) -> Unit:
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.name == UNIT_NAME))
        case = cases.open_case(s, system, unit, system.settings.business_year, "test")
        add_certified_person(s, case, "钱二", id_number(7), list(range(1, 13)))
        return unit


def _page(browser):
    return browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()


def test_window_receipt_to_local_review(live_server, browser, shots):
    base, app = live_server
    unit = _unit_with_a_person(app)
    found: list[str] = []
    errors: list[str] = []

    clerk = _page(browser)
    clerk.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(clerk, base, "window_binjiang", staff=True)
    assert clerk.url.endswith("/window/")
    found += violations(clerk)
    clerk.fill("#q", "康复服务中心")
    clerk.click("button:has-text('查找')")
    clerk.wait_for_load_state("networkidle")
    row = clerk.locator("tr", has_text=UNIT_NAME)
    assert "省内通办" in row.inner_text() and "浙江省杭州市西湖区" in row.inner_text()
    found += violations(clerk)
    shots(clerk, "30-window-search")
    row.locator("a", has_text="收件登记").click()
    clerk.wait_for_load_state("networkidle")
    found += violations(clerk)
    for key in ("application", "certificates", "pledge"):
        clerk.check(f"input[name=materials][value={key}]")
    clerk.check("input[name=mode][value=deferred]")
    clerk.click("button:has-text('提交收件登记')")  # no reason yet: said beside the field
    clerk.wait_for_load_state("networkidle")
    assert "暂缓受理须填写原因" in clerk.locator(".field-error").inner_text()
    assert clerk.locator("input[name=materials][value=pledge]").is_checked()  # kept as ticked
    found += violations(clerk)
    shots(clerk, "31-window-intake-error")
    clerk.check("input[name=mode][value=deferred]")
    clerk.fill("#reason", "缺少残疾职工工资发放证明和参保缴费证明，请3个工作日内补齐")
    clerk.click("button:has-text('提交收件登记')")
    clerk.wait_for_load_state("networkidle")
    receipts = clerk.locator("#receipts").inner_text()
    assert "暂缓受理（待补齐材料）" in receipts and "窗口受理 · 浙江省杭州市滨江区" in receipts
    found += violations(clerk)
    shots(clerk, "32-window-receipts")

    clerk.click("nav >> text=待办任务")
    clerk.wait_for_load_state("networkidle")
    clerk.locator("tr", has_text="窗口受理").locator("a", has_text="办理").first.click()
    clerk.wait_for_load_state("networkidle")
    assert "下载电子案卷" not in clerk.content() and "缺少残疾职工工资发放证明" in clerk.content()
    found += violations(clerk)
    for key in ("contracts", "wages", "insurance"):
        clerk.check(f"input[name=materials][value={key}]")
    clerk.check("input[name=outcome][value=accept]")
    shots(clerk, "33-window-acceptance-task")
    clerk.locator("button[type=submit]", has_text="提交").click()
    clerk.wait_for_load_state("networkidle")
    assert "已受理，已转浙江省杭州市西湖区残联属地审核" in clerk.content()

    reviewer = _page(browser)
    login(reviewer, base, "reviewer_hangzhou", staff=True)
    reviewer.goto(f"{base}/review/?form=decision")
    reviewer.wait_for_load_state("networkidle")
    reviewer.locator("tr", has_text="属地审核").locator("a", has_text="办理").first.click()
    reviewer.wait_for_load_state("networkidle")
    receipt = reviewer.locator("section", has_text="窗口收件").first.inner_text()
    assert "浙江省杭州市滨江区残联服务窗口" in receipt and "申报资料真实性承诺书" in receipt
    found += violations(reviewer)
    shots(reviewer, "34-local-review")

    employer = _page(browser)
    login(employer, base, unit.credit_code)
    card = employer.locator(".window-receipts").inner_text()
    assert "属地审核 · 浙江省杭州市西湖区" in card and "已受理，属地审核中" in card
    progress = employer.locator("ol.progress").inner_text()
    assert "窗口受理" in progress and "属地审核" in progress
    found += violations(employer)
    shots(employer, "35-home-window-receipt")

    reviewer.check("input[value=approve]")
    reviewer.locator("button[type=submit]", has_text="提交").click()
    reviewer.wait_for_load_state("networkidle")
    clerk.goto(f"{base}/window/")
    clerk.wait_for_load_state("networkidle")
    assert "属地审核通过，已代为完成申报" in clerk.locator("#receipts").inner_text()
    shots(clerk, "36-window-receipts-declared")
    assert found == [], "\n".join(found)
    assert not [e for e in errors if "Content Security Policy" in e], errors
