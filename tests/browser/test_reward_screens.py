"""超比例奖励申请 in Chromium as the employer sees it (002 网报系统): the menu entry after
通知公告, the page with 附件材料信息 / 超比例奖励信息 / 银行卡信息, a wrong account refused
next to its field with the input kept, 提交 → 待初审; 退回补正 shows the reason and the form
again; 复审通过 offers the signed 奖励审核认定书. WCAG AA, screenshots with SCREENSHOTS set."""

from __future__ import annotations

import pytest

from tests.api.files import pdf_bytes
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations
from tests.rewardkit import application, approve, certify, decide

pytestmark = pytest.mark.browser
UNIT = "91210303306812749R"  # 鞍山市铁西区示范电子科技有限公司: no seeded people


def test_the_employer_applies_is_returned_corrects_and_downloads(live_server, browser, shots, tmp_path):
    base, app = live_server
    year = certify(app, UNIT)
    found: list[str] = []
    page = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN").new_page()
    login(page, base, UNIT)
    nav = page.locator("nav.main-nav").inner_text()
    assert nav.index("通知公告") < nav.index("超比例奖励申请")
    page.click("nav.main-nav >> text=超比例奖励申请")
    page.wait_for_load_state("networkidle")
    for title in ("附件材料信息", "超比例奖励信息", "银行卡信息"):
        assert page.locator("h2", has_text=title).count() == 1
    assert page.locator('[data-fact="staff_count"]').inner_text() == "30"
    assert page.locator('[data-fact="quota_persons"]').inner_text() == "1"
    assert page.locator('[data-fact="coefficient"]').inner_text() == "1.5"
    found += violations(page)
    shots(page, "40-reward-apply")

    material = tmp_path / "开户许可证.pdf"
    material.write_bytes(pdf_bytes("licence"))
    page.set_input_files("#attachments", str(material))
    page.fill("#f-payee_name", "鞍山市铁西区示范电子科技有限公司")
    page.fill("#f-payee_account", "1234-abc")
    page.fill("#f-payee_bank", "中国银行鞍山铁西支行")
    page.once("dialog", lambda d: d.accept())
    page.click("button[type=submit] >> text=提交")
    page.wait_for_load_state("networkidle")
    assert page.locator(".field-error", has_text="收款单位银行账户应为8至30位数字").count() == 1
    assert page.input_value("#f-payee_account") == "1234-abc" and page.input_value("#f-payee_bank") == "中国银行鞍山铁西支行"
    assert page.locator(".file-list", has_text="开户许可证.pdf").count() == 1  # the upload is kept
    found += violations(page)
    shots(page, "41-reward-field-error")

    page.fill("#f-payee_account", "6217 0000 1111 2222")
    page.once("dialog", lambda d: d.accept())
    page.click("button[type=submit] >> text=提交")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status]").inner_text() == "待初审"
    assert "超比例奖励申请已提交" in page.content() and "开户许可证.pdf" in page.content()
    found += violations(page)
    shots(page, "42-reward-first-review")

    app_id = application(app, UNIT, year).id
    decide(app, "reviewer_anshan", app_id, "first_review", "return", "请补充开户许可证盖章页")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status]").inner_text() == "退回补正"
    assert page.locator("table", has_text="请补充开户许可证盖章页").count() == 1
    assert page.input_value("#f-payee_account") == "6217000011112222"
    found += violations(page)
    shots(page, "43-reward-returned")
    page.once("dialog", lambda d: d.accept())
    page.click("button[type=submit] >> text=重新提交")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status]").inner_text() == "待初审"

    approve(app, app_id)
    page.reload()
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-status]").inner_text() == "复审通过"
    found += violations(page)
    shots(page, "44-reward-approved")
    with page.expect_download() as download:
        page.click("text=下载奖励审核认定书")
    assert download.value.suggested_filename.startswith("奖励审核认定书_JL-")
    assert found == [], "\n".join(found)
