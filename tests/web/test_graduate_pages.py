"""安置残疾大学生申请 (002's menu) through the employer's page with real form posts: the menu
entry after 超比例奖励申请; the form for a placed person of the year; 提交 → 待初审 with the
amount (graduate_subsidy × months / 12); Chinese errors next to the fields, nothing
created; 退回补正 with the form prefilled → 重新提交 → 待初审; the 审批 page shows the
application to the reviewer."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import func, select

from casework.demo import load_demo
from casework.models import CertificationCase, GraduateSubsidy, Placement, Unit
from engine.models import InboxTask
from tests.api.files import pdf_bytes
from tests.api.test_pages import page_login, token
from tests.applicationkit import decide_on
from tests.reliefkit import open_year

UNIT = "91210302052118596L"  # 鞍山市铁东区示范机械有限公司


@pytest.fixture
def app(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    with app.extensions["quotacert"].transaction() as s:
        load_demo(s)
    return app


def person(app, year: int) -> int:
    """A placed person of the unit's year (confirmed for 10 months)."""
    with app.extensions["quotacert"].transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == UNIT))
        case = s.scalar(select(CertificationCase).where(CertificationCase.unit_id == unit.id, CertificationCase.year == year))
        p = Placement(case_id=case.id, id_number="210302200001011234", name="张毕业", is_graduate=True, confirmed_months=10)
        s.add(p)
        s.flush()
        return p.id


def today(app):
    from engine.clock import CHINA_TZ

    return app.extensions["quotacert"].runtime.clock.now().astimezone(CHINA_TZ).date()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _post(client, url: str, data: dict, files: list | None = None):
    body = {"csrf_token": token(client, "/graduates/"), **data}
    if files:
        body["attachments"] = files
    return client.post(url, data=body, content_type="multipart/form-data")


def _rows(app) -> list[GraduateSubsidy]:
    with app.extensions["quotacert"].transaction() as s:
        return list(s.scalars(select(GraduateSubsidy)))


def test_apply_return_and_correct_through_the_page(app):
    year = open_year(app, UNIT)
    pid = person(app, year)
    client = page_login(app, UNIT)
    html = client.get("/graduates/").get_data(as_text=True)
    nav = _text(html[html.index('class="main-nav"'):html.index("</nav>")])
    assert "超比例奖励申请 安置残疾大学生申请" in nav
    assert "张毕业" in html and "须在毕业5年以内" in html
    fields = {"year": str(year), "placement_id": str(pid), "school": "辽宁大学", "major": "会计学", "education": "本科",
              "degree": "学士", "graduated_on": today(app).replace(year=today(app).year - 1).isoformat(),
              "diploma_no": "101401202405001234", "months": "6"}
    bad = _post(client, "/graduates/", {**fields, "graduated_on": today(app).replace(year=today(app).year + 1).isoformat()},
                [(BytesIO(pdf_bytes("diploma")), "毕业证书.pdf")])
    assert bad.status_code == 400 and "毕业时间不能晚于今天" in bad.get_data(as_text=True)
    assert _rows(app) == []
    none = _post(client, "/graduates/", fields)
    assert none.status_code == 400 and "请上传毕业证书或学位证书" in none.get_data(as_text=True)
    ok = _post(client, "/graduates/", fields, [(BytesIO(pdf_bytes("diploma")), "毕业证书.pdf")])
    assert ok.status_code == 302
    [row] = _rows(app)
    assert (row.status, row.months, row.amount) == ("first_review", 6, row.standard * 6 / 12)
    html = _text(client.get("/graduates/").get_data(as_text=True))
    assert "待初审" in html and "本年度没有可申请的安置人员" in html

    decide(app, "reviewer_anshan", row.id, "return", "请补充学位证书")
    page = client.get(f"/graduates/?year={year}").get_data(as_text=True)
    assert "补正：张毕业" in page and "辽宁大学" in page
    again = _post(client, f"/graduates/{row.id}/correction", {**fields, "months": "12", "attachment_ids": str(row.attachment_ids[0])})
    assert again.status_code == 302
    [row] = _rows(app)
    assert (row.status, row.months) == ("first_review", 12)

    staff = page_login(app, "reviewer_anshan", staff=True)
    with app.extensions["quotacert"].transaction() as s:
        task = s.scalar(select(InboxTask).where(InboxTask.instance_id == row.instance_id))
    review = _text(staff.get(f"/review/tasks/{task.task_id}").get_data(as_text=True))
    assert "安置残疾大学生申请" in review and "张毕业" in review and "101401202405001234" in review


def decide(app, login: str, graduate_id: int, outcome: str, reason: str = "") -> None:
    decide_on(app, GraduateSubsidy, graduate_id, login, outcome, reason)


def test_nothing_is_created_without_a_case(app):
    client = page_login(app, UNIT)
    html = client.get("/graduates/").get_data(as_text=True)
    assert "本单位尚未开始年审申报" in _text(html)
    with app.extensions["quotacert"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(GraduateSubsidy)) == 0
