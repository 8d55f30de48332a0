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


def _receipts(system, window: str) -> tuple[Unit, Unit]:
    """26 receipts of `window`: 25 for one unit on 25 days (10:00 北京时间, from 2025-03-01),
    one for another at 00:30 北京时间 on 2025-03-07 (still 03-06 in UTC)."""
    from datetime import UTC, datetime, timedelta

    with system.transaction() as s:
        first, second = s.scalars(select(Unit).where(Unit.cdpf_region.like("33%")).order_by(Unit.id).limit(2)).all()
        cases = {}
        for unit in (first, second):
            case = s.scalar(select(CertificationCase).where(CertificationCase.unit_id == unit.id))
            if case is None:
                case = CertificationCase(unit_id=unit.id, year=2025, region_code=unit.cdpf_region)
                s.add(case)
                s.flush()
            cases[unit.id] = case.id
        start = datetime(2025, 3, 1, 2, 0, tzinfo=UTC)
        for i in range(25):
            s.add(WindowAcceptance(case_id=cases[first.id], unit_id=first.id, window_region=window, unit_region=first.cdpf_region,
                                   received_by="window_binjiang", received_at=start + timedelta(days=i), status="deferred"))
        s.add(WindowAcceptance(case_id=cases[second.id], unit_id=second.id, window_region=window, unit_region=second.cdpf_region,
                               received_by="window_binjiang", received_at=datetime(2025, 3, 6, 16, 30, tzinfo=UTC), status="deferred"))
        s.flush()
        s.expunge_all()
    return first, second


def rows(html: str) -> int:
    return html.count('<br><span class="mono small">')


def test_the_receipt_list_is_paged_and_searchable(demo_app):
    system = demo_app.extensions["quotacert"]
    first, second = _receipts(system, "330108")
    clerk = client_for(demo_app, "window_binjiang")
    index = text(clerk.get("/window/"))
    assert rows(index) == 10 and "/window/receipts" in index and "最近10条" in index

    page1 = clerk.get("/window/receipts")
    assert page1.status_code == 200 and "共 26 条" in text(page1) and rows(text(page1)) == 20
    page2 = text(clerk.get("/window/receipts", query_string={"page": 2}))
    assert rows(page2) == 6
    part = next(second.name[i:i + 3] for i in range(len(second.name)) if second.name[i:i + 3] not in first.name)
    by_name = text(clerk.get("/window/receipts", query_string={"q": part}))
    assert "共 1 条" in by_name and second.credit_code in by_name and first.credit_code not in by_name
    by_code = text(clerk.get("/window/receipts", query_string={"q": second.credit_code.lower()}))
    assert "共 1 条" in by_code
    # days are 北京时间: the 00:30 receipt of 03-07 is not on 03-06
    days = text(clerk.get("/window/receipts", query_string={"received_from": "2025-03-05", "received_to": "2025-03-06"}))
    assert "共 2 条" in days and second.credit_code not in days
    day7 = text(clerk.get("/window/receipts", query_string={"received_from": "2025-03-07", "received_to": "2025-03-07"}))
    assert "共 2 条" in day7 and second.credit_code in day7
    none = text(clerk.get("/window/receipts", query_string={"q": "没有这个单位"}))
    assert "没有符合条件的受理记录" in none
    # another window sees none of them
    assert "本窗口尚无受理记录" in text(client_for(demo_app, "window_xihu").get("/window/receipts"))

    # the API: the same declaration and the same answers
    from tests.api.conftest import api_login

    api = demo_app.test_client()
    headers = api_login(api, "window_binjiang")
    listed = api.get("/api/v1/window/receipts", query_string={"received_from": "2025-03-05", "received_to": "2025-03-06",
                                                              "per_page": 1}, headers=headers).get_json()
    assert listed["total"] == 2 and listed["per_page"] == 1 and len(listed["items"]) == 1
    assert api.get("/api/v1/window/receipts", query_string={"q": second.credit_code}, headers=headers).get_json()["total"] == 1
    assert api.get("/api/v1/window/receipts", query_string={"received_to": "2025-02-30"}, headers=headers).status_code == 400


def test_a_unit_is_found_by_part_of_its_name_in_pages(demo_app):
    system = demo_app.extensions["quotacert"]
    with system.transaction() as s:
        named = s.scalar(select(func.count()).select_from(Unit).where(Unit.name.like("%示范%")))
    assert named >= 2
    clerk = client_for(demo_app, "window_xihu")
    one = text(clerk.get("/window/", query_string={"q": "示范", "per_page": 1}))
    two = text(clerk.get("/window/", query_string={"q": "示范", "per_page": 1, "page": 2}))
    assert f"共 {min(named, 200)} 条" in one and one.count("收件登记</a>") == 1 and two.count("收件登记</a>") == 1
    first_code = re.search(r'<td class="mono">(\w{18})</td>', one).group(1)
    assert first_code not in two
    no_personal_data(one)
    from tests.api.conftest import api_login

    api = demo_app.test_client()
    headers = api_login(api, "window_xihu")
    found = api.get("/api/v1/window/units", query_string={"q": "示范", "per_page": 1, "page": 2}, headers=headers).get_json()
    assert found["total"] == min(named, 200) and found["page"] == 2 and len(found["items"]) == 1


# (url, query, the page's answer): a bad page number is dropped on a page (the first page,
# as on every list) and refused by the API; a bad date or search text is refused on both
GARBAGE = [
    ("/window/receipts", {"page": "abc"}, 200), ("/window/receipts", {"page": "0"}, 200),
    ("/window/receipts", {"page": "99999999999999"}, 200), ("/window/receipts", {"per_page": "1000"}, 200),
    ("/window/receipts", {"received_from": "2025-13-40"}, 400), ("/window/receipts", {"received_to": "昨天"}, 400),
    ("/window/receipts", {"received_from": ["2025-01-01", "x"], "received_to": "2025-02-30"}, 400),
    ("/window/receipts", {"q": "单" * 80}, 400), ("/window/receipts", {"q": "\x00ab"}, 400),
    ("/window/", {"q": "示范", "page": "-1"}, 200), ("/window/", {"q": "示范", "per_page": "x"}, 200),
    ("/window/", {"page": "1e9"}, 200), ("/window/", {"q": "示范", "page": "999"}, 200),
]


def test_garbage_in_the_window_lists_is_answered_in_chinese(demo_app):
    from tests.api.conftest import api_login

    clerk = client_for(demo_app, "window_xihu")
    api = demo_app.test_client()
    headers = api_login(api, "window_xihu")
    for url, query, status in GARBAGE:
        response = clerk.get(url, query_string=query)
        html = text(response)
        assert response.status_code == status, (url, query, response.status_code)
        if "received_from" in query or "received_to" in query:  # beside the list, in Chinese
            assert "请修改以下内容" in html and "收件日期" in html, (url, query)
        api_url = {"/window/receipts": "/api/v1/window/receipts", "/window/": "/api/v1/window/units"}[url]
        expected = 200 if query.get("page") == "999" else 400
        assert api.get(api_url, query_string=query, headers=headers).status_code == expected, (url, query)
