"""自定义表单 in the 用人单位 lane, in Chromium (issue 14): a unit whose province added a
补充说明 step of its own after 完成申报 finds it on its 首页 as 待办事项, fills the form as
the process owner designed it (Chinese labels, errors beside the fields), and sees what it
submitted in 填报记录; the pages pass the accessibility check."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from tests.api.conftest import api_login
from tests.api.test_journey import register
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "workflows"))
from test_wf_employer_custom_form import with_employer_step  # noqa: E402

pytestmark = pytest.mark.browser
UNIT = "91210303306812749R"  # 鞍山市铁西区: no seeded people
SHOTS = Path("/tmp/shots")


def _declared(app, population) -> None:
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.registry.register(session, with_employer_step(), "210000/annual_certification.bpmn", "210000")
    client = app.test_client()
    employer = api_login(client, UNIT)
    pid = register(client, employer, population.select(unit=UNIT, scenario="clean")[0])
    for _ in range(50):  # the live server's workers verify the months meanwhile
        system.drain()
        months = client.post(f"/api/v1/placements/{pid}/months", headers=employer,
                             json={"selected_months": list(range(1, 13))})
        if months.status_code == 200:
            break
        time.sleep(0.2)
    assert months.status_code == 200, months.get_json()
    done = client.post("/api/v1/case/declaration", headers=employer, json={"pledge_read": True})
    assert done.status_code == 200, done.get_json()


def test_the_unit_fills_the_step_its_province_added(live_server, page, population, shots):
    base, app = live_server
    _declared(app, population)
    SHOTS.mkdir(parents=True, exist_ok=True)
    login(page, base, UNIT)
    steps = page.locator(".employer-steps")
    assert "待办事项" in steps.inner_text() and "补充说明" in steps.inner_text()
    found = violations(page)
    page.screenshot(path=str(SHOTS / "59-employer-home-steps.png"), full_page=True)
    steps.locator("a", has_text="补充说明").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text() == "补充说明"
    for label in ("联系人", "申报情况", "确认申报无误", "新增岗位数", "证明材料"):
        assert page.locator("[data-custom-form]").get_by_text(label).count() >= 1, label
    found += violations(page)
    page.screenshot(path=str(SHOTS / "60-employer-custom-form.png"), full_page=True)
    shots(page, "60-employer-custom-form")

    page.fill("#f-new_posts", "200")
    page.click("[data-custom-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    errors = page.locator(".field-error").all_inner_texts()
    assert any("联系人" in e for e in errors) and any("申报情况" in e for e in errors), errors
    found += violations(page)
    page.screenshot(path=str(SHOTS / "61-employer-custom-form-errors.png"), full_page=True)

    page.fill("#f-contact", "张三")
    page.check("input[name=confirmation][value=confirm]")
    page.fill("#f-new_posts", "2")
    page.fill("#f-note", "新增两个辅助岗位")
    page.click("[data-custom-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url.rstrip("/") == base, page.url
    assert page.locator(".employer-steps").count() == 0
    filled = page.locator(".employer-filled").inner_text()
    assert "申报情况：确认申报无误" in filled and "新增岗位数：2" in filled, filled
    found += violations(page)
    page.screenshot(path=str(SHOTS / "62-employer-custom-form-done.png"), full_page=True)
    assert found == [], "\n".join(found)
