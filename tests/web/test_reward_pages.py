"""超比例奖励申请 (002 网报系统) through the employer's page with real form posts: the
figures 002 shows for a certified year, 提交 → 待初审, Chinese errors next to the fields
with the input (and uploaded files) kept, 退回补正 with the form again, 复审通过 with the
signed 奖励审核认定书; another unit sees nothing of it; CSRF is required."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from casework.demo import load_demo
from casework.models import Attachment, RewardApplication, Unit
from tests.api.files import pdf_bytes
from tests.api.test_pages import page_login, token
from tests.rewardkit import PAYEE, application, approve, certify, decide

UNIT = "91210302052118596L"  # 鞍山市铁东区示范机械有限公司
OTHER = "91210303306812749R"  # 鞍山市铁西区示范电子科技有限公司


@pytest.fixture
def app(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    with app.extensions["quotacert"].transaction() as s:
        load_demo(s)
    return app


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _post(client, url: str, data: dict, files: list | None = None):
    body = {"csrf_token": token(client, "/reward/"), **data}
    if files:
        body["attachments"] = files
    return client.post(url, data=body, content_type="multipart/form-data")


def test_the_menu_and_an_empty_state_before_any_certification(app):
    client = page_login(app, UNIT)
    html = client.get("/").get_data(as_text=True)
    nav = html[html.index('class="main-nav"'):html.index("</nav>")]
    assert nav.index("通知公告") < nav.index("超比例奖励申请")
    page = client.get("/reward/")
    assert page.status_code == 200
    text = _text(page.get_data(as_text=True))
    assert "审核认定书" in text and "超比例奖励" in text and "提交" not in text.split("什么是超比例奖励")[0].split("业务年度")[-1]


def test_not_certified_or_no_staff_count_says_why(app):
    year = certify(app, UNIT, staff=None)
    client = page_login(app, UNIT)
    html = client.get(f"/reward/?year={year}").get_data(as_text=True)
    assert "请先在“单位信息维护管理”中维护上年度职工数" in html and 'href="/unit"' in html
    assert 'name="payee_account"' not in html
    # garbage year: the default year, never a 500
    assert client.get("/reward/?year=abc").status_code == 200
    assert client.get("/reward/?year=99999999999999999999").status_code == 200


def test_eligible_page_shows_the_002_figures_and_submit_files_it(app):
    year = certify(app, UNIT)
    client = page_login(app, UNIT)
    html = client.get("/reward/").get_data(as_text=True)
    assert f'<option value="{year}" selected>{year}年</option>' in html
    for label in ("附件材料信息", "超比例奖励信息", "银行卡信息", "收款单位名称", "收款单位银行账户", "收款单位开户银行名称"):
        assert label in html
    facts = dict(re.findall(r'data-fact="(\w+)">(.*?)</td>', html))
    assert facts["staff_count"] == "30" and facts["placed_persons"] == "2" and facts["quota_persons"] == "1"
    assert facts["over_persons"] == "1" and facts["coefficient"] == "1.5"
    assert facts["amount"].startswith("<strong>") and re.search(r"<strong>[\d,]+\.\d\d</strong> 元", facts["amount"])

    response = _post(client, "/reward/", {"year": str(year), **PAYEE}, [(BytesIO(pdf_bytes("apply")), "申请表.pdf")])
    assert response.status_code == 302, _text(response.get_data(as_text=True))[:800]
    found = application(app, UNIT, year)
    assert found.status == "first_review" and found.payee_account == "6222000012345678" and len(found.attachment_ids) == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "待初审" in html and "等待残联业务人员初审" in html and "申请表.pdf" in html
    assert 'name="payee_account"' not in html  # nothing to edit while it is reviewed
    again = _post(client, "/reward/", {"year": str(year), **PAYEE})
    assert again.status_code == 400 and "只能申请一次" in again.get_data(as_text=True)


def test_field_errors_are_chinese_and_keep_the_input_and_files(app):
    year = certify(app, UNIT)
    client = page_login(app, UNIT)
    response = _post(client, "/reward/", {"year": str(year), "payee_name": "鞍山示范", "payee_account": "12ab", "payee_bank": ""},
                     [(BytesIO(pdf_bytes("kept")), "开户许可证.pdf")])
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "收款单位银行账户应为8至30位数字" in html and "收款单位开户银行名称" in html
    assert 'value="12ab"' in html and 'value="鞍山示范"' in html
    kept = re.search(r'name="attachment_ids" value="(\d+)" checked', html)
    assert kept and "开户许可证.pdf" in html
    assert application(app, UNIT, year) is None
    # submitted again with the kept file and no new upload: it is attached
    response = _post(client, "/reward/", {"year": str(year), **PAYEE, "attachment_ids": kept.group(1)})
    assert response.status_code == 302
    assert application(app, UNIT, year).attachment_ids == [int(kept.group(1))]


def test_another_units_file_cannot_be_attached(app):
    year = certify(app, UNIT)
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        other = s.scalar(select(Unit).where(Unit.credit_code == OTHER))
        foreign = Attachment(unit_id=other.id, sha256="0" * 64, original_name="x.pdf", mime="application/pdf", size=1, kind="statement")
        s.add(foreign)
        s.flush()
        foreign_id = foreign.id
    client = page_login(app, UNIT)
    response = _post(client, "/reward/", {"year": str(year), **PAYEE, "attachment_ids": str(foreign_id)})
    assert response.status_code == 302  # a foreign id is dropped, never attached
    assert application(app, UNIT, year).attachment_ids == []


def test_returned_then_corrected_then_approved_with_the_certificate(app):
    year = certify(app, UNIT)
    client = page_login(app, UNIT)
    assert _post(client, "/reward/", {"year": str(year), **PAYEE}).status_code == 302
    app_id = application(app, UNIT, year).id
    decide(app, "reviewer_anshan", app_id, "first_review", "return", "银行账户与开户许可证不符")

    html = client.get(f"/reward/?year={year}").get_data(as_text=True)
    assert "退回补正" in html and "银行账户与开户许可证不符" in html and "鞍山市残疾人服务中心 审核员" in html
    assert 'value="6222000012345678"' in html and "重新提交" in html  # the form again, prefilled
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", html)
    bad = _post(client, "/reward/correction", {"year": str(year), **PAYEE, "payee_account": "x"})
    assert bad.status_code == 400 and "收款单位银行账户应为8至30位数字" in bad.get_data(as_text=True)
    ok = _post(client, "/reward/correction", {"year": str(year), **PAYEE, "payee_account": "6222000087654321"})
    assert ok.status_code == 302
    found = application(app, UNIT, year)
    assert found.status == "first_review" and found.payee_account == "6222000087654321"
    again = _post(client, "/reward/correction", {"year": str(year), **PAYEE})
    assert again.status_code == 400 and "不是“退回补正”状态" in again.get_data(as_text=True)

    assert f"/reward/{year}/certificate.pdf" not in client.get(f"/reward/?year={year}").get_data(as_text=True)
    assert client.get(f"/reward/{year}/certificate.pdf").status_code == 302  # not yet
    approve(app, app_id)
    html = client.get(f"/reward/?year={year}").get_data(as_text=True)
    assert "复审通过" in html and f'href="/reward/{year}/certificate.pdf">下载奖励审核认定书' in html
    pdf = client.get(f"/reward/{year}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.data)).pages)
    assert "超比例安排残疾人就业奖励审核认定书" in text and "6222********4321" in text
    assert "6222000087654321" not in text

    other = page_login(app, OTHER)
    assert other.get(f"/reward/{year}/certificate.pdf").status_code == 302  # nothing of another unit
    html = other.get(f"/reward/?year={year}").get_data(as_text=True)
    assert "6222000087654321" not in html and "data-status=" not in html and "没有可下载的奖励审核认定书" in html


def test_rejected_shows_the_reason_and_no_form(app):
    year = certify(app, UNIT)
    client = page_login(app, UNIT)
    _post(client, "/reward/", {"year": str(year), **PAYEE})
    decide(app, "reviewer_anshan", application(app, UNIT, year).id, "first_review", "reject", "安置人员与社保记录不符")
    html = client.get(f"/reward/?year={year}").get_data(as_text=True)
    assert "审核不通过" in html and "安置人员与社保记录不符" in html and 'name="payee_account"' not in html


def test_csrf_is_required_and_staff_cannot_open_it(app):
    year = certify(app, UNIT)
    client = page_login(app, UNIT)
    response = client.post("/reward/", data={"year": str(year), **PAYEE})
    assert response.status_code == 400
    assert application(app, UNIT, year) is None
    with app.extensions["quotacert"].transaction() as s:
        assert s.scalar(select(RewardApplication)) is None
    staff = page_login(app, "reviewer_anshan", staff=True)
    assert staff.get("/reward/").status_code == 403
