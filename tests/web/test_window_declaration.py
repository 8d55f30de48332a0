"""窗口代办 完成申报 (issue 13, 003): after the 申报期 the employer is refused online, and a
reviewer of the unit's jurisdiction completes the declaration for it from the unit's page;
a reviewer of another province never sees the unit."""

from __future__ import annotations

from datetime import datetime

from casework import cases
from casework.models import CertificationCase, Placement, Unit
from casework.models.placement import CONFIRMED
from engine.clock import CHINA_TZ
from tests.web.conftest import csrf_from, login


def _case(app, db, settings, unit_id: int, *, people: int = 0) -> int:
    """The unit's case with `people` placements already 已审核确认 (test data written as
    the review would leave it: the review itself is tested elsewhere)."""
    with db() as session:
        case = cases.open_case(session, app.extensions["quotacert"], session.get(Unit, unit_id), settings.business_year)
        for n in range(people):
            session.add(Placement(case_id=case.id, id_number=f"21030219800101{n:03d}X", name=f"人员{n}", status=CONFIRMED))
        return case.id


def _after_the_window(app, db) -> None:
    clock = app.extensions["quotacert"].runtime.clock
    with db() as session:
        clock.advance(session, datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ) - clock.now())


def test_reviewer_declares_for_a_unit_after_the_window(app, db, employer, staff, settings):
    case_id = _case(app, db, settings, employer["unit_id"], people=1)
    _after_the_window(app, db)
    unit_url = f"/units/{employer['unit_id']}"

    unit_client = app.test_client()
    login(unit_client, employer["login"])
    token = csrf_from(unit_client, "/placements/declare")
    unit_client.post("/placements/declare", data={"csrf_token": token, "pledge_read": "1"})
    refused_online = unit_client.get("/placements/declare").get_data(as_text=True)
    assert "本年度申报期已结束" in refused_online
    with db() as session:
        assert session.get(CertificationCase, case_id).locked is False  # the window is closed online

    other = app.test_client()
    login(other, staff["zhejiang"], staff=True)
    assert other.get(unit_url).status_code == 404
    token = csrf_from(other, "/review/")
    assert other.post(f"{unit_url}/declaration", data={"csrf_token": token, "pledge_read": "1"}).status_code == 404

    reviewer = app.test_client()
    login(reviewer, staff["anshan"], staff=True)
    page = reviewer.get(unit_url).get_data(as_text=True)
    assert "年度申报（窗口代办）" in page and "代为完成申报" in page
    token = csrf_from(reviewer, unit_url)
    refused = reviewer.post(f"{unit_url}/declaration", data={"csrf_token": token}, follow_redirects=True)
    assert "未能完成申报：请先阅读《申报资料真实性承诺书》并勾选确认" in refused.get_data(as_text=True)
    with db() as session:
        assert session.get(CertificationCase, case_id).locked is False

    done = reviewer.post(f"{unit_url}/declaration", data={"csrf_token": token, "pledge_read": "1"}, follow_redirects=True)
    text = done.get_data(as_text=True)
    assert "已代鞍山示范科技有限公司完成" in text and "代为完成申报" not in text
    with db() as session:
        case = session.get(CertificationCase, case_id)
        assert case.locked and case.declared_at is not None


def test_no_case_yet_is_said_not_created(app, db, employer, staff):
    reviewer = app.test_client()
    login(reviewer, staff["anshan"], staff=True)
    unit_url = f"/units/{employer['unit_id']}"
    assert "该单位本年度尚未开始申报" in reviewer.get(unit_url).get_data(as_text=True)
    token = csrf_from(reviewer, unit_url)
    answer = reviewer.post(f"{unit_url}/declaration", data={"csrf_token": token, "pledge_read": "1"}, follow_redirects=True)
    assert "不能代为完成申报" in answer.get_data(as_text=True)
    with db() as session:
        assert session.query(CertificationCase).count() == 0
