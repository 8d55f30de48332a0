from decimal import Decimal

import pytest

from domain.counting import count_case, count_from_results, count_person, format_ratio
from domain.facts import CertificateKind
from domain.month_check import MonthResult


def test_person_of_001_grade_two_eight_months():
    # 001: 安置登记 8 / 安置确认 8 / 安置核定 16
    person = count_person(range(5, 13), range(5, 13), 2)
    assert (person.registered_months, person.confirmed_months, person.approved_months) == (8, 8, 16)
    assert person.rejected_months == 0


def test_only_ticked_and_confirmed_months_count():
    person = count_person({1, 2, 3, 4}, {2, 3, 9}, 1)
    assert person.registered_months == 4
    assert person.confirmed_months == 2
    assert person.approved_months == 2
    assert person.rejected_months == 2


def test_weight_per_month_after_a_regrade():
    person = count_person(range(1, 13), range(1, 13), {m: 2 if m <= 3 else 1 for m in range(1, 13)})
    assert (person.severe_months, person.other_months, person.approved_months) == (3, 9, 15)


def row(month: int, grade: int, kind=CertificateKind.DISABLED) -> MonthResult:
    return MonthResult(2025, month, *([True] * 8), certificate_kind=kind, certificate_grade=grade)


def test_count_from_grid_uses_each_months_certificate():
    results = [row(m, 1 if m < 7 else 3) for m in range(1, 13)]
    person = count_from_results(results, range(1, 13), range(1, 13))
    assert person.approved_months == 18
    veteran = [row(m, 3, CertificateKind.VETERAN) for m in range(1, 13)]
    assert count_from_results(veteran, range(1, 13), range(1, 13)).approved_months == 24


def test_case_totals_and_the_sentence_of_001():
    people = [
        count_person(range(5, 13), range(5, 13), 2),
        count_person(range(1, 13), range(1, 13), 1),
        count_person([], [], 1),  # added but nothing ticked: not 登记
    ]
    case = count_case(people)
    assert case.people == 2
    assert case.confirmed_months == 20
    assert case.approved_months == 28
    assert case.summary() == "本次累计安置确认 20 个月，累计安置核定 28 个月"
    assert case.actual_persons == Decimal("2.33")
    assert case.actual_ratio(100) == Decimal("0.0233")
    assert case.actual_ratio(0) is None


def test_empty_case():
    case = count_case([])
    assert (case.people, case.approved_months, case.actual_persons) == (0, 0, Decimal("0.00"))


@pytest.mark.parametrize(("ratio", "text"), [(Decimal("0.015"), "1.5%"), (Decimal("0.02"), "2%"), (Decimal("0.0175"), "1.75%")])
def test_format_ratio_like_the_home_page(ratio, text):
    assert format_ratio(ratio) == text
