"""参数设置 in Chromium, as 内蒙古's process owner sees it: every parameter with today's
value and source, the demo wage figures marked 演示数据，待核实, a change entered from a
future day (listed as upcoming and 待生效), a wrong input answered beside its field, and a
region's figures confirmed. The page keeps the strict CSP and passes WCAG 2.1 AA."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser.conftest import login
from tests.browser.test_accessibility import violations as wcag
from tests.browser.test_csp import RECORD_VIOLATIONS

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


@pytest.fixture
def owner_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(f"script error on {page.url}: {error}"))
    yield page
    context.close()


def csp_violations(page) -> list[str]:
    found = page.evaluate("window.__cspViolations || []")
    page.evaluate("window.__cspViolations = []")
    return [f"CSP on {page.url}: {v}" for v in found]


def test_owner_sees_changes_and_confirms_parameters(live_server, owner_page, shots, tmp_path):
    base, _app = live_server
    page = owner_page
    found: list[str] = []

    def shot(name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots(page, name)
        return path

    login(page, base, "owner_nmg", staff=True)
    page.click("nav >> text=参数设置")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1", has_text="参数设置").count() == 1
    assert page.locator('nav a[aria-current="page"]').inner_text() == "参数设置"
    upload = page.locator("#param-upload_limit_mb").inner_text()
    assert "100 MB" in upload and "本省文件" in upload
    assert "全国默认" in page.locator("#param-quota_ratio").inner_text()
    assert page.locator("#wages .badge-warn", has_text="演示数据，待核实").count() > 3
    found += csp_violations(page) + wcag(page)
    first = shot("50-params")

    # a wrong input comes back beside its field, the form still open
    page.locator("#param-quota_ratio summary").click()
    page.fill("#quota_ratio-value", "百分之二")
    page.fill("#quota_ratio-valid_from", "2026-07-01")
    page.locator("#param-quota_ratio button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "请填写百分比数字" in page.locator("#param-quota_ratio .field-error").inner_text()
    found += csp_violations(page) + wcag(page)
    error_shot = shot("51-params-error")

    # the same change, right: upcoming from its day, 待生效 in the history
    page.fill("#quota_ratio-value", "1.6")
    page.fill("#quota_ratio-note", "内蒙古自治区人民政府通知")
    page.locator("#param-quota_ratio button[type=submit]").click()
    page.wait_for_load_state("networkidle")
    assert "自2026-07-01起为1.6%" in page.locator(".flashes").inner_text()
    row = page.locator("#param-quota_ratio").inner_text()
    assert "1.5%" in row and "2026-07-01 起：1.6%" in row
    assert "待生效" in page.locator("#history").inner_text()

    # the region's shipped minimum wages confirmed: no badge on that row any more
    badges = page.locator("#wages .badge-warn", has_text="演示数据，待核实").count()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#wages form[action$='/params/confirm'] button").first.click()
    page.wait_for_load_state("networkidle")
    assert "不再标注为演示数据" in page.locator(".flashes").inner_text()
    assert page.locator("#wages .badge-warn", has_text="演示数据，待核实").count() == badges - 1
    found += csp_violations(page) + wcag(page)
    after = shot("52-params-changed")

    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in (first, error_shot, after):
        shutil.copy(path, SHOTS / path.name)
    found += page.problems
    assert found == [], "\n".join(found)
