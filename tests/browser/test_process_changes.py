"""与…比较 and 迁移在办业务 in Chromium, as 内蒙古's process owner: the version page's picker
leads to the comparison, where both diagrams are drawn (bpmn-js from our own origin) and
what changed is marked on them (added green on the new one, removed red on the old one,
changed amber on both); a click on a line selects the element. Then the running cases of
the province on the old annual version are checked and moved in one batch. The strict
CSP holds (no violation, no script error) and the pages pass the WCAG 2.1 AA checks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.browser import test_process_modeler as modeler
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations as wcag
from tests.web.processkit import current_id, open_cases, placement_variant, publish, renamed_review

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/shots")
owner_page = modeler.owner_page  # the fixture: a page that records CSP violations and script errors
violations = modeler.violations


def test_owner_compares_two_versions_and_migrates_running_cases(live_server, owner_page, shots, tmp_path):
    base, app = live_server
    system = app.extensions["quotacert"]
    page = owner_page
    found: list[str] = []
    kept: list[Path] = []

    def shot(name: str) -> None:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots(page, name)
        kept.append(path)

    national = current_id(system, "placement_review", "150100")
    mine = publish(system, "owner_nmg", placement_variant(), "placement_review", "复核改名，核验步骤替换")
    login(page, base, "owner_nmg", staff=True)

    # the version page's picker: 与…比较 the national default
    page.goto(f"{base}/processes/versions/{mine}")
    page.wait_for_load_state("networkidle")
    assert page.locator("#compare-with option").count() >= 1
    found += violations(page) + wcag(page)
    shot("44-process-version-compare")
    page.select_option("#compare-with", str(national))
    page.click("text=比较差异")
    page.wait_for_url(f"**/processes/versions/{national}/diff/{mine}")
    page.locator('[data-diff-viewer="old"][data-diff-ready]').wait_for(timeout=15000)
    page.locator('[data-diff-viewer="new"][data-diff-ready]').wait_for(timeout=15000)
    new, old = page.locator('[data-diff-viewer="new"]'), page.locator('[data-diff-viewer="old"]')
    assert new.locator('.djs-element.diff-added[data-element-id="log_checks"]').count() == 1
    assert old.locator('.djs-element.diff-removed[data-element-id="record_checks"]').count() == 1
    for side in (old, new):
        assert side.locator('.djs-element.diff-changed[data-element-id="manual_review"]').count() == 1
        assert side.locator('.djs-connection.diff-changed[data-element-id="f_choice_review"]').count() == 1
    assert new.locator(".djs-element.diff-removed").count() == 0 and old.locator(".djs-element.diff-added").count() == 0
    stroke = page.evaluate(
        """() => getComputedStyle(document.querySelector(
             '[data-diff-viewer="new"] .djs-element.diff-added .djs-visual > rect')).stroke"""
    )
    assert stroke == "rgb(30, 142, 62)", stroke  # our stylesheet's green, not bpmn-js's black
    assert page.locator("[data-diff-status].error").count() == 0

    page.locator('[data-diff-element="manual_review"] .diff-line').click()
    selected = page.evaluate(
        "() => ['old', 'new'].map(s => window.bpmnDiffViewers[s].get('selection').get().map(e => e.id))"
    )
    assert selected == [["manual_review"], ["manual_review"]], selected
    page.locator('[data-diff-element="manual_review"] .diff-line').scroll_into_view_if_needed()
    found += violations(page) + wcag(page)
    shot("45-process-diff")

    # 迁移在办业务: 内蒙古's running annual cases, a renamed later step published
    instances = open_cases(system, "15")
    old_annual = current_id(system, "annual_certification", "150100")
    target = publish(system, "owner_nmg", renamed_review(), "annual_certification", "复核改名")
    page.goto(f"{base}/processes/")
    page.wait_for_load_state("networkidle")
    page.locator(f'#process-annual_certification a[href="/processes/versions/{old_annual}/migrate"]').first.click()
    page.wait_for_load_state("networkidle")
    assert f"可迁移 {len(instances)} 件" in page.locator(".check-summary").inner_text()
    assert page.locator("tr[data-instance]").count() == len(instances)
    found += violations(page) + wcag(page)
    shot("46-process-migrate-check")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("text=批量迁移")
    page.wait_for_load_state("networkidle")
    assert f"已迁移 {len(instances)} 件" in page.locator(".report-summary").inner_text()
    found += violations(page) + wcag(page)
    shot("47-process-migrate-report")
    assert current_id(system, "annual_certification", "150100") == target
    page.goto(f"{base}/processes/")
    page.wait_for_load_state("networkidle")
    row = page.locator(f'#process-annual_certification tr:has(a[href="/processes/versions/{target}"])')
    assert f"{len(instances)} 件" in row.locator("[data-running-count]").inner_text()
    found += violations(page) + wcag(page)
    shot("48-processes-list-running")

    SHOTS.mkdir(parents=True, exist_ok=True)
    for path in kept:
        shutil.copy(path, SHOTS / path.name)
    found += page.problems
    assert found == [], "\n".join(found)
