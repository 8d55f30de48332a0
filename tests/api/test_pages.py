"""The server-rendered pages of the wizard and the review, through real form posts with
CSRF tokens: the same rules as the API, Chinese errors next to the fields, and 404 for
another unit's person or another region's task."""

from __future__ import annotations

import re
from io import BytesIO

import pytest

from tests.api.conftest import CAPTCHA
from tests.api.files import pdf_bytes, png_bytes
from tests.api.test_journey import UNIT

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def token(client, url: str) -> str:
    page = client.get(url).get_data(as_text=True)
    found = CSRF.search(page)
    assert found, f"no CSRF token on {url}"
    return found.group(1) or found.group(2)


def page_login(app, login: str, staff: bool = False):
    client = app.test_client()
    url = "/login?tab=staff" if staff else "/login"
    csrf = token(client, url)
    client.get("/captcha.png")
    response = client.post(url, data={"csrf_token": csrf, "login": login, "password": "Demo@2025", "captcha": CAPTCHA})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def add_person(client, p) -> int:
    csrf = token(client, "/placements/new")
    response = client.post("/placements/new", data={
        "csrf_token": csrf, "id_number": p.id_number, "name": p.person.name, "phone": "13812345678",
        "household_type": "本市户籍", "household_region": "210302", "household_address": "鞍山市铁东区示范路1号", "is_graduate": "0",
    })
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def add_contract(client, pid: int, p, **change):
    c = p.contracts[-1]
    data = {
        "csrf_token": token(client, f"/placements/{pid}"), "dispatched": "0", "relation": c.relation, "contract_type": "固定期限",
        "start": c.start.isoformat(), "end": c.end.isoformat(), "position": "装配工", "monthly_wage": str(c.monthly_wage),
        "pension_unit": c.pension_unit, "medical_unit": c.medical_unit, "wage_unit": c.wage_unit,
        "attachments": (BytesIO(pdf_bytes()), "劳动合同.pdf"), **change,
    }
    return client.post(f"/placements/{pid}/contracts", data=data, content_type="multipart/form-data")


def row_status(html: str, name: str) -> str:
    """The 审核状态 cell of the person's row in the 安置人员列表 table ('' if no such row):
    the legend and the status filter print every status name, so only the cell tells."""
    from lxml import html as lxml_html

    table = lxml_html.fromstring(html).xpath("//table[contains(@class, 'table')]")
    if not table:
        return ""
    headers = [th.text_content().strip() for th in table[0].xpath(".//thead//th")]
    column = headers.index("审核状态")
    for row in table[0].xpath(".//tbody/tr"):
        cells = [td.text_content().strip() for td in row.xpath("./td")]
        if name in cells:
            return cells[column]
    return ""


def test_wizard_pages_with_errors_next_to_fields(app, jobs, population):
    client = page_login(app, UNIT)
    person = population.select(unit=UNIT, scenario="insurance_gap")[0]

    bad = client.post("/placements/new", data={"csrf_token": token(client, "/placements/new"), "id_number": "210302198001011235", "name": "某某"})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "身份证号校验位错误" in html and 'value="某某"' in html  # the input is kept

    pid = add_person(client, person)
    wrong = add_contract(client, pid, person, end="2019-01-01", start="2020-01-01")
    assert wrong.status_code == 400 and "合同结束日期不能早于开始日期" in wrong.get_data(as_text=True)
    assert add_contract(client, pid, person).status_code == 302
    assert client.post(f"/placements/{pid}/submit", data={"csrf_token": token(client, f"/placements/{pid}")}).status_code == 302
    assert "正在向残疾人证" in client.get(f"/placements/{pid}").get_data(as_text=True)  # progress while verifying

    jobs()
    html = client.get(f"/placements/{pid}").get_data(as_text=True)
    assert html.count('name="months"') >= 12 and "社会保险缴费凭证" in html
    failed = sorted({int(m) for m in re.findall(r'name="months" value="(\d+)" data-passed="0"', html)})
    assert failed
    upload = client.post(
        f"/placements/{pid}/materials",
        data={"csrf_token": token(client, f"/placements/{pid}"), "material": "社会保险缴费凭证", "attachments": (BytesIO(png_bytes()), "凭证.png")},
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302
    passed = sorted({int(m) for m in re.findall(r'type="hidden" name="months" value="(\d+)"', html)})
    months = client.post(f"/placements/{pid}/months", data={"csrf_token": token(client, f"/placements/{pid}"), "months": [str(m) for m in passed + failed[:1]]})
    assert months.status_code == 302
    assert row_status(client.get("/placements/").get_data(as_text=True), person.person.name) == "待审核"

    stranger = page_login(app, "91210303306812749R")
    assert stranger.get(f"/placements/{pid}").status_code == 404

    reviewer = page_login(app, "reviewer_anshan", staff=True)
    inbox = reviewer.get("/review/").get_data(as_text=True)
    task_id = re.search(r"/review/tasks/([0-9a-f-]{36})", inbox).group(1)
    assert page_login(app, "reviewer_hangzhou", staff=True).get(f"/review/tasks/{task_id}").status_code == 404
    assert page_login(app, UNIT).get(f"/review/tasks/{task_id}").status_code == 403

    sheet = reviewer.get("/review/export.xlsx")
    assert sheet.status_code == 200 and sheet.data[:2] == b"PK"
    csrf = token(reviewer, f"/review/tasks/{task_id}")
    no_reason = reviewer.post(f"/review/tasks/{task_id}/decide", data={"csrf_token": csrf, f"valid_{failed[0]}": "0"})
    assert no_reason.status_code == 400 and "请填写理由" in no_reason.get_data(as_text=True)
    done = reviewer.post(f"/review/tasks/{task_id}/decide", data={"csrf_token": csrf, f"valid_{failed[0]}": "0", f"reason_{failed[0]}": "凭证月份不符"})
    assert done.status_code == 302
    # one claimed month refused, the system-passed months stand: 部分审核不通过
    listing = client.get("/placements/").get_data(as_text=True)
    assert row_status(listing, person.person.name) == "部分审核不通过"
    notices = client.get("/notices").get_data(as_text=True)
    assert "资料审核完成通知" in notices


def test_forms_without_csrf_are_refused(app, population):
    client = page_login(app, UNIT)
    response = client.post("/placements/new", data={"id_number": population.select(unit=UNIT, scenario="clean")[0].id_number})
    assert response.status_code == 400 and "页面已过期" in response.get_data(as_text=True)


def test_excel_export_masks_id_numbers(app, population):
    from openpyxl import load_workbook

    client = page_login(app, UNIT)
    person = population.select(unit=UNIT, scenario="clean")[0]
    add_person(client, person)
    response = client.get("/placements/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert person.person.name in values
    assert person.id_number not in values and any(isinstance(v, str) and "*****" in v for v in values)


def test_an_employer_looks_at_an_earlier_year_read_only(app):
    """业务年度: the 首页 offers the years the unit has cases for; an earlier one is shown
    (its list, its documents) and cannot be changed from the pages."""
    from casework.demo import seed_previous_year

    system = app.extensions["quotacert"]
    year = system.settings.business_year
    population = app.config.get("POPULATION")
    client = page_login(app, "91210302052118596L")
    home = client.get("/").get_data(as_text=True)
    assert f'<option value="{year}" selected>{year}年</option>' in home
    if population is None:
        from adapters.simulator.app import generate_population

        population = generate_population(seed=2025, year=year)
    with system.transaction() as session:
        seed_previous_year(session, population, year)
    home = client.get("/").get_data(as_text=True)
    assert f'<option value="{year - 1}" >{year - 1}年</option>' in home, home[home.find("year-picker"):][:600]
    switched = client.post("/year", data={"csrf_token": token(client, "/"), "year": str(year - 1), "next": "/placements/"})
    assert switched.status_code == 302 and switched.headers["Location"].endswith("/placements/")
    page = client.get("/placements/").get_data(as_text=True)
    assert f"业务年度：<strong>{year - 1}年</strong>" in page and "只读" in page
    refused = client.post("/placements/new", data={"csrf_token": token(client, "/placements/new"), "name": "x"})
    assert refused.status_code == 302
    assert "往年数据只能查看" in client.get("/placements/").get_data(as_text=True)
    # an unknown year is refused; back to the current one
    client.post("/year", data={"csrf_token": token(client, "/"), "year": "1999"})
    assert f"业务年度：<strong>{year}年</strong>" in client.get("/placements/").get_data(as_text=True)
