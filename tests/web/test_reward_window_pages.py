"""超比例奖励申请 at the window (002 申办系统, 第二种申请方式), the staff's pages: a reviewer
finds a unit of the jurisdiction (name ≥ 2 characters or full credit code, paged; another
jurisdiction's unit is a 404), sees its certified people month by month and the figures,
files for it with the papers and the payee, and it goes to 业务主管复核 — to a supervisor
who did not file it. The 复核 page shows the application (figures, payee in full, channel,
filer, papers, its decisions); approving issues the 奖励审核认定书, whose public /verify/
page shows the reward (not the annual fields, never the account). Garbage never 500s."""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from casework import accounts, cases, certificates
from casework.demo import DEMO_PASSWORD, load_demo
from casework.models import CertificationCase, IssuedCertificate, RewardApplication, Unit
from casework.models.placement import Certificate
from domain.id_number import parse_id_number
from domain.reward import reward_for
from engine.models import InboxTask
from tests.certkit import add_certified_person, declared, id_number
from tests.web.conftest import csrf_from, login

UNIT = "91210302052118596L"  # 鞍山市铁东区示范机械有限公司 (demo)
PAYEE = {"payee_name": "鞍山市铁东区示范机械有限公司", "payee_account": "6222 0000 1234 5678", "payee_bank": "中国银行鞍山分行"}


@pytest.fixture
def demo(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    with app.extensions["quotacert"].transaction() as s:
        load_demo(s)
        accounts.create_user(s, "supervisor_anshan2", DEMO_PASSWORD, "supervisor", "210300", None, "鞍山第二主管")
    return app


def certify(app, *, staff: int = 30) -> tuple[int, int]:
    """The demo unit's case of the business year with two people certified all year (one
    with a 残疾人证 on file), declared and its 审核认定书 issued; (unit id, year)."""
    system = app.extensions["quotacert"]
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == UNIT))
        unit.staff_last_year = staff
        case = cases.open_case(s, system, unit, system.settings.business_year)
        first = add_certified_person(s, case, "王一", id_number(1), list(range(1, 13)))
        s.add(Certificate(placement_id=first.id, number=id_number(1) + "43", kind="残疾人证", category="肢体残疾",
                          grade=3, valid_from=date(2020, 1, 1), valid_to=date(2030, 1, 1)))
        add_certified_person(s, case, "李二", id_number(2), list(range(1, 13)))
        add_certified_person(s, case, "张三", id_number(3), [])  # registered, never certified
        declared(case, system.runtime.clock.now())
        certificates.issue(s, case, system.runtime.clock.now())
        return unit.id, case.year


def staff_client(app, name: str):
    client = app.test_client()
    assert login(client, name, DEMO_PASSWORD, staff=True).status_code == 302
    return client


def file_for(client, unit_id: int, year: int, files=(), **changes):
    url = f"/review/reward/window/{unit_id}?year={year}"
    data = {"csrf_token": csrf_from(client, url), "year": str(year), **PAYEE, **changes}
    if files:
        data["attachments"] = [(BytesIO(body), name) for name, body in files]
    return client.post(f"/review/reward/window/{unit_id}", data=data, content_type="multipart/form-data")


def applications(app) -> list[RewardApplication]:
    with app.extensions["quotacert"].transaction() as s:
        return list(s.scalars(select(RewardApplication)))


def reward_task(app, app_id: int) -> InboxTask:
    with app.extensions["quotacert"].transaction() as s:
        return s.scalar(select(InboxTask).where(InboxTask.subject_ref == f"reward:{app_id}"))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_search_finds_units_of_the_jurisdiction_only(demo):
    unit_id, year = certify(demo)
    reviewer = staff_client(demo, "reviewer_anshan")
    page = text(reviewer.get("/review/reward/window?q=示范"))
    assert "鞍山市铁东区示范机械有限公司" in page
    assert "杭州" not in page and "内蒙古" not in page.split("查找结果")[-1]
    assert "申请超比例奖励" in page and "超比例奖励申请" in page  # the staff nav entry
    paged = text(reviewer.get("/review/reward/window?q=鞍山&per_page=1"))
    total = int(re.search(r"共 (\d+) 条", paged).group(1))
    assert total >= 2 and paged.count("/review/reward/window/") == 1
    assert UNIT in text(reviewer.get(f"/review/reward/window?q={UNIT}"))
    assert UNIT in text(reviewer.get(f"/review/reward/window?q={UNIT.lower()}"))
    short = reviewer.get("/review/reward/window?q=鞍")
    assert short.status_code == 400 and "至少输入2个字" in text(short)

    other = staff_client(demo, "reviewer_huhhot")  # 呼和浩特: the 鞍山 unit does not exist for them
    assert "本辖区未找到该单位" in text(other.get(f"/review/reward/window?q={UNIT}"))
    assert other.get(f"/review/reward/window/{unit_id}?year={year}").status_code == 404
    assert file_for(staff_client(demo, "reviewer_anshan"), unit_id, year).status_code == 302  # filed by 鞍山
    app_id = applications(demo)[0].id
    assert other.get(f"/review/reward/{app_id}").status_code == 404
    csrf = csrf_from(other, "/review/reward/window")
    refused = other.post(f"/review/reward/window/{unit_id}", data={"csrf_token": csrf, "year": str(year), **PAYEE})
    assert refused.status_code == 404 and len(applications(demo)) == 1
    assert "鞍山" not in text(other.get("/review/reward/"))

    clerk = staff_client(demo, "window_xihu")  # a window clerk files no reward
    assert clerk.get("/review/reward/window").status_code == 403
    assert "超比例奖励申请" not in text(clerk.get("/review/"))


def test_the_window_files_and_a_supervisor_rechecks(demo, png_bytes):
    unit_id, year = certify(demo)
    expected = reward_for("210302", year, 30, 2)
    assert expected.excess == 1
    reviewer = staff_client(demo, "reviewer_anshan")
    page = text(reviewer.get(f"/review/reward/window/{unit_id}?year={year}"))
    grid = page.split('id="people-h"')[1].split("</table>")[0]
    assert "王一" in grid and "李二" in grid and "张三" not in grid  # only certified people
    assert "一月份" in grid and "十二月份" in grid and grid.count("✓") == 24
    assert id_number(1) not in page and id_number(1)[:6] in grid and "*****" in grid  # masked
    assert "肢体残疾" in grid and "三级" in grid
    # 性别 left blank at registration is read from the 身份证号
    sexes = re.findall(r"<td>([男女])</td>", grid)
    assert sexes == [parse_id_number(id_number(n)).sex for n in (1, 2)], sexes
    assert "超比例奖励信息" in page and f"{expected.reward:,.2f}" in page
    assert "附件材料信息" in page and "银行卡信息" in page and ">提交<" in page

    bad = file_for(reviewer, unit_id, year, payee_account="12ab")
    assert bad.status_code == 400 and "8至30位数字" in text(bad) and applications(demo) == []

    done = file_for(reviewer, unit_id, year, files=[("开户许可证.png", png_bytes)])
    assert done.status_code == 302
    result = text(reviewer.get(done.headers["Location"]))
    assert "转业务主管复核" in result and "待复核" in result and "复核 · 业务主管" in result
    assert "窗口代为申请" in result and "开户许可证.png" in result
    (application,) = applications(demo)
    assert (application.channel, application.filed_by, application.status_name) == ("window", "reviewer_anshan", "待复核")
    assert application.amount == expected.reward and len(application.attachment_ids) == 1

    again = text(reviewer.get(f"/review/reward/window/{unit_id}?year={year}"))  # one per year: status + link
    assert "本年度已有超比例奖励申请" in again and f"/review/reward/{application.id}" in again
    assert 'name="payee_account"' not in again

    listing = text(reviewer.get("/review/reward/?channel=window"))
    assert "鞍山市铁东区示范机械有限公司" in listing and "待复核" in listing
    assert "鞍山市铁东区示范机械有限公司" not in text(reviewer.get("/review/reward/?status=approved"))
    export = reviewer.get("/review/reward/export.xlsx")
    assert export.status_code == 200
    sheet = load_workbook(BytesIO(export.data)).active
    assert [c.value for c in sheet[3]][1] == "鞍山市铁东区示范机械有限公司"

    task = reward_task(demo, application.id)
    assert (task.task_name, task.role) == ("window_review", "supervisor")
    supervisor = staff_client(demo, "supervisor_anshan")
    inbox = text(supervisor.get("/review/"))
    assert f"{year}年度超比例奖励申请" in inbox and task.task_id in inbox
    assert task.task_id not in text(reviewer.get("/review/"))
    decision = text(supervisor.get(f"/review/tasks/{task.task_id}"))
    material = decision.split('id="reward-h"')[1].split("</section>")[0]
    assert "窗口代为申请" in material and "reviewer_anshan" in material  # how and by whom
    assert "6222000012345678" in material and "中国银行鞍山分行" in material  # the payee in full, to check
    assert f"{expected.reward:,.2f}" in material and "开户许可证.png" in material
    assert "复核通过" in decision

    csrf = csrf_from(supervisor, f"/review/tasks/{task.task_id}")
    approved = supervisor.post(f"/review/tasks/{task.task_id}", data={"csrf_token": csrf, "outcome": "approve"})
    assert approved.status_code == 302
    with demo.extensions["quotacert"].transaction() as s:
        application = s.get(RewardApplication, application.id)
        assert application.status_name == "复审通过"
        certificate = s.get(IssuedCertificate, application.certificate_id)
    detail = text(reviewer.get(f"/review/reward/{application.id}"))
    assert "复核</strong>：复核通过" in detail and certificate.number in detail

    public = demo.test_client().get(f"/verify/{certificate.token}")  # nobody logged in
    body = text(public)
    assert public.status_code == 200 and "超比例奖励审核认定书" in body and "有效" in body
    assert f"{expected.reward}元" in body and "鞍山市铁东区示范机械有限公司" in body and f"{year}年" in body
    assert "6222" not in body and "累计安置核定" not in body and "王一" not in body
    api = demo.test_client().get(f"/api/v1/verify/{certificate.token}").get_json()
    assert api["kind"] == "reward" and api["reward"]["amount"] == str(expected.reward)


def test_a_supervisor_who_filed_does_not_recheck_it(demo):
    unit_id, year = certify(demo)
    filer = staff_client(demo, "supervisor_anshan")
    assert file_for(filer, unit_id, year).status_code == 302
    (application,) = applications(demo)
    task = reward_task(demo, application.id)
    assert task.task_id not in text(filer.get("/review/"))
    assert filer.get(f"/review/tasks/{task.task_id}").status_code in (403, 404)
    other = staff_client(demo, "supervisor_anshan2")
    assert task.task_id in text(other.get("/review/"))
    assert "6222000012345678" in text(other.get(f"/review/tasks/{task.task_id}"))


def test_a_unit_not_over_the_quota_is_told_why_and_nothing_is_filed(demo):
    unit_id, year = certify(demo, staff=200)  # quota ceil(200 × 1.5%) = 3 > 2
    reviewer = staff_client(demo, "reviewer_anshan")
    page = text(reviewer.get(f"/review/reward/window/{unit_id}?year={year}"))
    assert "不符合超比例奖励条件" in page and 'name="payee_account"' not in page
    refused = file_for(reviewer, unit_id, year)
    assert refused.status_code == 400 and "不符合超比例奖励条件" in text(refused)
    not_certified = text(reviewer.get(f"/review/reward/window/{unit_id}?year={year - 1}"))
    assert "王一" in not_certified  # an unknown year falls back to the unit's certified one
    assert applications(demo) == []


@pytest.mark.parametrize("url", [
    "/review/reward/window?q=%00%00", "/review/reward/window?q=" + "鞍" * 500, "/review/reward/window?q=示范&page=0",
    "/review/reward/window?q=示范&page=99999999999999999999", "/review/reward/window?q=示范&per_page=abc",
    "/review/reward/window/1180591620717411303424", "/review/reward/window/1?year=abc", "/review/reward/window/1?year=99999",
    "/review/reward/?status=bogus", "/review/reward/?year=-1&page=-5", "/review/reward/?q=%25_%5C",
    "/review/reward/export.xlsx?channel=x", "/review/reward/3000000000", "/review/reward/1180591620717411303424",
])  # fmt: skip
def test_garbage_never_500s(demo, url):
    certify(demo)
    response = staff_client(demo, "reviewer_anshan").get(url)
    assert response.status_code < 500, text(response)[:300]


def test_garbage_posts_never_500(demo):
    unit_id, year = certify(demo)
    reviewer = staff_client(demo, "reviewer_anshan")
    csrf = csrf_from(reviewer, "/review/reward/window")
    for data in ({"year": "abc"}, {"year": "99999"}, {"year": str(year), "payee_name": "\x00"},
                 {"year": str(year), **PAYEE, "payee_account": "9" * 500}, {}):
        response = reviewer.post(f"/review/reward/window/{unit_id}", data={"csrf_token": csrf, **data})
        assert response.status_code == 400, text(response)[:300]
    bad_file = file_for(reviewer, unit_id, year, files=[("x.png", b"not an image")])
    assert bad_file.status_code == 400 and "x.png" in text(bad_file)
    with demo.extensions["quotacert"].transaction() as s:
        assert s.scalar(select(func.count()).select_from(RewardApplication)) == 0
        assert s.scalar(select(func.count()).select_from(CertificationCase)) == 1
