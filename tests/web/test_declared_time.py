"""已完成申报（…） shows the declaration time in China time, like the table beside it."""

from __future__ import annotations

from datetime import UTC, datetime

from casework import cases
from casework.models import Unit
from tests.web.conftest import login


def test_declared_notice_shows_china_time(app, client, db, employer, settings):
    with db() as session:
        case = cases.open_case(session, app.extensions["quotacert"], session.get(Unit, employer["unit_id"]), settings.business_year)
        case.locked = True
        case.declared_at = datetime(2026, 12, 1, 6, 15, tzinfo=UTC)  # 14:15 in Beijing
    assert login(client, employer["login"]).status_code == 302
    page = client.get("/placements/").get_data(as_text=True)
    assert "已完成申报（2026-12-01 14:15）" in page
    assert "06:15" not in page
