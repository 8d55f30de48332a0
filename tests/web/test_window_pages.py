"""窗口受理 pages (浙江, 003 收受分离): a window clerk finds any unit, records the papers it
brought, follows the case to the unit's jurisdiction; the pages show a unit's identifying
facts only, refuse everyone but window clerks, and answer garbage in Chinese, never 500."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from casework.demo import DEMO_PASSWORD
from casework.models import CertificationCase, Unit, WindowAcceptance
from engine.models import InboxTask
from tests.web import processkit
from tests.web.conftest import csrf_from, login
from tests.web.processkit import client_for

demo_app = processkit.demo_app  # the fixture: the app with the demo data, on both databases

# what the demo units carry that a window clerk has no business seeing
PERSONAL = ("张示范", "11010519491231002X", "13800000000", "李经办", "13900000000")


def unit_of(system, region: str) -> Unit:
    with system.transaction() as s:
        return s.scalars(select(Unit).where(Unit.cdpf_region == region).order_by(Unit.id)).first()


def employer_client(app, unit: Unit):
    client = app.test_client()
    assert login(client, unit.credit_code, DEMO_PASSWORD).status_code == 302
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def no_personal_data(html: str) -> None:
    for value in PERSONAL:
        assert value not in html, value


def test_a_window_receives_papers_and_both_sides_see_where_the_case_is(demo_app):
    system = demo_app.extensions["quotacert"]
    unit = unit_of(system, "330106")
    clerk = demo_app.test_client()
    landed = login(clerk, "window_binjiang", DEMO_PASSWORD, staff=True)
    assert landed.headers["Location"].endswith("/window/")
    page = clerk.get("/window/")
    html = text(page)
    assert page.status_code == 200 and "浙江省杭州市滨江区残联服务窗口" in html and "本窗口尚无受理记录" in html
    assert 'aria-current="page">窗口受理' in html and "发送税务查询" not in html

    found = text(clerk.get("/window/", query_string={"q": "西湖区示范网络"}))
    assert unit.credit_code in found and "省内通办" in found and "收件登记" in found
    no_personal_data(found)
    intake = text(clerk.get(f"/window/units/{unit.id}"))
    assert unit.name in intake and "浙江省杭州市西湖区" in intake and "申报资料真实性承诺书" in intake
    no_personal_data(intake)

    token = csrf_from(clerk, f"/window/units/{unit.id}")
    url = f"/window/units/{unit.id}"
    partial = ["application", "certificates", "pledge"]
    no_reason = clerk.post(url, data={"csrf_token": token, "mode": "deferred", "materials": partial})
    assert no_reason.status_code == 400 and "暂缓受理须填写原因" in text(no_reason)
    incomplete = clerk.post(url, data={"csrf_token": token, "mode": "immediate", "materials": partial})
    assert incomplete.status_code == 400 and "材料不齐全，不能当场受理" in text(incomplete)
    done = clerk.post(url, data={"csrf_token": token, "mode": "deferred", "materials": partial, "reason": "缺少工资发放证明"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/window/#receipts")
    listing = text(clerk.get("/window/"))
    assert "暂缓受理（待补齐材料）" in listing and "窗口受理 · 浙江省杭州市滨江区" in listing

    # the window's 窗口受理 step, in its clerks' workbench
    inbox = text(clerk.get("/review/"))
    task_id = re.search(r"/review/tasks/([0-9a-f-]{36})", inbox).group(1)
    task_page = text(clerk.get(f"/review/tasks/{task_id}"))
    assert "收件登记" in task_page and "缺少工资发放证明" in task_page and "下载电子案卷" not in task_page
    no_personal_data(task_page)
    token = csrf_from(clerk, f"/review/tasks/{task_id}")
    short = clerk.post(f"/review/tasks/{task_id}", data={"csrf_token": token, "outcome": "accept", "materials": partial})
    assert short.status_code == 400 and "材料尚不齐全" in text(short)
    everything = ["application", "certificates", "contracts", "wages", "insurance", "pledge"]
    accepted = clerk.post(f"/review/tasks/{task_id}", data={"csrf_token": token, "outcome": "accept", "materials": everything},
                          follow_redirects=True)
    assert "已受理，已转浙江省杭州市西湖区残联属地审核" in text(accepted)
    assert "属地审核 · 浙江省杭州市西湖区" in text(clerk.get("/window/"))

    # the unit's jurisdiction sees the papers the window received; the unit sees where it is
    reviewer = client_for(demo_app, "reviewer_hangzhou")
    with system.transaction() as s:
        local = s.scalar(select(InboxTask).where(InboxTask.task_name == "local_review"))
    review_page = text(reviewer.get(f"/review/tasks/{local.task_id}"))
    assert "窗口收件" in review_page and "浙江省杭州市滨江区残联服务窗口" in review_page and "已受理，属地审核中" in review_page
    home = text(employer_client(demo_app, unit).get("/"))
    assert "窗口受理" in home and "属地审核 · 浙江省杭州市西湖区" in home and "暂缓受理：缺少工资发放证明" in home


def test_only_window_clerks_and_only_what_they_need(demo_app):
    system = demo_app.extensions["quotacert"]
    unit = unit_of(system, "330106")
    for client in (employer_client(demo_app, unit), client_for(demo_app, "reviewer_hangzhou"),
                   client_for(demo_app, "supervisor_zhejiang")):
        assert client.get("/window/").status_code == 403
        assert client.get(f"/window/units/{unit.id}").status_code == 403
    assert demo_app.test_client().get("/window/").status_code == 302  # to the login page

    from casework.demo import _demo_pdf
    from casework.uploads import store_upload

    processkit.open_cases(system, "330106")
    with system.transaction() as s:
        case_id = s.scalar(select(CertificationCase.id).where(CertificationCase.unit_id == unit.id))
        attachment_id = store_upload(s, system.settings, unit_id=unit.id, user_id=None, filename="劳动合同.pdf",
                                     data=_demo_pdf("contract"), kind="contract", limit_bytes=10 << 20).id
    # the unit's own jurisdiction opens them (so the refusals below are the window's)
    reviewer = client_for(demo_app, "reviewer_hangzhou")
    assert reviewer.get(f"/review/cases/{case_id}/dossier.pdf").status_code == 200
    assert reviewer.get(f"/attachments/{attachment_id}").status_code == 200
    clerk = client_for(demo_app, "window_xihu")
    # no people, no files, no tax: a window clerk receives papers, the jurisdiction handles them
    assert clerk.get(f"/review/cases/{case_id}/dossier.pdf").status_code == 404
    assert clerk.get(f"/attachments/{attachment_id}").status_code == 404
    assert clerk.get(f"/attachments/{attachment_id}/view").status_code == 404
    assert clerk.get("/units").status_code == 403
    assert clerk.get(f"/units/{unit.id}").status_code == 403
    assert clerk.get("/review/tax/").status_code == 403
    token = csrf_from(clerk, "/window/")
    headers = {"X-CSRFToken": token}
    assert clerk.get("/api/v1/tax/submissions", headers=headers).status_code == 403


def test_garbage_gets_chinese_answers(demo_app):
    system = demo_app.extensions["quotacert"]
    clerk = client_for(demo_app, "window_xihu")
    one = clerk.get("/window/", query_string={"q": "示"})
    assert one.status_code == 400 and "请至少输入2个字" in text(one)
    long = clerk.get("/window/", query_string={"q": "单" * 80})
    assert long.status_code == 400 and "不能超过50个字" in text(long)
    longer = clerk.get("/window/", query_string={"q": "单" * 5000})
    assert longer.status_code == 400 and "不能超过" in text(longer)
    assert clerk.get("/window/", query_string={"q": "\x00abc"}).status_code == 400
    assert clerk.get("/window/units/99999999999").status_code == 404
    assert clerk.get("/window/units/2147483647").status_code == 404
    unit = unit_of(system, "330106")
    token = csrf_from(clerk, f"/window/units/{unit.id}")
    bad = clerk.post(f"/window/units/{unit.id}", data={
        "csrf_token": token, "mode": "soon", "materials": ["bogus", "pledge"], "reason": "因" * 600})
    html = text(bad)
    assert bad.status_code == 400 and "请选择受理方式" in html and "请选择收到的材料" in html and "不能超过500个字" in html
    assert clerk.post(f"/window/units/{unit.id}", data={"mode": "deferred"}).status_code == 400  # no CSRF token
    with system.transaction() as s:
        assert s.scalar(select(func.count()).select_from(WindowAcceptance)) == 0


def test_a_unit_whose_province_takes_no_window_receipts_is_refused_with_the_reason(demo_app):
    """跨省通办 to 鞍山, whose national diagram has no window path: said before and after
    the click, and nothing is kept."""
    system = demo_app.extensions["quotacert"]
    unit = unit_of(system, "210302")
    clerk = client_for(demo_app, "window_xihu")
    found = text(clerk.get("/window/", query_string={"q": unit.credit_code}))
    assert "跨省通办" in found and "辽宁省鞍山市铁东区" in found
    page = text(clerk.get(f"/window/units/{unit.id}"))
    assert "辽宁省的年审流程不办理窗口受理" in page and "disabled" in page
    token = csrf_from(clerk, f"/window/units/{unit.id}")
    everything = ["application", "certificates", "contracts", "wages", "insurance", "pledge"]
    refused = clerk.post(f"/window/units/{unit.id}", data={"csrf_token": token, "mode": "immediate", "materials": everything})
    assert refused.status_code == 409 and "辽宁省的年审流程不办理窗口受理" in text(refused)
    with system.transaction() as s:
        assert s.scalar(select(func.count()).select_from(WindowAcceptance)) == 0
        assert s.scalar(select(func.count()).select_from(CertificationCase).where(CertificationCase.unit_id == unit.id)) == 0
