"""首页 shows the 申报期 of the unit's province (issue 13): the dates, the concentrated
period, how many days are left (calendar days on the engine clock's China date) or that
it is over, with a help text; GET /api/v1/case answers the same."""

from __future__ import annotations

from datetime import datetime

from engine.clock import CHINA_TZ
from tests.web.conftest import login


def _move_to(app, db, moment: datetime) -> None:
    clock = app.extensions["quotacert"].runtime.clock
    with db() as session:
        clock.advance(session, moment - clock.now())


def _home(app, login_name: str):
    client = app.test_client()
    login(client, login_name)
    page = client.get("/")
    assert page.status_code == 200
    return page.get_data(as_text=True), client


def test_anshan_home_counts_the_days_left_then_says_it_is_over(app, db, employer):
    page, client = _home(app, employer["login"])  # the engine clock: 2026-04-15 10:00
    assert "辽宁省2025年度申报期" in page
    assert "2026年3月1日至2026年10月31日" in page
    assert "距申报截止还有199天" in page
    assert "集中申报期" not in page
    assert "申报期说明" in page and "逾期未参加认证的用人单位视为无残疾职工" in page

    period = client.get("/api/v1/case").get_json()["declaration_period"]
    assert period["start"] == "2026-03-01" and period["end"] == "2026-10-31"
    assert (period["state"], period["days_left"], period["status_text"]) == ("open", 199, "距申报截止还有199天")
    assert period["concentrated_start"] is None

    _move_to(app, db, datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ))
    page, client = _home(app, employer["login"])
    assert "本年度申报期已结束，已不能在网上完成申报" in page
    assert "距申报截止" not in page
    assert client.get("/api/v1/case").get_json()["declaration_period"]["state"] == "closed"
    declare = client.get("/placements/declare").get_data(as_text=True)  # told before clicking
    assert "申报期：2026年3月1日至2026年10月31日。本年度申报期已结束" in declare

    _move_to(app, db, datetime(2027, 2, 1, 0, 30, tzinfo=CHINA_TZ))  # the 2026 business year's window
    app.extensions["quotacert"].settings.business_year = 2026
    page, _ = _home(app, employer["login"])
    assert "辽宁省2026年度申报期" in page and "申报期尚未开始（28天后开始）" in page


def test_zhejiang_home_shows_the_concentrated_period(app, db, other_employer):
    page, _ = _home(app, other_employer["login"])
    assert "浙江省2025年度申报期" in page and "2026年3月1日至2026年12月31日" in page
    assert "2026年4月1日至2026年6月30日（当前处于集中申报期）" in page
    assert "距申报截止还有260天" in page
