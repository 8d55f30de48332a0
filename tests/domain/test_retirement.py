from datetime import date

import pytest

from domain.errors import DomainError
from domain.retirement import (
    format_age_months,
    in_working_age,
    retirement_age_months,
    retirement_date,
    track_for,
    working_age_reason,
    working_age_start,
)


@pytest.mark.parametrize(
    ("birth", "sex", "track", "age", "expected"),
    [
        # men: 60, +1 month per 4 birth months from 1965-01, at most 36 (63)
        (date(1964, 12, 31), "男", "default", "60岁", date(2024, 12, 31)),
        (date(1965, 1, 1), "男", "default", "60岁1个月", date(2025, 2, 1)),
        (date(1965, 4, 30), "男", "default", "60岁1个月", date(2025, 5, 30)),
        (date(1965, 5, 10), "男", "default", "60岁2个月", date(2025, 7, 10)),
        (date(1965, 7, 31), "男", "default", "60岁2个月", date(2025, 9, 30)),
        (date(1965, 12, 31), "男", "default", "60岁3个月", date(2026, 3, 31)),
        (date(1976, 8, 1), "男", "default", "62岁11个月", date(2039, 7, 1)),
        (date(1976, 9, 1), "男", "default", "63岁", date(2039, 9, 1)),
        (date(1990, 6, 6), "男", "worker", "63岁", date(2053, 6, 6)),
        # women, original 55 (default "cadre" track): from 1970-01, +1 per 4, max 36 (58)
        (date(1969, 12, 15), "女", "default", "55岁", date(2024, 12, 15)),
        (date(1970, 1, 15), "女", "default", "55岁1个月", date(2025, 2, 15)),
        (date(1970, 12, 20), "女", "cadre", "55岁3个月", date(2026, 3, 20)),
        (date(1981, 9, 1), "女", "cadre", "58岁", date(2039, 9, 1)),
        # women, original 50 ("worker" track): from 1975-01, +1 per 2, max 60 (55)
        (date(1974, 12, 1), "女", "worker", "50岁", date(2024, 12, 1)),
        (date(1975, 1, 1), "女", "worker", "50岁1个月", date(2025, 2, 1)),
        (date(1975, 3, 1), "女", "worker", "50岁2个月", date(2025, 5, 1)),
        (date(1984, 10, 1), "女", "worker", "54岁11个月", date(2039, 9, 1)),
        (date(1984, 11, 1), "女", "worker", "55岁", date(2039, 11, 1)),
        (date(1995, 1, 1), "女", "worker", "55岁", date(2050, 1, 1)),
        (date(1960, 2, 29), "女", "worker", "50岁", date(2010, 2, 28)),
    ],
)
def test_retirement_steps_of_the_2024_decision(birth, sex, track, age, expected):
    assert format_age_months(retirement_age_months(birth, sex, track)) == age
    assert retirement_date(birth, sex, track) == expected


def test_men_ignore_the_female_track():
    assert track_for("男", "worker").key == "male"


@pytest.mark.parametrize(("sex", "track"), [("X", "default"), ("", "default"), ("女", "teacher")])
def test_bad_sex_or_track_is_a_domain_error(sex, track):
    with pytest.raises(DomainError):
        retirement_date(date(1970, 1, 1), sex, track)


def test_sixteenth_birthday():
    assert working_age_start(date(2009, 3, 15)) == date(2025, 3, 15)
    assert working_age_start(date(2008, 2, 29)) == date(2024, 2, 29)
    assert working_age_start(date(2004, 2, 29)) == date(2020, 2, 29)


@pytest.mark.parametrize(
    ("birth", "sex", "year", "month", "track", "expected"),
    [
        # 16th birthday mid-month: the month counts, the one before does not
        (date(2009, 3, 15), "女", 2025, 2, "default", False),
        (date(2009, 3, 15), "女", 2025, 3, "default", True),
        (date(2009, 3, 31), "男", 2025, 3, "default", True),
        (date(2009, 4, 1), "男", 2025, 3, "default", False),
        (date(2009, 4, 1), "男", 2025, 4, "default", True),
        # retirement in the month: still working that month, not the next
        (date(1965, 1, 15), "男", 2025, 2, "default", True),
        (date(1965, 1, 15), "男", 2025, 3, "default", False),
        (date(1965, 1, 1), "男", 2025, 2, "default", True),
        (date(1965, 1, 1), "男", 2025, 3, "default", False),
        (date(1964, 12, 31), "男", 2024, 12, "default", True),
        (date(1964, 12, 31), "男", 2025, 1, "default", False),
        (date(1965, 5, 10), "男", 2025, 7, "default", True),
        (date(1965, 5, 10), "男", 2025, 8, "default", False),
        # born 1970-12: the old rule would retire her in 2025-12; the new one in 2026-03
        (date(1970, 12, 20), "女", 2025, 12, "cadre", True),
        (date(1970, 12, 20), "女", 2026, 3, "cadre", True),
        (date(1970, 12, 20), "女", 2026, 4, "cadre", False),
        # same woman on the worker track retired long ago (50 in 2020)
        (date(1970, 12, 20), "女", 2025, 1, "worker", False),
        (date(1975, 1, 10), "女", 2025, 2, "worker", True),
        (date(1975, 1, 10), "女", 2025, 3, "worker", False),
    ],
)
def test_in_working_age(birth, sex, year, month, track, expected):
    assert in_working_age(birth, sex, year, month, track) is expected
    assert (working_age_reason(birth, sex, year, month, track) is None) is expected


def test_working_age_reasons_in_chinese():
    assert working_age_reason(date(2009, 4, 1), "男", 2025, 3) == "未满16周岁"
    assert (
        working_age_reason(date(1965, 1, 15), "男", 2025, 3)
        == "已于2025-02-15达到法定退休年龄（60岁1个月）"
    )
