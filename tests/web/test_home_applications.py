"""首页 shows the unit's other applications of the business year (本年度其他申请): the
超比例奖励申请, the 缓减免申请 and each 安置残疾大学生申请 with its status, what the status
means, when it changed (China time) and a link to its page; another unit's applications
never appear; a unit without any sees no panel."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from sqlalchemy import select

from casework.demo import load_demo
from casework.models import (
    CertificationCase,
    GraduateSubsidy,
    LevyRelief,
    Placement,
    RewardApplication,
    Unit,
)
from casework.models.graduate_subsidy import STATUS_HELP as GRADUATE_HELP
from casework.models.levy_relief import STATUS_HELP as RELIEF_HELP
from casework.models.reward import STATUS_HELP as REWARD_HELP
from engine.clock import CHINA_TZ, china_time
from tests.api.files import pdf_bytes
from tests.api.test_pages import page_login, token
from tests.reliefkit import REASON, open_year
from tests.reliefkit import approve as approve_relief
from tests.rewardkit import PAYEE, certify

UNIT = "91210302052118596L"  # 鞍山市铁东区示范机械有限公司
OTHER = "91210303306812749R"  # 鞍山市铁西区示范电子科技有限公司
PANEL = re.compile(r'<section class="card other-applications".*?</section>', re.S)


@pytest.fixture
def app(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    with app.extensions["quotacert"].transaction() as s:
        load_demo(s)
    return app


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _post(client, page: str, data: dict, name: str):
    body = {"csrf_token": token(client, page), **data, "attachments": [(BytesIO(pdf_bytes(name)), f"{name}.pdf")]}
    response = client.post(page, data=body, content_type="multipart/form-data")
    assert response.status_code == 302, _text(response.get_data(as_text=True))[:800]


def _graduate(app, year: int) -> int:
    """A placed person of UNIT's year (confirmed for 10 months)."""
    with app.extensions["quotacert"].transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.credit_code == UNIT))
        case = s.scalar(select(CertificationCase).where(CertificationCase.unit_id == unit.id, CertificationCase.year == year))
        p = Placement(case_id=case.id, id_number="210302200001011234", name="张毕业", is_graduate=True, confirmed_months=10)
        s.add(p)
        s.flush()
        return p.id


def _return_graduate(app, graduate_id: int) -> None:
    from casework import decisions
    from casework.models import User
    from casework.schemas.review import ApprovalInput
    from engine.models import InboxTask

    system = app.extensions["quotacert"]
    with system.transaction() as s:
        found = s.get(GraduateSubsidy, graduate_id)
        task = s.scalar(select(InboxTask).where(InboxTask.instance_id == found.instance_id))
        user = s.scalar(select(User).where(User.login == "reviewer_anshan"))
        decisions.decide(s, system, user, task.task_id, ApprovalInput(outcome="return", reason="请补充学位证书"))


def _panel(client) -> str:
    page = client.get("/")
    assert page.status_code == 200
    found = PANEL.search(page.get_data(as_text=True))
    return found.group(0) if found else ""


def test_home_shows_the_units_applications_of_the_year_and_nobody_elses(app):
    year = certify(app, UNIT)
    client = page_login(app, UNIT)
    assert _panel(client) == "", "no applications: no panel"

    _post(client, "/reward/", {"year": str(year), **PAYEE}, "申请表")
    _post(client, "/relief/", {"year": str(year), "kind": "reduce", "reason": REASON, "levy_due": "30000",
                               "amount": "20000"}, "受灾证明")
    today = app.extensions["quotacert"].runtime.clock.now().astimezone(CHINA_TZ).date()
    _post(client, "/graduates/", {
        "year": str(year), "placement_id": str(_graduate(app, year)), "school": "辽宁大学", "major": "会计学",
        "education": "本科", "degree": "学士", "graduated_on": today.replace(year=today.year - 1).isoformat(),
        "diploma_no": "101401202405001234", "months": "6",
    }, "毕业证书")
    with app.extensions["quotacert"].transaction() as s:
        relief_id = s.scalar(select(LevyRelief.id))
        [grad_id] = s.scalars(select(GraduateSubsidy.id)).all()
    approve_relief(app, relief_id)
    _return_graduate(app, grad_id)

    other = page_login(app, OTHER)  # another unit with a 免缴 application of the same year
    open_year(app, OTHER)
    _post(other, "/relief/", {"year": str(year), "kind": "exempt", "reason": REASON, "levy_due": "5000"}, "其他单位证明")

    panel = _panel(client)
    assert "本年度其他申请" in panel
    rows = re.findall(r"<tr data-application=.*?</tr>", panel, re.S)
    assert len(rows) == 3, panel
    reward, relief, graduate = rows
    with app.extensions["quotacert"].transaction() as s:
        facts = {
            "reward": s.scalar(select(RewardApplication)).status_changed_at,
            "relief": s.get(LevyRelief, relief_id).status_changed_at,
            "graduate": s.get(GraduateSubsidy, grad_id).status_changed_at,
        }
    assert f'href="/reward/?year={year}"' in reward and "超比例奖励申请" in reward
    assert 'data-status="first_review">待初审' in reward and REWARD_HELP["first_review"] in reward
    assert f'href="/relief/?year={year}"' in relief and "缓减免申请</a>（减缴）" in relief
    assert 'data-status="approved">已批准' in relief and RELIEF_HELP["approved"] in relief
    assert f'href="/graduates/?year={year}"' in graduate and "安置残疾大学生申请</a>（张毕业）" in graduate
    assert 'data-status="returned">退回补正' in graduate and GRADUATE_HELP["returned"] in graduate
    for row, key in ((reward, "reward"), (relief, "relief"), (graduate, "graduate")):
        assert china_time(facts[key]).strftime("%Y-%m-%d %H:%M") in row  # the change, in China time
    assert "免缴" not in panel and "其他单位" not in panel  # the other unit's application is not shown

    # the other unit sees its own 免缴 application only
    theirs = _panel(other)
    assert "缓减免申请</a>（免缴）" in theirs and 'data-status="first_review">待初审' in theirs
    assert "超比例奖励申请" not in theirs and "张毕业" not in theirs and "减缴" not in theirs
