"""单位注销安置登记 through the pages with real form posts: the employer's menu entry after
安置残疾大学生申请; the year's placed persons (身份证号 masked) and the form; Chinese errors
next to the fields with what was typed and uploaded kept, nothing created; 提交 → 待初审;
退回补正 with the form prefilled → 重新提交; 初审 → 复审 同意注销 → 已注销 with the months
that stopped counting, also on the 残疾人安置管理 list; the 审批 page shows the request;
another unit sees and corrects nothing; the 注销业务申请书 PDF of the year; the
jurisdiction's list for reviewers and supervisors with search, status, paging and Excel."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import func, select

from casework.demo import load_demo
from casework.flow_functions import recount
from casework.models import CertificationCase, MonthCheck, Placement, PlacementEnd, Unit
from engine.models import InboxTask
from tests.api.files import pdf_bytes
from tests.api.test_pages import page_login, token
from tests.applicationkit import decide_on
from tests.reliefkit import open_year

UNIT = "91210302052118596L"  # 鞍山市铁东区示范机械有限公司 (210302)
NEIGHBOUR = "91210303306812749R"  # 鞍山市铁西区示范电子科技有限公司 (210303, same city)
ID_NUMBER = "210302199001011234"


@pytest.fixture
def app(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    with app.extensions["quotacert"].transaction() as s:
        load_demo(s)
    return app


def placed(app, credit_code: str, year: int, name: str = "张注销", id_number: str = ID_NUMBER) -> int:
    """A placed person of the unit's year, registered and confirmed for all twelve months."""
    with app.extensions["quotacert"].transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == credit_code))
        case = s.scalar(select(CertificationCase).where(CertificationCase.unit_id == unit.id, CertificationCase.year == year))
        p = Placement(case_id=case.id, id_number=id_number, name=name, status="已审核确认")
        p.months = [MonthCheck(month=m, passed=True, selected=True, claimed=False, weight=1, decision="") for m in range(1, 13)]
        s.add(p)
        recount(p)
        s.flush()
        return p.id


def decide(app, login: str, end_id: int, outcome: str, reason: str = "") -> None:
    """初审 (a reviewer) or 复审 (a supervisor): the request's open 审批 step, through the service."""
    decide_on(app, PlacementEnd, end_id, login, outcome, reason)


def ends(app) -> list[PlacementEnd]:
    with app.extensions["quotacert"].transaction() as s:
        return list(s.scalars(select(PlacementEnd).order_by(PlacementEnd.id)))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _post(client, url: str, data: dict, files: list | None = None):
    body = {"csrf_token": token(client, "/placement-end/"), **data}
    if files:
        body["attachments"] = files
    return client.post(url, data=body, content_type="multipart/form-data")


def _form(year: int, pid: int, **changes) -> dict:
    return {"year": str(year), "scope": "person", "placement_id": str(pid), "reason": "离职",
            "ended_on": date(year, 3, 31).isoformat(), "from_month": "4", "note": "本人辞职，已办理离职手续", **changes}


def _proof():
    return [(BytesIO(pdf_bytes("end")), "注销业务申请书.pdf")]


def test_file_return_correct_and_approve_through_the_page(app):
    year = open_year(app, UNIT)
    pid = placed(app, UNIT, year)
    client = page_login(app, UNIT)
    html = client.get("/placement-end/").get_data(as_text=True)
    nav = text_of(html[html.index('class="main-nav"'):html.index("</nav>")])
    assert "安置残疾大学生申请 单位注销安置登记" in nav
    page = text_of(html)
    assert "张注销（210302*****1011234，安置登记12个月）" in page and ID_NUMBER not in html
    assert "本年度尚无注销安置登记申请" in page and "注销日期所在月或其次月" in page
    assert f"/placement-end/form.pdf?year={year}" in html

    future = _post(client, "/placement-end/", _form(year, pid, ended_on=date(2099, 1, 1).isoformat()), _proof())
    html = future.get_data(as_text=True)
    assert future.status_code == 400 and "注销日期不能晚于今天" in html
    assert "本人辞职，已办理离职手续" in html and 'value="2099-01-01"' in html  # what was typed is kept
    assert "注销业务申请书.pdf" in html  # the upload too, as a kept file
    kept = re.search(r'name="attachment_ids" value="(\d+)" checked', html).group(1)
    month = _post(client, "/placement-end/", _form(year, pid, from_month="6", attachment_ids=kept))
    assert month.status_code == 400 and "注销起始月份应为3月或4月（注销日期所在月或其次月）" in month.get_data(as_text=True)
    reason = _post(client, "/placement-end/", _form(year, pid, reason="单位注销", attachment_ids=kept))
    assert reason.status_code == 400 and "注销原因请选择：离职、退休、死亡、其他" in reason.get_data(as_text=True)
    bare = _post(client, "/placement-end/", _form(year, pid))
    assert bare.status_code == 400 and "请上传盖章的注销业务申请书" in bare.get_data(as_text=True)
    typo = _post(client, "/placement-end/", _form(year, pid, from_month="十三", attachment_ids=kept))
    assert typo.status_code == 400 and "注销起始月份" in text_of(typo.get_data(as_text=True))
    assert ends(app) == []

    ok = _post(client, "/placement-end/", _form(year, pid, attachment_ids=kept))
    assert ok.status_code == 302, text_of(ok.get_data(as_text=True))[:400]
    [row] = ends(app)
    assert (row.status, row.placement_id, row.from_month, row.attachment_ids) == ("first_review", pid, 4, [int(kept)])
    page = text_of(client.get(f"/placement-end/?year={year}").get_data(as_text=True))
    assert "注销安置登记申请已提交，等待残联初审" in page and "待初审" in page and "审核期间安置月份照常计算" in page
    assert "本年度没有可注销的安置登记" not in page  # the whole unit may still be ended
    assert "张注销（210302" not in page  # no second request for the same person while one is open

    decide(app, "reviewer_anshan", row.id, "return", "请补充离职证明")
    html = client.get(f"/placement-end/?year={year}").get_data(as_text=True)
    assert "补正：张注销" in html and "退回理由：请补充离职证明" in html
    assert f'value="{date(year, 3, 31).isoformat()}"' in html and "本人辞职，已办理离职手续" in html
    again = _post(client, f"/placement-end/{row.id}/correction",
                  {**_form(year, pid, ended_on=date(year, 4, 10).isoformat(), from_month="5"), "attachment_ids": kept})
    assert again.status_code == 302
    [row] = ends(app)
    assert (row.status, row.from_month) == ("first_review", 5)

    staff = page_login(app, "reviewer_anshan", staff=True)
    with app.extensions["quotacert"].transaction() as s:
        task = s.scalar(select(InboxTask).where(InboxTask.instance_id == row.instance_id, InboxTask.form == "decision"))
    review = text_of(staff.get(f"/review/tasks/{task.task_id}").get_data(as_text=True))
    assert "单位注销安置登记（2025年度）" in review and "张注销" in review and "离职" in review
    assert "5月、6月、7月、8月、9月、10月、11月、12月" in review and "注销业务申请书.pdf" in review

    decide(app, "reviewer_anshan", row.id, "approve")
    decide(app, "supervisor_anshan", row.id, "approve")
    [row] = ends(app)
    assert row.status == "approved" and row.removed_month_count == 8
    page = text_of(client.get(f"/placement-end/?year={year}").get_data(as_text=True))
    assert "已注销" in page and "8个" in page and "初审：初审通过" in page and "复审：同意注销" in page
    html = client.get("/placements/").get_data(as_text=True)
    listing = text_of(html)
    assert "已注销（自5月起）" in listing
    assert "已注销，不可重新登记或删除" in listing  # the list offers neither, and says why
    assert 'title="已自5月起注销安置登记，不能重新登记或删除"' in html
    assert f"/placements/{pid}/delete" not in html and f"/placements/{pid}/reregister" not in html


def test_nothing_without_a_case_and_the_form_of_the_year(app):
    client = page_login(app, UNIT)
    assert "本单位尚未开始年审申报" in text_of(client.get("/placement-end/").get_data(as_text=True))
    assert client.get("/placement-end/form.pdf").status_code == 302
    year = open_year(app, UNIT)
    placed(app, UNIT, year)
    response = client.get(f"/placement-end/form.pdf?year={year}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages).replace("\n", "")
    for fragment in ("注销业务申请书", "鞍山市铁东区示范机械有限公司", UNIT, f"{year}年", "张注销", "210302*****1011234",
                     "注销原因", "注销起始月份", "申请理由", "单位（盖章）", "随注销申请一并上传"):
        assert fragment in text, fragment
    assert ID_NUMBER not in text


def test_another_unit_sees_and_corrects_nothing(app):
    year = open_year(app, UNIT)
    pid = placed(app, UNIT, year)
    client = page_login(app, UNIT)
    assert _post(client, "/placement-end/", _form(year, pid), _proof()).status_code == 302
    [row] = ends(app)
    decide(app, "reviewer_anshan", row.id, "return", "请补充离职证明")

    open_year(app, NEIGHBOUR)
    other = page_login(app, NEIGHBOUR)
    html = other.get("/placement-end/").get_data(as_text=True)
    assert "张注销" not in html and "本年度没有可注销的安置登记" in text_of(html)
    assert _post(other, f"/placement-end/{row.id}/correction", _form(year, pid), _proof()).status_code == 404
    assert _post(other, "/placement-end/999999999/correction", _form(year, pid), _proof()).status_code == 404
    stolen = _post(other, "/placement-end/", _form(year, pid, scope="person"), _proof())
    assert stolen.status_code == 400 and f"请选择本单位{year}年度的安置人员" in stolen.get_data(as_text=True)
    assert [(e.id, e.status) for e in ends(app)] == [(row.id, "returned")]


def test_the_jurisdiction_list_search_paging_and_excel(app):
    year = open_year(app, UNIT)
    client = page_login(app, UNIT)
    for i, name in enumerate(("甲注销", "乙注销", "丙注销")):
        pid = placed(app, UNIT, year, name, f"21030219900101{i:03d}X")
        assert _post(client, "/placement-end/", _form(year, pid), _proof()).status_code == 302
    first = ends(app)[0]
    decide(app, "reviewer_anshan", first.id, "reject", "离职证明与劳动合同不符")

    staff = page_login(app, "reviewer_anshan", staff=True)
    html = staff.get("/review/").get_data(as_text=True)
    assert "/review/placement-ends/" in html and "单位注销安置登记" in text_of(html[html.index('class="main-nav"'):html.index("</nav>")])
    page = text_of(staff.get("/review/placement-ends/").get_data(as_text=True))
    assert "待初审 2 件" in page and "不予注销 1 件" in page and "甲注销" in page and "丙注销" in page
    assert "共 3 条" in page
    paged = text_of(staff.get("/review/placement-ends/?per_page=2&page=2").get_data(as_text=True))
    assert "甲注销" in paged and "丙注销" not in paged  # newest first
    rejected = text_of(staff.get("/review/placement-ends/?status=rejected").get_data(as_text=True))
    assert "甲注销" in rejected and "乙注销" not in rejected
    assert "甲注销" in text_of(staff.get(f"/review/placement-ends/?q={UNIT}").get_data(as_text=True))
    assert "没有符合条件的申请" in text_of(staff.get("/review/placement-ends/?q=不存在的单位").get_data(as_text=True))
    assert "共 3 条" in text_of(staff.get("/review/placement-ends/?page=0").get_data(as_text=True))  # a stale link: page 1
    for query, message in (("status=nope", "请选择审核状态"), ("year=20x5", "业务年度")):
        bad = staff.get(f"/review/placement-ends/?{query}")
        assert bad.status_code == 400 and message in text_of(bad.get_data(as_text=True)), query
    detail = text_of(staff.get(f"/review/placement-ends/{first.id}").get_data(as_text=True))
    assert "甲注销" in detail and "离职证明与劳动合同不符" in detail

    sheet = load_workbook(BytesIO(staff.get("/review/placement-ends/export.xlsx?status=first_review").data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(rows) == 2 and {r[5] for r in rows} == {"乙注销", "丙注销"}
    assert rows[0][1:3] == ("鞍山市铁东区示范机械有限公司", UNIT) and rows[0][5:7] == ("丙注销", "210302*****101002X")

    hangzhou = page_login(app, "reviewer_hangzhou", staff=True)
    assert "本辖区尚无单位注销安置登记申请" in text_of(hangzhou.get("/review/placement-ends/").get_data(as_text=True))
    assert hangzhou.get(f"/review/placement-ends/{first.id}").status_code == 404
    assert page_login(app, "window_xihu", staff=True).get("/review/placement-ends/").status_code == 403
    assert client.get("/review/placement-ends/").status_code == 403
    with app.extensions["quotacert"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(PlacementEnd)) == 3
