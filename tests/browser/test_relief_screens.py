"""缓减免申请 in Chromium as the employer sees it (001's menu): the entry between
单位信息维护管理 and 残保金计算器; 申请类型 shows 申请减缴金额 only for 减缴 and 缓缴期限 only
for 缓缴; an amount over the levy refused next to its field with the input and the upload
kept; 提交 → 待初审; 退回补正 shows the reason and the form again prefilled; 已批准 shows
what was granted, also on the 残保金计算器. WCAG AA, screenshots with SCREENSHOTS set."""

from __future__ import annotations

import pytest

from tests.api.files import pdf_bytes
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations
from tests.reliefkit import REASON, approve, decide, open_year, relief_of

pytestmark = pytest.mark.browser
UNIT = "91210303306812749R"  # 鞍山市铁西区示范电子科技有限公司: no seeded people


def _submit(page, label: str) -> None:
    page.once("dialog", lambda d: d.accept())
    page.click(f"button[type=submit] >> text={label}")
    page.wait_for_load_state("networkidle")


def test_the_employer_applies_is_returned_corrects_and_is_granted(live_server, browser, shots, tmp_path):
    base, app = live_server
    year = open_year(app, UNIT)
    found: list[str] = []
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(page, base, UNIT)
    nav = page.locator("nav.main-nav").inner_text()
    assert nav.index("单位信息维护管理") < nav.index("缓减免申请") < nav.index("残保金计算器")
    page.click("nav.main-nav >> text=缓减免申请")
    page.wait_for_load_state("networkidle")
    assert page.locator("h2", has_text="申请信息").count() == 1 and page.locator("h2", has_text="证明材料").count() == 1
    assert page.locator("text=缓缴最长不超过6个月").count() >= 1
    # no kind chosen: neither the amount nor the months
    assert not page.is_visible("#f-amount") and not page.is_visible("#f-defer_months")
    page.check("input[name=kind][value=defer]")
    assert page.is_visible("#f-defer_months") and not page.is_visible("#f-amount")
    page.check("input[name=kind][value=reduce]")
    assert page.is_visible("#f-amount") and not page.is_visible("#f-defer_months")
    found += violations(page)
    shots(page, "50-relief-apply")

    proof = tmp_path / "受灾证明.pdf"
    proof.write_bytes(pdf_bytes("loss"))
    page.set_input_files("#attachments", str(proof))
    page.fill("#f-reason", REASON)
    page.fill("#f-levy_due", "30000")
    page.fill("#f-amount", "30000.01")
    _submit(page, "提交")
    assert page.locator(".field-error", has_text="减缴金额不能超过一年的应缴残保金金额").count() == 1
    assert page.input_value("#f-amount") == "30000.01" and page.input_value("#f-levy_due") == "30000"
    assert page.input_value("#f-reason") == REASON and page.is_checked("input[name=kind][value=reduce]")
    assert page.locator(".file-list", has_text="受灾证明.pdf").count() == 1  # the upload is kept
    found += violations(page)
    shots(page, "51-relief-field-error")

    page.fill("#f-amount", "20000")
    _submit(page, "提交")
    assert page.locator("[data-status]").inner_text() == "待初审"
    assert "缓减免申请已提交" in page.content() and "减缴20,000.00元" in page.content() and "受灾证明.pdf" in page.content()
    found += violations(page)
    shots(page, "52-relief-first-review")

    relief_id = relief_of(app, UNIT, year).id
    decide(app, "reviewer_anshan", relief_id, "first_review", "return", "请补充受灾损失评估报告")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status]").inner_text() == "退回补正"
    assert page.locator("table", has_text="请补充受灾损失评估报告").count() == 1
    assert page.input_value("#f-amount") == "20000.00" and page.is_checked("input[name=kind][value=reduce]")
    found += violations(page)
    shots(page, "53-relief-returned")
    page.check("input[name=kind][value=defer]")
    page.select_option("#f-defer_months", "6")
    _submit(page, "重新提交")
    assert page.locator("[data-status]").inner_text() == "待初审"

    approve(app, relief_id)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status]").inner_text() == "已批准"
    granted = relief_of(app, UNIT, year).granted
    assert page.locator("[data-granted]").inner_text() == f"本单位{year}年度缓减免申请已批准：{granted}"
    found += violations(page)
    shots(page, "54-relief-approved")

    page.click("nav.main-nav >> text=残保金计算器")
    page.wait_for_load_state("networkidle")
    assert granted in page.locator("[data-relief-granted]").inner_text()
    found += violations(page)
    shots(page, "55-relief-calculator")
    assert not found, "\n".join(found)
