"""Every page passes axe-core's WCAG 2.1 AA rules in Chromium (axe-core bundled by the
axe-playwright-python package, injected through the browser's devtools protocol, so the
pages' Content-Security-Policy stays as strict as it is)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

SEEDED_UNIT = "91210302052118596L"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}


def violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG_AA)
    found = [] if page.locator("h1").count() else [f"{page.url}: no h1"]
    for v in results.response["violations"]:
        targets = "; ".join(str(n["target"]) for n in v["nodes"][:3])
        found.append(f"{page.url} [{v['impact']}] {v['id']}: {v['help']} — {targets}")
    return found


def visit(page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return violations(page)


def first_link(page, pattern: str) -> str:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    return next(h for h in hrefs if re.search(pattern, h))


def test_employer_pages_pass_wcag_aa(live_server, page):
    base, _app = live_server
    found = visit(page, f"{base}/login")
    login(page, base, SEEDED_UNIT)
    found += violations(page)  # 首页
    found += visit(page, f"{base}/placements/")
    detail = first_link(page, r"^/placements/\d+$")
    for path in (detail, "/placements/new", "/placements/import", "/placements/declare", "/unit", "/calculator", "/notices"):
        found += visit(page, base + path)
    assert found == [], "\n".join(found)


def test_staff_pages_pass_wcag_aa(live_server, page):
    base, _app = live_server
    found = visit(page, f"{base}/login?tab=staff")
    login(page, base, "reviewer_anshan", staff=True)
    found += visit(page, f"{base}/review/")
    for _ in range(60):  # the seeded claim reaches the inbox when its in-process job has run
        if page.locator("a[href^='/review/tasks/']").count():
            break
        page.wait_for_timeout(500)
        page.goto(f"{base}/review/")
    found += visit(page, base + first_link(page, r"^/review/tasks/[^/]+$"))
    found += visit(page, f"{base}/calculator")
    assert found == [], "\n".join(found)
