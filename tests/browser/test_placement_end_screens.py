"""单位注销安置登记 in Chromium: the unit's menu entry after 安置残疾大学生申请; 安置人员 shows
only for 安置人员注销 and the reasons follow the 注销范围; the 注销业务申请书 downloads as a
PDF; a 注销起始月份 the date does not allow is refused next to its field with the input and
the upload kept; 提交 → 待初审; a reviewer finds it in 单位注销安置登记 and takes 初审通过 on
the 审批 page (the request's material shown), a supervisor 同意注销; the unit sees 已注销
with the months that stopped counting, and 残疾人安置管理 shows 已注销（自N月起）.
WCAG AA, screenshots with SCREENSHOTS set."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from casework.models import PlacementEnd
from tests.api.files import pdf_bytes
from tests.browser.conftest import login
from tests.browser.test_accessibility import violations
from tests.reliefkit import open_year
from tests.web.test_placement_end_pages import placed

pytestmark = pytest.mark.browser
UNIT = "91210303306812749R"  # 鞍山市铁西区示范电子科技有限公司: no seeded people
NAME = "欧阳注销"  # a name the seeded population does not use


def _end(app) -> PlacementEnd:
    with app.extensions["quotacert"].transaction() as s:
        return s.scalar(select(PlacementEnd).where(PlacementEnd.person_name == NAME))


def _submit(page, label: str) -> None:
    page.once("dialog", lambda d: d.accept())
    page.click(f"form.end-form button[type=submit] >> text={label}")
    page.wait_for_load_state("networkidle")


def _decide(page, base: str, step: str, outcome_label: str, shots, shot: str, list_shot: str) -> list[str]:
    """From 单位注销安置登记 (the staff menu) open the request, go to its open `step` and
    take `outcome_label`; returns the accessibility findings of the pages seen."""
    page.click("nav.main-nav >> text=单位注销安置登记")
    page.wait_for_load_state("networkidle")
    row = page.locator("tbody tr", has_text=NAME)
    assert row.count() == 1, page.content()[:2000]
    found = violations(page)
    shots(page, list_shot)
    row.locator("a", has_text="查看").click()
    page.wait_for_load_state("networkidle")
    page.click(f"a.btn >> text=办理：{step}")
    page.wait_for_load_state("networkidle")
    material = page.locator("section.placement-end-material").inner_text()
    assert NAME in material and "注销业务申请书.pdf" in material and "4月、5月" in material, material
    found += violations(page)
    shots(page, shot)
    page.locator(".outcomes").get_by_role("radio", name=outcome_label, exact=True).check()
    page.click("form >> button:has-text('提交')")
    page.wait_for_load_state("networkidle")
    assert page.locator(".flash-success").count() == 1, page.content()[:2000]
    return found


def test_the_unit_ends_a_placement_and_the_staff_approve(live_server, browser, shots, tmp_path):
    base, app = live_server
    year = open_year(app, UNIT)
    pid = placed(app, UNIT, year, NAME, "210303198001011235")
    found: list[str] = []
    context = lambda: browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")  # noqa: E731

    unit = context().new_page()
    login(unit, base, UNIT)
    nav = unit.locator("nav.main-nav").inner_text()
    assert nav.index("安置残疾大学生申请") < nav.index("单位注销安置登记")
    unit.click("nav.main-nav >> text=单位注销安置登记")
    unit.wait_for_load_state("networkidle")
    assert unit.locator("h2", has_text=f"{year}年度注销申请").count() == 1
    assert unit.locator("text=本年度尚无注销安置登记申请").count() == 1
    pdf = unit.request.get(base + unit.get_attribute("[data-form-pdf]", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    form = unit.locator("form.end-form")
    person = form.locator("select[name=placement_id]")
    assert not person.is_visible()  # no 注销范围 chosen yet
    form.locator("input[name=scope][value=unit]").check()
    assert not person.is_visible() and form.locator("optgroup[label=单位整体注销]").is_enabled()
    assert form.locator("optgroup[label=安置人员注销]").get_attribute("hidden") is not None
    form.locator("input[name=scope][value=person]").check()
    assert person.is_visible() and form.locator("optgroup[label=单位整体注销]").get_attribute("hidden") is not None
    assert person.locator(f"option[value='{pid}']").inner_text() == f"{NAME}（210303*****1011235，安置登记12个月）"
    found += violations(unit)
    shots(unit, "70-placement-end-apply")

    proof = tmp_path / "注销业务申请书.pdf"
    proof.write_bytes(pdf_bytes("end"))
    person.select_option(str(pid))
    form.locator("select[name=reason]").select_option("离职")
    form.locator("input[name=ended_on]").fill(date(year, 3, 31).isoformat())
    form.locator("select[name=from_month]").select_option("6")
    form.locator("textarea[name=note]").fill("本人辞职，2025年3月31日解除劳动合同")
    form.locator("input[name=attachments]").set_input_files(str(proof))
    _submit(unit, "提交")
    error = unit.locator(".field-error", has_text="注销起始月份应为3月或4月")
    assert error.count() == 1, unit.content()[:3000]
    form = unit.locator("form.end-form")
    assert form.locator("input[name=ended_on]").input_value() == date(year, 3, 31).isoformat()
    assert form.locator("select[name=reason]").input_value() == "离职"
    assert form.locator("select[name=placement_id]").input_value() == str(pid)
    assert form.locator(".file-list", has_text="注销业务申请书.pdf").count() == 1  # the upload is kept
    found += violations(unit)
    shots(unit, "71-placement-end-field-error")

    form.locator("select[name=from_month]").select_option("4")
    _submit(unit, "提交")
    assert "注销安置登记申请已提交" in unit.content()
    end = _end(app)
    assert (end.status, end.from_month, len(end.attachment_ids)) == ("first_review", 4, 1)
    row = unit.locator(f"tr[data-end='{end.id}']")
    assert row.locator("[data-status]").inner_text() == "待初审"
    assert "审核期间安置月份照常计算" in row.locator("[data-status-help]").inner_text()
    found += violations(unit)
    shots(unit, "72-placement-end-first-review")

    reviewer = context().new_page()
    login(reviewer, base, "reviewer_anshan", staff=True)
    found += _decide(reviewer, base, "初审", "初审通过", shots, "74-placement-end-first-review-task",
                     "73-placement-end-staff-list")
    assert _end(app).status == "second_review"

    supervisor = context().new_page()
    login(supervisor, base, "supervisor_anshan", staff=True)
    found += _decide(supervisor, base, "复审", "同意注销", shots, "75-placement-end-second-review-task",
                     "75-placement-end-staff-list-supervisor")
    assert _end(app).status == "approved"

    unit.reload()
    unit.wait_for_load_state("networkidle")
    row = unit.locator(f"tr[data-end='{end.id}']")
    assert row.locator("[data-status]").inner_text() == "已注销"
    assert "9个" in row.inner_text() and "初审：初审通过" in row.inner_text() and "复审：同意注销" in row.inner_text()
    found += violations(unit)
    shots(unit, "76-placement-end-approved")

    unit.click("nav.main-nav >> text=残疾人安置管理")
    unit.wait_for_load_state("networkidle")
    assert unit.locator("tbody tr", has_text=NAME).locator("[data-ended]").inner_text() == "已注销（自4月起）"
    found += violations(unit)
    shots(unit, "77-placement-end-placements")
    for page in (unit, reviewer, supervisor):
        page.context.close()
    assert not found, "\n".join(found)
