"""缓减免申请 (001's menu) through the employer's page with real form posts: no case → why;
the form (申请类型 with 第二十一条's limits, 申请理由, 应缴残保金金额, 申请减缴金额,
缓缴期限, 证明材料); 提交 → 待初审; Chinese errors next to the fields with the input and the
uploaded files kept; 退回补正 with the form again prefilled → 重新提交; 已批准 with what was
granted, also on the 残保金计算器 (only for that unit, never for anonymous visitors);
another unit sees nothing of it; CSRF is required."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from casework.demo import load_demo
from casework.models import LevyRelief
from tests.api.files import pdf_bytes
from tests.api.test_pages import page_login, token
from tests.reliefkit import REASON, approve, decide, open_year, relief_of

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
    body = {"csrf_token": token(client, "/relief/"), **data}
    if files:
        body["attachments"] = files
    return client.post(url, data=body, content_type="multipart/form-data")


def _proof(name: str = "受灾证明.pdf"):
    return [(BytesIO(pdf_bytes("loss")), name)]


def _count(app) -> int:
    with app.extensions["quotacert"].transaction() as s:
        return s.scalar(select(func.count()).select_from(LevyRelief))


def test_the_menu_entry_and_no_case_explains_why(app):
    client = page_login(app, UNIT)  # the redirect to 首页 is not followed: no case yet
    page = client.get("/relief/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "本单位尚未开始年审申报，暂不能申请缓减免" in _text(html) and 'name="kind"' not in html
    nav = html[html.index('class="main-nav"'):html.index("</nav>")]
    assert nav.index("单位信息维护管理") < nav.index("缓减免申请") < nav.index("残保金计算器")
    assert 'href="/relief/" aria-current="page"' in nav
    # garbage years never 500
    for value in ("abc", "99999999999999999999", "-1", "２０２５"):
        assert client.get(f"/relief/?year={value}").status_code == 200


def test_the_form_shows_article_21_and_submit_files_it(app):
    year = open_year(app, UNIT)
    client = page_login(app, UNIT)
    html = client.get("/relief/").get_data(as_text=True)
    assert f'<option value="{year}" selected>{year}年</option>' in html
    for label in ("申请类型", "申请理由", "应缴残保金金额", "申请减缴金额", "缓缴期限（月）", "证明材料", "提交"):
        assert label in html
    for key, name in (("defer", "缓缴"), ("reduce", "减缴"), ("exempt", "免缴")):
        assert f'name="kind" value="{key}"' in html and f"<strong>{name}</strong>" in html
    assert "减免最高不超过1年的保障金应缴额" in html and "缓缴最长不超过6个月" in html
    assert [m for m in re.findall(r'<option value="(\d)"', html)] == ["1", "2", "3", "4", "5", "6"]

    response = _post(client, "/relief/", {"year": str(year), "kind": "reduce", "reason": REASON, "levy_due": "30,000",
                                          "amount": "20000", "defer_months": "3"}, _proof())
    assert response.status_code == 302, _text(response.get_data(as_text=True))[:800]
    found = relief_of(app, UNIT, year)
    assert (found.kind, found.status, found.amount, found.defer_months) == ("reduce", "first_review", 20000, None)
    assert len(found.attachment_ids) == 1
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "缓减免申请已提交" in html and 'data-status="first_review">待初审' in html
    assert "等待残联业务人员初审" in html and "减缴20,000.00元" in html and "受灾证明.pdf" in html
    assert 'name="reason"' not in html  # nothing to edit while it is reviewed
    again = _post(client, "/relief/", {"year": str(year), "kind": "exempt", "reason": REASON, "levy_due": "100"}, _proof())
    assert again.status_code == 400 and "只能申请一次" in again.get_data(as_text=True)


def test_field_errors_are_chinese_and_keep_the_input_and_files(app):
    year = open_year(app, UNIT)
    client = page_login(app, UNIT)
    response = _post(client, "/relief/", {"year": str(year), "kind": "reduce", "reason": "洪水", "levy_due": "1000",
                                          "amount": "1000.01"}, _proof("损失评估报告.pdf"))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "申请理由长度应为10至2000个字符" in html
    assert 'value="1000.01"' in html and 'value="1000"' in html and ">洪水</textarea>" in html
    assert 'name="kind" value="reduce" data-relief-kind checked' in html
    kept = re.search(r'name="attachment_ids" value="(\d+)" checked', html)
    assert kept and "损失评估报告.pdf" in html
    # the reason fixed: the amount over the levy is refused by 第二十一条, the file still kept
    response = _post(client, "/relief/", {"year": str(year), "kind": "reduce", "reason": REASON, "levy_due": "1000",
                                          "amount": "1000.01", "attachment_ids": kept.group(1)})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "减缴金额不能超过一年的应缴残保金金额" in html
    assert f'name="attachment_ids" value="{kept.group(1)}" checked' in html
    response = _post(client, "/relief/", {"year": str(year), "kind": "defer", "reason": REASON, "levy_due": "abc"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "应缴残保金金额须为数字" in html and 'value="abc"' in html
    assert 'name="kind" value="defer" data-relief-kind checked' in html
    response = _post(client, "/relief/", {"year": str(year), "kind": "defer", "reason": REASON, "levy_due": "5000",
                                          "defer_months": ""})
    html = response.get_data(as_text=True)
    assert "请填写缓缴期限（1至6个月）" in html and "请上传遭受重大直接经济损失的证明材料" in html
    response = _post(client, "/relief/", {"year": str(year), "kind": "defer", "reason": REASON, "levy_due": "5000",
                                          "defer_months": "7", "attachment_ids": kept.group(1)})
    assert "缓缴期限（月）不能大于6" in response.get_data(as_text=True)
    response = _post(client, "/relief/", {"year": str(year), "kind": "", "reason": REASON, "levy_due": "5000"})
    assert "请选择申请类型" in response.get_data(as_text=True)
    assert _count(app) == 0
    # submitted again with the kept file and no new upload: it is attached
    response = _post(client, "/relief/", {"year": str(year), "kind": "defer", "reason": REASON, "levy_due": "5000",
                                          "defer_months": "6", "attachment_ids": kept.group(1)})
    assert response.status_code == 302
    assert relief_of(app, UNIT, year).attachment_ids == [int(kept.group(1))]


def test_returned_then_corrected_then_granted_and_shown_on_the_calculator(app):
    year = open_year(app, UNIT)
    client = page_login(app, UNIT)
    assert _post(client, "/relief/", {"year": str(year), "kind": "defer", "reason": REASON, "levy_due": "48000",
                                      "defer_months": "4"}, _proof()).status_code == 302
    relief_id = relief_of(app, UNIT, year).id
    decide(app, "reviewer_anshan", relief_id, "first_review", "return", "请补充受灾损失评估报告")

    html = client.get(f"/relief/?year={year}").get_data(as_text=True)
    assert 'data-status="returned">退回补正' in html and "请补充受灾损失评估报告" in html
    assert "鞍山市残疾人服务中心 审核员" in html and re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d", html)
    assert ">退回补正</span>" in html and "初审" in html
    assert "重新提交" in html and 'value="48000.00"' in html and '<option value="4" selected>' in html
    assert f">{REASON}</textarea>" in html and 'name="attachment_ids"' in html
    bad = _post(client, "/relief/correction", {"year": str(year), "kind": "defer", "reason": REASON, "levy_due": "48000",
                                               "defer_months": "0"})
    assert bad.status_code == 400 and "缓缴期限（月）须为正整数" in bad.get_data(as_text=True)
    kept = relief_of(app, UNIT, year).attachment_ids
    ok = _post(client, "/relief/correction", {"year": str(year), "kind": "defer", "reason": REASON, "levy_due": "48000",
                                              "defer_months": "6", "attachment_ids": str(kept[0])}, _proof("损失评估报告.pdf"))
    assert ok.status_code == 302
    found = relief_of(app, UNIT, year)
    assert found.status == "first_review" and found.defer_months == 6 and len(found.attachment_ids) == 2
    again = _post(client, "/relief/correction", {"year": str(year), "kind": "defer", "reason": REASON, "levy_due": "48000",
                                                 "defer_months": "6", "attachment_ids": str(kept[0])})
    assert again.status_code == 400 and "不是“退回补正”状态" in again.get_data(as_text=True)

    calc = client.get(f"/calculator?year={year}").get_data(as_text=True)
    assert "缓减免申请已批准" not in calc
    approve(app, relief_id)
    html = client.get(f"/relief/?year={year}").get_data(as_text=True)
    granted = relief_of(app, UNIT, year).granted
    assert granted.startswith("缓缴6个月至") and "已批准" in html and f"<strong>{granted}</strong>" in html
    assert "复审" in html and "批准" in html
    calc = client.get(f"/calculator?year={year}").get_data(as_text=True)
    assert f"本单位{year}年度缓减免申请已批准：{granted}" in _text(calc).replace(" ", "")
    assert "缓减免申请已批准" not in app.test_client().get(f"/calculator?year={year}").get_data(as_text=True)
    assert "缓减免申请已批准" not in page_login(app, OTHER).get(f"/calculator?year={year}").get_data(as_text=True)


def test_another_unit_sees_nothing_and_cannot_attach_foreign_files(app):
    year = open_year(app, UNIT)
    open_year(app, OTHER)
    client = page_login(app, UNIT)
    assert _post(client, "/relief/", {"year": str(year), "kind": "exempt", "reason": REASON, "levy_due": "12000.50"},
                 _proof("本单位受灾证明.pdf")).status_code == 302
    mine = relief_of(app, UNIT, year).attachment_ids[0]
    other = page_login(app, OTHER)
    html = other.get(f"/relief/?year={year}").get_data(as_text=True)
    assert "本单位受灾证明.pdf" not in html and "data-status=" not in html and REASON not in html
    assert 'name="kind"' in html  # its own empty form
    response = _post(other, "/relief/", {"year": str(year), "kind": "exempt", "reason": REASON, "levy_due": "100",
                                         "attachment_ids": str(mine)})
    assert response.status_code == 400 and "本单位受灾证明.pdf" not in response.get_data(as_text=True)
    assert relief_of(app, OTHER, year) is None
    assert other.post("/relief/correction", data={"csrf_token": token(other, "/relief/"), "year": str(year)}).status_code == 400


def test_csrf_is_required_and_staff_cannot_open_it(app):
    year = open_year(app, UNIT)
    client = page_login(app, UNIT)
    response = client.post("/relief/", data={"year": str(year), "kind": "exempt", "reason": REASON, "levy_due": "100"})
    assert response.status_code == 400
    assert _count(app) == 0
    staff = page_login(app, "reviewer_anshan", staff=True)
    assert staff.get("/relief/").status_code == 403
    assert app.test_client().get("/relief/").status_code in (302, 401)


def test_the_review_material_shows_what_a_first_or_second_review_decides_on(app):
    from flask import render_template

    from casework.relief_review import review_material

    year = open_year(app, UNIT)
    client = page_login(app, UNIT)
    assert _post(client, "/relief/", {"year": str(year), "kind": "reduce", "reason": REASON, "levy_due": "30000",
                                      "amount": "20000"}, _proof()).status_code == 302
    relief_id = relief_of(app, UNIT, year).id
    decide(app, "reviewer_anshan", relief_id, "first_review", "approve")
    system = app.extensions["quotacert"]
    with system.transaction() as s, app.test_request_context("/review/"):
        material = review_material(s, s.get(LevyRelief, relief_id))
        assert (material["kind_name"], material["levy_due"], material["amount"], material["asked"]) == (
            "减缴", "30,000.00", "20,000.00", "减缴20,000.00元")
        assert [a.original_name for a in material["attachments"]] == ["受灾证明.pdf"]
        assert [(d.step, d.outcome_label) for d in material["history"]] == [("初审", "初审通过")]
        assert material["status_name"] == "待复审" and material["unit"].credit_code == UNIT
        html = render_template("review/_relief_material.html", relief=material)
    text = _text(html)
    for expected in ("残保金缓减免申请（" + str(year) + "年度）", "减缴", "30,000.00 元", "20,000.00 元", REASON,
                     "受灾证明.pdf", "初审 ：初审通过", "待复审", "第二十一条"):
        assert expected in text, expected


def test_the_first_review_page_shows_what_was_asked(app):
    """The reviewer's 审批 page of a 缓减免 初审 shows the application it decides on."""
    from engine.models import InboxTask
    from tests.web.test_reward_window_pages import staff_client

    year = open_year(app, UNIT)
    client = page_login(app, UNIT)
    assert _post(client, "/relief/", {"year": str(year), "kind": "reduce", "reason": REASON, "levy_due": "30000",
                                      "amount": "20000"}, _proof()).status_code == 302
    found = relief_of(app, UNIT, year)
    with app.extensions["quotacert"].transaction() as s:
        task_id = s.scalar(select(InboxTask.task_id).where(InboxTask.instance_id == found.instance_id))
    page = staff_client(app, "reviewer_anshan").get(f"/review/tasks/{task_id}")
    assert page.status_code == 200
    html = _text(page.get_data(as_text=True))
    assert "减缴" in html and REASON in html and "20,000.00" in html.replace("20000.00", "20,000.00")
