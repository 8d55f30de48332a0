"""The pages pass their own Content-Security-Policy in Chromium: no page logs a violation.

Listens to both the console ("Refused to execute inline event handler ...") and the
`securitypolicyviolation` event (through an init script, which Playwright injects outside
the page's policy), on every main page of an employer and of a reviewer.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

SEEDED_UNIT = "91210302052118596L"  # 鞍山铁东: demo people at every step of the flow

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__cspViolations.push(e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


@pytest.fixture
def watched(browser):
    """A page whose CSP violations (event and console) are collected in `page.csp_log`."""
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    log: list[str] = []

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            log.append(f"console on {page.url}: {message.text}")

    page.on("console", on_console)
    page.csp_log = log
    yield page
    context.close()


def visit(page, url: str) -> None:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    check(page)


def check(page) -> None:
    """Collect this document's violations (the event list lives as long as the document)."""
    found = page.evaluate("window.__cspViolations || []")
    page.csp_log.extend(f"event on {page.url}: {v}" for v in found)
    page.evaluate("window.__cspViolations = []")


def first_link(page, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    found = [h for h in hrefs if re.search(pattern, h)]
    assert found, f"no link matching {pattern} on {page.url}"
    return found[0]


def test_employer_pages_log_no_csp_violation(live_server, watched, shots):
    base, _app = live_server
    page = watched
    visit(page, f"{base}/login")
    shots(page, "csp-01-login")
    login(page, base, SEEDED_UNIT)
    check(page)
    assert page.locator(".bar .fill").count() >= 1  # the status chart is drawn by app.js
    width = page.eval_on_selector(".bar .fill", "el => getComputedStyle(el).width")
    assert width not in ("0px", "auto"), width
    shots(page, "csp-02-home")
    visit(page, f"{base}/placements/")
    shots(page, "csp-03-placements")
    detail = first_link(page, r"^/placements/\d+$")
    visit(page, f"{base}/placements/new")
    page.wait_for_function("() => document.querySelectorAll('.region-picker select option').length > 1")
    check(page)
    shots(page, "csp-04-wizard")
    visit(page, base + detail)
    shots(page, "csp-05-detail")
    visit(page, f"{base}/placements/import")
    visit(page, f"{base}/placements/declare")
    visit(page, f"{base}/unit")
    shots(page, "csp-06-unit")
    visit(page, f"{base}/calculator")
    page.click("[data-step='1'] >> nth=0")  # app.js steppers still work
    check(page)
    shots(page, "csp-07-calculator")
    visit(page, f"{base}/notices")
    shots(page, "csp-08-notices")
    visit(page, f"{base}/no-such-page")
    assert page.csp_log == []


def test_reviewer_pages_log_no_csp_violation(live_server, watched, shots):
    base, _app = live_server
    page = watched
    login(page, base, "reviewer_anshan", staff=True)
    check(page)
    visit(page, f"{base}/review/")
    for _ in range(60):  # the seeded claim reaches the inbox when its in-process job has run
        if page.locator("a[href^='/review/tasks/']").count():
            break
        page.wait_for_timeout(500)
        visit(page, f"{base}/review/")
    shots(page, "csp-09-inbox")
    task = first_link(page, r"^/review/tasks/[^/]+$")
    visit(page, base + task)
    shots(page, "csp-10-review")
    visit(page, f"{base}/notices")
    visit(page, f"{base}/calculator")
    assert page.csp_log == []


def test_confirmations_come_from_app_js(live_server, watched):
    """onsubmit="return confirm(...)" became data-confirm: cancelling still stops the form."""
    base, _app = live_server
    page = watched
    login(page, base, SEEDED_UNIT)
    visit(page, f"{base}/placements/")
    asked: list[str] = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    before = page.url
    page.click("form[data-confirm] button:has-text('删除') >> nth=0")
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith("确定删除“")
    assert page.url == before
    check(page)
    assert page.csp_log == []
