"""路径检查 in Chromium: the owner opens a version's paths, expands one, and the page keeps
its CSP and passes the WCAG 2.1 AA checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import login
from tests.browser.test_accessibility import violations as wcag
from tests.browser.test_process_modeler import owner_page, violations  # noqa: F401

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")


def test_owner_reads_the_paths_of_a_version(live_server, owner_page, shots):  # noqa: F811
    base, _app = live_server
    page = owner_page
    login(page, base, "owner_nmg", staff=True)
    page.locator("#process-annual_certification dd a").first.click()
    page.wait_for_load_state("networkidle")
    page.click("text=路径检查")
    page.wait_for_load_state("networkidle")
    assert page.locator("[data-paths-ok]").count() == 1
    assert page.locator("[data-path-outcome=completed]").count() >= 3
    page.locator("[data-path-outcome=completed] summary").first.click()
    assert page.locator(".path-steps li").first.is_visible()
    found = violations(page) + wcag(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "45-process-paths.png"), full_page=True)
    shots(page, "45-process-paths")
    found += page.problems
    assert found == [], "\n".join(found)
