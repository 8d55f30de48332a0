"""安置残疾大学生申请 in Chromium (002's menu): the unit applies for one of its placed persons
through /graduates/ with the diploma uploaded → 待初审 with the amount; a reviewer's 初审
(初审通过) and a supervisor's 复审 (批准) on the workbench pages; the unit then sees 已批准
and the amount, also on its 首页 (本年度其他申请). WCAG AA, screenshots with SCREENSHOTS set."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.graduate_subsidy import amount_of
from casework.models import CertificationCase, GraduateSubsidy, Placement, Unit
from casework.relief_review import money
from engine.clock import CHINA_TZ
from tests.api.files import pdf_bytes
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations
from tests.reliefkit import open_year

pytestmark = pytest.mark.browser
UNIT = "91210303306812749R"  # 鞍山市铁西区示范电子科技有限公司: no seeded people
NAME = "欧阳毕业"  # a name the seeded population does not use


def _placed(app, year: int) -> int:
    """A graduate placed by UNIT in `year` (confirmed for 10 months)."""
    with app.extensions["quotacert"].transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == UNIT))
        case = s.scalar(select(CertificationCase).where(CertificationCase.unit_id == unit.id, CertificationCase.year == year))
        placement = Placement(case_id=case.id, id_number="210303200002021236", name=NAME, is_graduate=True,
                              confirmed_months=10)
        s.add(placement)
        s.flush()
        return placement.id


def _graduate(app) -> GraduateSubsidy:
    with app.extensions["quotacert"].transaction() as s:
        return s.scalar(select(GraduateSubsidy).where(GraduateSubsidy.person_name == NAME))


def _decide(page, base: str, task: str, outcome_label: str, shots, shot: str) -> list[str]:
    """Open the person's `task` from the inbox, check the application it decides on, take
    `outcome_label` and submit; returns the accessibility findings of the decision page."""
    page.goto(f"{base}/review/?person={NAME}")
    page.wait_for_load_state("networkidle")
    row = page.locator("tbody tr", has_text=task).filter(has_text="安置残疾大学生申请")
    assert row.count() == 1, page.content()[:2000]
    row.locator("a", has_text="办理").click()
    page.wait_for_load_state("networkidle")
    material = page.locator("section.graduate-material").inner_text()
    assert NAME in material and "辽宁科技大学" in material and "毕业证书.pdf" in material
    found = violations(page)
    shots(page, shot)
    page.locator(".outcomes").get_by_role("radio", name=outcome_label, exact=True).check()
    page.click("form >> button:has-text('提交')")
    page.wait_for_load_state("networkidle")
    assert page.locator(".flash-success").count() == 1, page.content()[:2000]
    return found


def test_the_unit_applies_and_the_staff_approve_on_their_pages(live_server, browser, shots, tmp_path):
    base, app = live_server
    year = open_year(app, UNIT)
    placement_id = _placed(app, year)
    system = app.extensions["quotacert"]
    today = system.runtime.clock.now().astimezone(CHINA_TZ).date()
    found: list[str] = []
    context = lambda: browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")  # noqa: E731

    unit = context().new_page()
    login(unit, base, UNIT)
    unit.click("nav.main-nav >> text=安置残疾大学生申请")
    unit.wait_for_load_state("networkidle")
    assert unit.locator("h2", has_text=f"{year}年度申请").count() == 1
    assert unit.locator("text=本年度尚未申请").count() == 1
    form = unit.locator("form.graduate-form")
    assert form.locator(f"select[name=placement_id] option[value='{placement_id}']").inner_text().startswith(NAME)
    found += violations(unit)
    shots(unit, "60-graduate-apply")

    diploma = tmp_path / "毕业证书.pdf"
    diploma.write_bytes(pdf_bytes("diploma"))
    form.locator("select[name=placement_id]").select_option(str(placement_id))
    form.locator("input[name=school]").fill("辽宁科技大学")
    form.locator("input[name=major]").fill("计算机科学与技术")
    form.locator("select[name=education]").select_option("本科")
    form.locator("select[name=degree]").select_option("学士")
    form.locator("input[name=graduated_on]").fill(today.replace(year=today.year - 1).isoformat())
    form.locator("input[name=diploma_no]").fill("101461202406001234")
    form.locator("input[name=months]").fill("8")
    form.locator("input[name=attachments]").set_input_files(str(diploma))
    unit.once("dialog", lambda d: d.accept())
    form.locator("button[type=submit]", has_text="提交").click()
    unit.wait_for_load_state("networkidle")
    assert "安置残疾大学生申请已提交" in unit.content()
    grad = _graduate(app)
    assert (grad.status, grad.months, grad.amount) == ("first_review", 8, amount_of(grad.standard, 8))
    row = unit.locator(f"tr[data-graduate='{grad.id}']")
    assert row.locator("[data-status]").inner_text() == "待初审"
    assert row.locator("[data-status-help]").inner_text() == "申请已提交，等待残联业务人员初审。"
    assert NAME in row.inner_text() and money(grad.amount) in row.inner_text()
    found += violations(unit)
    shots(unit, "61-graduate-first-review")

    reviewer = context().new_page()
    login(reviewer, base, "reviewer_anshan", staff=True)
    found += _decide(reviewer, base, "初审", "初审通过", shots, "62-graduate-first-review-task")
    shots(reviewer, "63-graduate-first-review-done")
    assert _graduate(app).status == "second_review"

    supervisor = context().new_page()
    login(supervisor, base, "supervisor_anshan", staff=True)
    found += _decide(supervisor, base, "复审", "批准", shots, "64-graduate-second-review-task")
    shots(supervisor, "65-graduate-second-review-done")
    assert _graduate(app).status == "approved"

    unit.reload()
    unit.wait_for_load_state("networkidle")
    row = unit.locator(f"tr[data-graduate='{grad.id}']")
    assert row.locator("[data-status]").inner_text() == "已批准"
    assert row.locator("[data-status-help]").inner_text() == "已批准，补贴金额按申请时核定的金额发放。"
    assert money(grad.amount) in row.inner_text()
    history = row.inner_text()
    assert "初审" in history and "复审" in history
    found += violations(unit)
    shots(unit, "66-graduate-approved")

    unit.goto(f"{base}/")
    unit.wait_for_load_state("networkidle")
    panel = unit.locator("section.other-applications")
    assert panel.locator("h2").inner_text() == "本年度其他申请"
    assert f"安置残疾大学生申请（{NAME}）" in panel.inner_text()
    assert panel.locator("[data-status]").inner_text() == "已批准" and "补贴金额按申请时核定的金额发放" in panel.inner_text()
    found += violations(unit)
    shots(unit, "67-graduate-home")
    for page in (unit, reviewer, supervisor):
        page.context.close()
    assert not found, "\n".join(found)
