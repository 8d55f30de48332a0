"""流程管理 in Chromium, as 内蒙古's process owner sees it: the list, a version drawn by
bpmn-js (served from our own origin), the online editor saving the national diagram as a
draft of the province, publishing it, and a broken diagram whose problem is listed and
outlined on the canvas. The pages keep their strict CSP (no violation is logged, no
script error) and pass the WCAG 2.1 AA checks like every other page."""

from __future__ import annotations

import re
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

    def on_console(message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            page.problems.append(f"console on {page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: page.problems.append(f"script error on {page.url}: {error}"))
    yield page
    context.close()


def violations(page) -> list[str]:
    found = page.evaluate("window.__cspViolations || []")
    page.evaluate("window.__cspViolations = []")
    return [f"CSP on {page.url}: {v}" for v in found]


def wait_for_diagram(page) -> int:
    # a locator, not wait_for_function: a string predicate is an eval the page's CSP refuses
    page.locator(".djs-element").nth(5).wait_for(state="attached", timeout=15000)
    return page.locator(".djs-element").count()


def test_owner_views_edits_saves_and_sees_problems(live_server, owner_page, shots, tmp_path):
    base, _app = live_server
    page = owner_page
    found: list[str] = []

    def shot(name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        shots(page, name)
        return path

    login(page, base, "owner_nmg", staff=True)
    assert page.url.endswith("/processes/"), page.url
    assert page.locator("h1", has_text="流程管理").count() == 1
    card = page.locator("#process-placement_review")
    assert "按全国默认流程办理" in card.inner_text()
    found += violations(page) + wcag(page)
    shot("40-processes-list")

    # the national default, drawn by the NavigatedViewer
    card.locator("dd a").first.click()
    page.wait_for_load_state("networkidle")
    assert wait_for_diagram(page) > 5
    assert page.locator(".bjs-powered-by").count() == 1  # bpmn.io's watermark stays
    assert page.locator("[data-bpmn-status].error").count() == 0
    found += violations(page) + wcag(page)
    view_shot = shot("41-process-version")

    # the editor: save the national diagram unchanged, as a draft of 内蒙古
    page.click("text=在线编辑")
    page.wait_for_load_state("networkidle")
    assert wait_for_diagram(page) > 5
    page.wait_for_selector("[data-bpmn-save]:not([disabled])")
    assert page.locator(".djs-palette").count() == 1
    found += violations(page) + wcag(page)
    shot("42-process-editor")
    page.fill("[data-draft-note]", "在线建模：沿用全国流程")
    page.click("[data-bpmn-save]")
    page.wait_for_url(re.compile(r"/processes/versions/\d+$"))
    page.wait_for_load_state("networkidle")
    assert "已保存为草稿" in page.locator(".flashes").inner_text()
    facts = page.locator(".facts").inner_text()
    assert "草稿" in facts and "在线建模" in facts and "内蒙古" in facts
    wait_for_diagram(page)
    found += violations(page)

    # publish it (confirm dialog) and read the flash
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("button", has_text="发布").first.click()
    page.wait_for_load_state("networkidle")
    assert "本省新建业务将按此版本办理；在办业务不受影响" in page.locator(".flashes").inner_text()
    assert "生效中" in page.locator(".facts").inner_text()
    found += violations(page)

    # a broken diagram: the reviewer's lane renamed to a role nobody has
    page.click("text=在线编辑")
    page.wait_for_load_state("networkidle")
    wait_for_diagram(page)
    page.wait_for_selector("[data-bpmn-save]:not([disabled])")
    page.evaluate(
        """() => {
          const modeler = window.bpmnDiagram;
          const lane = modeler.get('elementRegistry').get('reviewer');
          modeler.get('modeling').updateProperties(lane, { name: '未登记岗位' });
        }"""
    )
    assert page.locator("[data-bpmn-dirty]").is_visible()
    page.click("[data-bpmn-save]")
    page.wait_for_selector("[data-bpmn-problems]:not([hidden])")
    problems = page.locator("[data-bpmn-problems]").inner_text()
    assert "reviewer" in problems and "不是已知角色" in problems, problems
    assert page.locator(".djs-element.has-problem").count() >= 1
    assert re.search(r"/processes/versions/\d+/edit$", page.url), "nothing saved, still editing"
    page.evaluate("() => window.bpmnDiagram.get('selection').select([])")
    page.locator(".problem-link", has_text="reviewer").first.click()
    selected = page.evaluate("() => window.bpmnDiagram.get('selection').get().map(e => e.id)")
    assert selected == ["reviewer"], selected
    found += violations(page) + wcag(page)
    problem_shot = shot("43-process-editor-problems")

    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(view_shot, SHOTS / view_shot.name)
    shutil.copy(problem_shot, SHOTS / problem_shot.name)
    found += page.problems
    assert found == [], "\n".join(found)
