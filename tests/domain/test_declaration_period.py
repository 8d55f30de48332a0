"""申报期 of a case on a day: the states the 首页 shows and the refusal the diagram's
检查申报条件 reports (000 鞍山 Mar 1 – Oct 31; 003 浙江 Mar 1 – Dec 31, concentrated Apr 1 – Jun 30)."""

from __future__ import annotations

from datetime import date

from domain.declaration_period import CLOSED, OPEN, UPCOMING, declaration_period

ANSHAN = "210302"
XIHU = "330106"


def test_anshan_2025_is_declared_from_march_to_october_2026():
    period = declaration_period(ANSHAN, 2025, date(2026, 4, 15))
    assert (period.start, period.end, period.concentrated) == (date(2026, 3, 1), date(2026, 10, 31), None)
    assert (period.state, period.days_left, period.status_text) == (OPEN, 199, "距申报截止还有199天")
    assert period.refusal() == ""
    assert period.province_name == "辽宁省"


def test_anshan_after_and_before_the_window():
    closed = declaration_period(ANSHAN, 2025, date(2026, 11, 2))
    assert (closed.state, closed.days_left, closed.status_text) == (CLOSED, None, "本年度申报期已结束")
    assert closed.refusal() == "不在申报期内：辽宁省2025年度按比例就业情况申报期为2026年3月1日至2026年10月31日"

    early = declaration_period(ANSHAN, 2025, date(2026, 2, 1))
    assert (early.state, early.days_to_start) == (UPCOMING, 28)
    assert early.status_text == "申报期尚未开始（28天后开始）"
    assert early.refusal() == closed.refusal()
    # during the business year itself nothing can be declared yet
    assert declaration_period(ANSHAN, 2025, date(2025, 12, 31)).state == UPCOMING


def test_last_and_first_day_are_inside():
    last = declaration_period(ANSHAN, 2025, date(2026, 10, 31))
    assert (last.state, last.days_left) == (OPEN, 0)
    assert "今天是申报期最后一天" in last.status_text
    assert declaration_period(ANSHAN, 2025, date(2026, 3, 1)).is_open


def test_zhejiang_is_open_on_2026_11_02_with_a_concentrated_period():
    period = declaration_period(XIHU, 2025, date(2026, 11, 2))
    assert (period.state, period.days_left, period.refusal()) == (OPEN, 59, "")
    assert period.province_name == "浙江省"
    assert period.concentrated == (date(2026, 4, 1), date(2026, 6, 30))
    assert period.concentrated_text == "2026年4月1日至2026年6月30日"
    assert not period.in_concentrated
    assert declaration_period(XIHU, 2025, date(2026, 6, 30)).in_concentrated


def test_an_earlier_business_year_looks_at_its_own_window():
    period = declaration_period(ANSHAN, 2024, date(2026, 4, 15))
    assert (period.start, period.end, period.state) == (date(2025, 3, 1), date(2025, 10, 31), CLOSED)
