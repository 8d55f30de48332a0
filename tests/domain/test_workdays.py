from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.errors import DomainError
from domain.workdays import (
    HolidayTable,
    add_working_days,
    calendar_warnings,
    is_working_day,
    working_days_between,
)

CST = timezone(timedelta(hours=8))
WARNING_2027 = "2027年节假日安排尚未维护，已按周一至周五计算"


def test_national_day_2025_ten_working_days():
    result = add_working_days(datetime(2025, 9, 26, 10, 0, tzinfo=CST), 10)
    assert result.due == datetime(2025, 10, 16, 10, 0, tzinfo=CST)
    assert result.warnings == []


def test_spring_festival_2025_with_make_up_sunday():
    # Fri 01-24: Sun 01-26 is a make-up working day, 01-28..02-04 is the holiday
    result = add_working_days(datetime(2025, 1, 24, 9, 30, tzinfo=CST), 3)
    assert result.due == datetime(2025, 2, 5, 9, 30, tzinfo=CST)


@pytest.mark.parametrize(
    ("n", "due"),
    [(0, date(2025, 9, 26)), (1, date(2025, 9, 28)), (3, date(2025, 9, 30)), (4, date(2025, 10, 9))],
)
def test_each_step_around_national_day(n, due):
    result = add_working_days(datetime(2025, 9, 26, 10, 0, tzinfo=CST), n)
    assert result.due.date() == due


def test_time_zone_of_the_caller_is_kept_and_the_day_is_chinese():
    utc = UTC
    result = add_working_days(datetime(2025, 9, 26, 2, 0, tzinfo=utc), 10)
    assert result.due == datetime(2025, 10, 16, 2, 0, tzinfo=utc)
    # 17:00 UTC on the 25th is already 01:00 on the 26th in Beijing
    late = add_working_days(datetime(2025, 9, 25, 17, 0, tzinfo=utc), 10)
    assert late.due == datetime(2025, 10, 16, 1, 0, tzinfo=CST)


def test_naive_datetime_is_taken_as_beijing_time():
    result = add_working_days(datetime(2025, 9, 26, 10, 0), 10)
    assert result.due == datetime(2025, 10, 16, 10, 0)
    assert result.due.tzinfo is None


def test_negative_n_is_refused():
    with pytest.raises(ValueError):
        add_working_days(datetime(2025, 1, 1), -1)


def test_deadline_crossing_into_2027_without_a_table_falls_back_with_a_warning():
    result = add_working_days(datetime(2026, 12, 28, 10, 0, tzinfo=CST), 5)
    # 12-29, 12-30, 12-31, then Friday 2027-01-01 counted as Mon–Fri, then Mon 01-04
    assert result.due == datetime(2027, 1, 4, 10, 0, tzinfo=CST)
    assert result.warnings == [WARNING_2027]


def test_deadline_crossing_into_2027_with_a_table_entry():
    table = HolidayTable.from_dict({"holidays": ["2027-01-01"], "workdays": []})
    result = add_working_days(datetime(2026, 12, 28, 10, 0, tzinfo=CST), 5, table)
    assert result.due == datetime(2027, 1, 5, 10, 0, tzinfo=CST)
    assert result.warnings == []


def test_table_make_up_day_in_an_unknown_year():
    table = HolidayTable()
    table.add_workday(date(2027, 1, 2))  # a Saturday declared a working day
    assert is_working_day(date(2027, 1, 2), table)
    assert not is_working_day(date(2027, 1, 3), table)
    assert is_working_day(date(2027, 1, 1), table)  # year maintained, not a listed holiday
    assert not is_working_day(date(2027, 1, 2))


def test_year_listed_without_dates_is_maintained():
    table = HolidayTable(years={2028})
    assert calendar_warnings(date(2028, 1, 1), date(2028, 12, 31), table) == []
    assert calendar_warnings(date(2027, 6, 1), date(2028, 6, 1), table) == [WARNING_2027]


def test_table_overrides_the_package_for_known_years():
    table = HolidayTable()
    assert not is_working_day(date(2025, 10, 6))
    table.add_workday(date(2025, 10, 6))
    assert is_working_day(date(2025, 10, 6), table)
    table.add_holiday(date(2025, 10, 6))
    assert not is_working_day(date(2025, 10, 6), table)
    assert date(2025, 10, 6) not in table.workdays


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 9, 28), True),  # Sunday make-up day
        (date(2025, 10, 1), False),
        (date(2025, 10, 11), True),  # Saturday make-up day
        (date(2025, 10, 12), False),
        (date(2026, 2, 16), False),  # 2026 Spring Festival
        (date(2026, 2, 14), True),  # its make-up Saturday
        (date(2027, 1, 4), True),  # fallback Monday
        (date(2027, 1, 9), False),  # fallback Saturday
        (date(2003, 6, 2), True),  # before the package's range: Monday
    ],
)
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


def test_working_days_between_matches_add_working_days():
    start = datetime(2025, 9, 26, 10, 0, tzinfo=CST)
    due = add_working_days(start, 10).due
    assert working_days_between(start, due) == 10
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 16)) == 10
    assert working_days_between(date(2025, 10, 16), date(2025, 9, 26)) == -10
    assert working_days_between(date(2025, 10, 1), date(2025, 10, 1)) == 0
    assert working_days_between(date(2026, 12, 31), date(2027, 1, 8)) == 6


def test_table_round_trip():
    table = HolidayTable(holidays={date(2027, 1, 1)}, workdays={date(2027, 2, 6)}, years={2027})
    data = table.to_dict()
    assert data == {"years": [2027], "holidays": ["2027-01-01"], "workdays": ["2027-02-06"]}
    assert HolidayTable.from_dict(data) == table


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"holidays": ["2027-02-30"]}, "日期格式错误"),
        ({"workdays": ["tomorrow"]}, "日期格式错误"),
        ({"holidays": ["2027-01-01"], "workdays": ["2027-01-01"]}, "既是节假日又是调休工作日"),
        ({"years": ["twenty"]}, "年份须为整数"),
    ],
)
def test_bad_table_is_a_domain_error(data, fragment):
    with pytest.raises(DomainError, match=fragment):
        HolidayTable.from_dict(data)


def test_far_future_never_crashes():
    result = add_working_days(datetime(2030, 5, 1, 8, 0, tzinfo=CST), 20)
    assert result.due.date() == date(2030, 5, 29)
    assert result.warnings == ["2030年节假日安排尚未维护，已按周一至周五计算"]
