"""The employer's screens in a real browser: login, 首页, adding a person with the ID
autofill, the contract with an upload, auto-verify progress, the 12-month grid and the
system confirmation; then the reviewer's inbox. Also the unit page and the calculator."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.files import pdf_bytes
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

UNIT = "91210303306812749R"  # 鞍山市铁西区: not among the seeded demo units
ROOT = Path(__file__).resolve().parents[2]


def test_employer_registers_a_person(live_server, page, population, shots, tmp_path):
    base, _app = live_server
    person = population.select(unit=UNIT, scenario="clean")[0]
    login(page, base, UNIT)
    assert page.url.rstrip("/") == base, page.url
    assert page.locator("text=业务进度").count() == 1
    shots(page, "01-home")

    page.click("text=残疾人安置管理")
    page.wait_for_load_state("networkidle")
    assert page.locator(".empty").count() == 1
    shots(page, "02-placements-empty")

    page.click("text=+ 添加残疾人")
    id_input = page.locator('input[name="id_number"]')
    # Someone this unit never placed: the autofill gets name, sex and age, no contact data.
    stranger = population.select(unit="91210302052118596L")[0]
    id_input.fill(stranger.id_number)
    id_input.dispatch_event("change")
    page.wait_for_function("() => document.getElementById('autofill-hint').textContent.includes('手动填写')")
    assert page.input_value('input[name="name"]') == stranger.person.name
    assert page.input_value("#f-sex") == stranger.person.sex
    assert page.input_value('input[name="phone"]') == ""
    assert page.input_value('input[name="household_address"]') == ""
    # The journey's person is on this unit's list of last year: contact data is filled too.
    id_input.fill(person.id_number)
    # the autofill fills empty fields only; cleared without moving the focus (a blur would
    # fire a native change of the ID field)
    page.eval_on_selector('input[name="name"]', "el => { el.value = ''; }")
    id_input.dispatch_event("change")
    page.wait_for_function("() => document.querySelector('input[name=name]').value.length > 0")
    assert page.input_value('input[name="name"]') == person.person.name
    assert page.input_value("#f-sex") == person.person.sex
    assert page.input_value('input[name="phone"]') == person.person.phone
    page.fill('input[name="phone"]', "13812345678")
    page.select_option('select[name="household_type"]', "本市户籍")
    page.select_option('select[name="is_graduate"]', "0")
    page.wait_for_function("() => document.querySelector('input[name=household_region]').value.length == 6")
    shots(page, "03-add-person")
    page.click("text=保存，下一步")
    page.wait_for_load_state("networkidle")
    assert "合同管理" in page.content()

    # A contract with a bad wage is refused next to the field; nothing is saved.
    c = person.contracts[-1]
    page.click("summary:has-text('+ 添加合同')")
    page.select_option('select[name="dispatched"]', "0")
    page.select_option('select[name="relation"]', c.relation)
    page.select_option('select[name="contract_type"]', "固定期限")
    page.fill('input[name="start"]', c.start.isoformat())
    page.fill('input[name="end"]', c.end.isoformat())
    page.fill('input[name="position"]', "装配工")
    page.fill('input[name="monthly_wage"]', "三千")
    page.select_option('select[name="pension_unit"]', c.pension_unit)
    page.select_option('select[name="medical_unit"]', c.medical_unit)
    page.select_option('select[name="wage_unit"]', c.wage_unit)
    contract = tmp_path / "劳动合同.pdf"
    contract.write_bytes(pdf_bytes("contract"))
    page.set_input_files('input[name="attachments"] >> nth=0', str(contract))
    page.click("text=保存合同")
    page.wait_for_load_state("networkidle")
    assert "合同月薪（元）须为数字" in page.content() or "合同月薪须为数字" in page.content()
    assert page.locator("text=暂无合同").count() == 1
    shots(page, "04-contract-error")

    page.fill('input[name="monthly_wage"]', str(c.monthly_wage))
    page.set_input_files('input[name="attachments"] >> nth=0', str(contract))
    page.click("text=保存合同")
    page.wait_for_load_state("networkidle")
    assert page.locator("text=暂无合同").count() == 0
    shots(page, "05-contract-saved")

    page.click("button:has-text('保存，下一步')")
    page.wait_for_load_state("networkidle")
    page.wait_for_selector("table.grid", timeout=30000)
    assert page.locator("table.grid tbody tr").count() == 12
    shots(page, "06-month-grid")

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button[data-confirm-months]")
    page.wait_for_load_state("networkidle")
    assert "已审核确认" in page.content()
    page.click("text=返回残疾人安置管理")
    page.wait_for_load_state("networkidle")
    assert page.locator("table.table tbody tr").count() == 1
    shots(page, "07-placements-list")


def test_unit_page_and_calculator(live_server, page, shots):
    base, _app = live_server
    login(page, base, UNIT)
    page.goto(f"{base}/unit")
    assert "单位基本信息" in page.content() or "单位信息" in page.content()
    shots(page, "08-unit")
    page.goto(f"{base}/calculator")
    assert "残保金" in page.content()
    shots(page, "09-calculator")


def test_reviewer_decides_a_claimed_month(live_server, page, shots):
    base, _app = live_server
    login(page, base, "reviewer_anshan", staff=True)
    assert "待办任务" in page.content()
    assert page.locator("text=安置登记审核").count() >= 1
    shots(page, "10-reviewer-inbox")
    page.click("a:has-text('办理')")
    page.wait_for_load_state("networkidle")
    assert "审核结果" in page.content() and "社会保险缴费凭证" in page.content()
    shots(page, "11-review-task")
    radios = page.locator("input[type=radio][value='1']")
    assert radios.count() >= 1
    for i in range(radios.count()):
        radios.nth(i).check()
    page.click("button:has-text('确认')")
    page.wait_for_load_state("networkidle")
    assert "审核结论已保存" in page.content()
    shots(page, "12-review-done")


def test_import_last_years_list(live_server, page, shots):
    base, _app = live_server
    login(page, base, "12330106010124330A")  # 杭州市西湖区示范康复服务中心
    page.goto(f"{base}/placements/")
    page.click("text=+ 导入上一年申报名单")
    page.wait_for_load_state("networkidle")
    boxes = page.locator("input[name=id_numbers]")
    assert boxes.count() >= 2
    shots(page, "13-import-last-year")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click("button:has-text('导入')")
    page.wait_for_load_state("networkidle")
    assert "已导入2名残疾人" in page.content()
    assert page.locator("table.table tbody tr").count() == 2


def test_list_of_a_unit_with_people_in_every_state(live_server, page, shots):
    """The README's screenshot: a seeded unit's list with each status and masked IDs."""
    base, _app = live_server
    login(page, base, "91210302052118596L")
    page.goto(f"{base}/placements/")
    content = page.content()
    for status in ("已审核确认", "待审核", "资料待完善"):
        assert status in content
    assert "*****" in content
    shots(page, "00-readme-list")
    shots.keep("00-readme-list", ROOT / "docs" / "screenshot.png")
