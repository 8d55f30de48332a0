"""通知公告: who sees which notice, keyword search, pages, detail; notify_unit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from casework import notices
from casework.models import Notice
from domain.errors import DomainError, NotFound
from tests.web.conftest import api_token, login


@pytest.fixture
def notice_set(db, employer, other_employer):
    base = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    with db() as session:
        ids = {
            "own": notices.notify_unit(
                session, employer["unit_id"], "安置人员“林贤最”资料审核完成通知", "有效月份为202501"
            ).id,
            "other_unit": notices.notify_unit(
                session, other_employer["unit_id"], "安置人员“别人”资料审核完成通知", ""
            ).id,
            "national": notices.publish(
                session, "关于做好2025年度按比例就业年审工作的通知", "全国"
            ).id,
            "province": notices.publish(
                session, "辽宁省残联关于康复服务的通知", "辽宁", region_code="210000"
            ).id,
            "city": notices.publish(session, "鞍山市残联通知公告", "鞍山", region_code="210300").id,
            "other_province": notices.publish(
                session, "浙江省残联关于康复服务的通知", "浙江", region_code="330000"
            ).id,
        }
        for offset, notice_id in enumerate(ids.values()):
            session.get(Notice, notice_id).created_at = base + timedelta(hours=offset)
    return ids


def test_employer_sees_own_and_public_notices_of_its_region(client, employer, notice_set):
    login(client, employer["login"])
    page = client.get("/notices").get_data(as_text=True)
    for title in ("林贤最", "关于做好2025年度", "辽宁省残联", "鞍山市残联通知公告"):
        assert title in page
    assert "别人" not in page and "浙江省残联" not in page
    assert "通知中心" in page


def test_keyword_search(client, employer, notice_set):
    login(client, employer["login"])
    page = client.get("/notices?q=康复").get_data(as_text=True)
    assert "辽宁省残联关于康复服务的通知" in page
    assert "林贤最" not in page and "浙江省残联" not in page
    empty = client.get("/notices?q=不存在的关键字").get_data(as_text=True)
    assert "没有找到" in empty
    assert client.get("/notices?q=%25").status_code == 200  # % is a literal, not a wildcard


def test_pagination(client, db, employer):
    with db() as session:
        for i in range(20):
            notices.notify_unit(session, employer["unit_id"], f"通知{i:02d}", "")
    login(client, employer["login"])
    first = client.get("/notices").get_data(as_text=True)
    assert "共 20 条" in first and 'aria-current="page">1<' in first
    second = client.get("/notices?page=2").get_data(as_text=True)
    assert second.count('class="notice-title"') == 5
    assert client.get("/notices?page=abc").status_code == 200
    assert client.get("/notices?page=999").status_code == 200


def test_detail_and_scope(client, employer, notice_set):
    login(client, employer["login"])
    page = client.get(f"/notices/{notice_set['own']}").get_data(as_text=True)
    assert (
        "林贤最" in page and "有效月份为202501" in page and "2026-03-01 16:00" in page
    )  # 北京时间
    assert client.get(f"/notices/{notice_set['other_unit']}").status_code == 404
    assert client.get(f"/notices/{notice_set['other_province']}").status_code == 404
    assert client.get("/notices/99999").status_code == 404


def test_staff_see_public_notices_of_their_area(client, staff, notice_set):
    login(client, staff["anshan"], staff=True)
    page = client.get("/notices").get_data(as_text=True)
    assert "鞍山市残联通知公告" in page and "辽宁省残联" in page and "关于做好2025年度" in page
    assert "林贤最" not in page and "浙江省残联" not in page


def test_notices_api(app, employer, notice_set):
    client = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {api_token(client, employer['login'])}"}
    body = client.get("/api/v1/notices?q=通知", headers=headers).get_json()
    titles = [n["title"] for n in body["items"]]
    assert body["total"] == 4 and body["page"] == 1 and body["pages"] == 1
    assert titles[0] == "鞍山市残联通知公告"  # newest first
    assert "body" not in body["items"][0]
    detail = client.get(f"/api/v1/notices/{notice_set['own']}", headers=headers).get_json()
    assert detail["body"] == "有效月份为202501" and detail["public"] is False
    assert detail["created_at"].startswith("2026-03-01T08:00:00")
    assert (
        client.get(f"/api/v1/notices/{notice_set['other_unit']}", headers=headers).status_code
        == 404
    )
    assert client.get("/api/v1/notices").status_code == 401


def test_notify_unit_rules(db, employer):
    with db() as session:
        with pytest.raises(NotFound):
            notices.notify_unit(session, 9999, "标题", "")
        with pytest.raises(DomainError, match="请填写通知标题"):
            notices.notify_unit(session, employer["unit_id"], "  ", "")
        latest = notices.notify_unit(session, employer["unit_id"], "最新通知", "正文")
        unit = session.get(
            __import__("casework.models", fromlist=["Unit"]).Unit, employer["unit_id"]
        )
        assert notices.latest_for_unit(session, unit, limit=3)[0].id == latest.id
