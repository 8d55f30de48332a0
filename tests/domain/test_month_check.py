from dataclasses import replace
from datetime import date

import pytest

from domain.errors import DomainError
from domain.facts import (
    CertificateFact,
    CertificateKind,
    ContractFact,
    MonthlyPayment,
    OtherPlacement,
    PersonFact,
    YearFacts,
)
from domain.month_check import (
    CHECKS,
    FixedMonthParams,
    MonthResult,
    ShippedMonthParams,
    certificate_for_month,
    check_certificate,
    check_certificate_type,
    check_contract,
    check_medical,
    check_no_other_unit,
    check_pension,
    check_wage,
    check_working_age,
    check_year,
)

UNIT = "91210300MA0000001A"
SUBSIDIARY = "91210300MA0000002B"
STRANGER = "91330100MA0000009X"
YEAR = 2025
MINIMUM = FixedMonthParams(wage=2000.0)


def certificate(**changes) -> CertificateFact:
    base = CertificateFact(
        number="21030219800101301X42",
        kind=CertificateKind.DISABLED,
        category="肢体",
        grade=2,
        valid_from=date(2020, 12, 28),
        valid_to=date(2030, 12, 28),
    )
    return replace(base, **changes)


def contract(**changes) -> ContractFact:
    base = ContractFact(
        start=date(2024, 1, 1),
        end=date(2026, 12, 31),
        dispatched=False,
        relation="本单位",
        monthly_wage=3000.0,
        pension_unit=UNIT,
        medical_unit=UNIT,
        wage_unit=UNIT,
    )
    return replace(base, **changes)


def monthly(unit: str = UNIT, amount: float = 0.0, months=range(1, 13)) -> list[MonthlyPayment]:
    return [MonthlyPayment(m, unit, amount) for m in months]


def facts(**changes) -> YearFacts:
    person = PersonFact(
        id_number="21030219800101301X",
        name="张三",
        sex="男",
        birth_date=date(1980, 1, 1),
        household_region="210302",
        household_address="鞍山市铁东区",
    )
    base = YearFacts(
        year=YEAR,
        unit_code=UNIT,
        unit_region="210302",
        person=person,
        certificates=[certificate()],
        contracts=[contract()],
        pension=monthly(),
        medical=monthly(),
        wages=monthly(amount=3000.0),
        accepted_units=frozenset({UNIT, SUBSIDIARY}),
    )
    return replace(base, **changes)


def test_a_regular_year_passes_every_month():
    results = check_year(facts(), MINIMUM)
    assert [r.month for r in results] == list(range(1, 13))
    assert all(r.passed for r in results)
    assert all(r.reasons == [] for r in results)
    assert {(r.certificate_kind, r.certificate_grade, r.grade_label) for r in results} == {
        (CertificateKind.DISABLED, 2, "二级")
    }
    assert results[2].label == "202503"
    assert results[0].weight == 2


def test_passed_is_derived_and_cannot_disagree():
    row = MonthResult(YEAR, 1, True, True, True, True, True, True, True, False)
    assert row.passed is False
    assert row.failed_checks == ["no_other_unit"]


# --- 工资信息 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wages", "ok", "reason"),
    [
        (monthly(amount=2000.0), True, None),
        (monthly(amount=1999.99), False, "2025年3月工资1999.99元低于当地最低工资标准2000.00元"),
        ([MonthlyPayment(3, UNIT, 1200.0), MonthlyPayment(3, SUBSIDIARY, 800.0)], True, None),
        ([MonthlyPayment(3, STRANGER, 9000.0)], False, "2025年3月工资发放单位不是本单位或关联单位"),
        ([MonthlyPayment(3, UNIT, 1500.0), MonthlyPayment(3, STRANGER, 900.0)], False, "低于"),
        (monthly(amount=3000.0, months=[1, 2, 4]), False, "2025年3月无工资发放记录"),
    ],
)
def test_wage_check(wages, ok, reason):
    outcome = check_wage(facts(wages=wages), 3, 2000.0)
    assert outcome.ok is ok
    if reason:
        assert reason in outcome.reason


def test_wage_check_uses_the_minimum_wage_of_the_units_region_and_month():
    seen = []

    class Recording(FixedMonthParams):
        def minimum_wage(self, region_code, year, month):
            seen.append((region_code, year, month))
            return 2100.0 if month >= 7 else 1900.0

    results = check_year(facts(wages=monthly(amount=2000.0)), Recording(wage=0))
    assert [r.wage for r in results] == [True] * 6 + [False] * 6
    assert results[6].reasons == ["2025年7月工资2000.00元低于当地最低工资标准2100.00元"]
    assert seen[0] == ("210302", 2025, 1)
    assert len(seen) == 12


def test_missing_minimum_wage_does_not_crash_the_grid():
    class Missing(FixedMonthParams):
        def minimum_wage(self, region_code, year, month):
            raise DomainError("未维护广东省2025年1月适用的最低工资标准")

    results = check_year(facts(), Missing(wage=0))
    assert not any(r.wage for r in results)
    assert results[0].reasons == ["未维护广东省2025年1月适用的最低工资标准，需人工审核"]


# --- 社保 / 医保 ------------------------------------------------------------------


@pytest.mark.parametrize("check", [check_pension, check_medical])
def test_insurance_from_related_unit_counts(check):
    f = facts(pension=monthly(SUBSIDIARY), medical=monthly(SUBSIDIARY))
    assert check(f, 5).ok


def test_insurance_messages():
    f = facts(pension=monthly(months=[1]), medical=monthly(STRANGER))
    assert check_pension(f, 2).reason == "2025年2月无养老保险缴费记录"
    assert check_medical(f, 2).reason == "2025年2月医疗保险参保单位不是本单位或关联单位"


def test_unit_itself_is_accepted_even_if_not_listed():
    f = facts(accepted_units=frozenset())
    assert all(r.passed for r in check_year(f, MINIMUM))


# --- 残疾证 ------------------------------------------------------------------------


def test_certificate_expiring_mid_year():
    f = facts(certificates=[certificate(valid_to=date(2025, 6, 1))])
    results = check_year(f, MINIMUM)
    assert [r.certificate for r in results] == [True] * 6 + [False] * 6
    assert [r.certificate_type for r in results] == [True] * 6 + [False] * 6
    assert results[6].certificate_kind is None
    assert results[6].reasons == ["2025年7月无有效残疾证件", "2025年7月无可计入按比例就业的残疾证件"]


def test_manual_certificate_needs_review():
    f = facts(certificates=[certificate(source="manual")])
    outcome = check_certificate(f, 1)
    assert not outcome.ok
    assert "手动添加" in outcome.reason
    # a registry certificate in the same month is enough
    both = facts(certificates=[certificate(source="manual"), certificate(grade=3)])
    assert check_certificate(both, 1).ok


def test_veteran_certificate_grade_eight_counts_once():
    f = facts(certificates=[certificate(kind=CertificateKind.VETERAN, category="伤残", grade=8)])
    results = check_year(f, MINIMUM)
    assert all(r.passed for r in results)
    assert results[0].weight == 1
    assert results[0].grade_label == "八级"


def test_certificate_of_a_grade_that_does_not_count():
    f = facts(certificates=[certificate(grade=5)])
    outcome = check_certificate_type(f, 1)
    assert not outcome.ok
    assert outcome.reason == "2025年1月残疾证件类型或等级不计入按比例就业（残疾人证肢体残疾五级）"
    assert check_certificate(f, 1).ok


def test_regrade_mid_month_shows_the_certificate_in_force_longer():
    old = certificate(grade=2, valid_to=date(2025, 3, 10))
    new = certificate(grade=3, valid_from=date(2025, 3, 11), valid_to=date(2035, 3, 10))
    f = facts(certificates=[old, new])
    assert certificate_for_month(f, 2).grade == 2
    assert certificate_for_month(f, 3).grade == 3
    assert certificate_for_month(f, 4).grade == 3
    results = check_year(f, MINIMUM)
    assert [r.weight for r in results[:4]] == [2, 2, 1, 1]


def test_counting_certificate_preferred_over_non_counting_one():
    wrong = certificate(grade=6, valid_from=date(2025, 1, 1))
    right = certificate(grade=4, valid_to=date(2025, 1, 5))
    f = facts(certificates=[wrong, right])
    assert certificate_for_month(f, 1).grade == 4
    assert check_certificate_type(f, 1).ok
    assert not check_certificate_type(f, 2).ok


# --- 就业年龄段 --------------------------------------------------------------------


def test_man_retiring_in_2025_stops_after_the_month_he_retires():
    person = replace(facts().person, birth_date=date(1965, 5, 10))
    results = check_year(facts(person=person), MINIMUM)
    assert [r.working_age for r in results] == [True] * 7 + [False] * 5
    assert results[7].reasons == ["2025年8月不在法定就业年龄段内（已于2025-07-10达到法定退休年龄（60岁2个月））"]


@pytest.mark.parametrize(("track", "months_in"), [("cadre", 12), ("worker", 0)])
def test_female_track_comes_from_the_params(track, months_in):
    person = replace(facts().person, sex="女", birth_date=date(1970, 12, 20))
    results = check_year(facts(person=person), FixedMonthParams(wage=2000.0, female_track=track))
    assert sum(r.working_age for r in results) == months_in


def test_unknown_sex_goes_to_review_instead_of_crashing():
    person = replace(facts().person, sex="")
    results = check_year(facts(person=person), MINIMUM)
    assert not any(r.working_age for r in results)
    assert results[0].reasons == ["2025年1月无法判断就业年龄段：性别应为男或女，当前为空"]


def test_young_worker_starts_in_the_month_of_the_sixteenth_birthday():
    person = replace(facts().person, birth_date=date(2009, 6, 30))
    f = facts(person=person)
    assert not check_working_age(f, 5).ok
    assert check_working_age(f, 6).ok


# --- 合同 --------------------------------------------------------------------------


def test_contract_covering_part_of_a_month_counts():
    f = facts(contracts=[contract(start=date(2025, 3, 31), end=date(2025, 5, 1))])
    assert [check_contract(f, m).ok for m in range(1, 7)] == [False, False, True, True, True, False]
    assert check_contract(f, 1).reason == "2025年1月无有效劳动合同或劳务派遣协议"


def test_no_contract_at_all():
    results = check_year(facts(contracts=[]), MINIMUM)
    assert not any(r.contract or r.passed for r in results)


# --- 无其他单位安置 (002) -------------------------------------------------------------


def test_other_unit_counting_the_same_person():
    placements = [OtherPlacement(4, STRANGER), OtherPlacement(5, SUBSIDIARY)]
    f = facts(other_placements=placements)
    assert check_no_other_unit(f, 4).reason == f"2025年4月已由其他单位（{STRANGER}）安置登记"
    assert check_no_other_unit(f, 5).ok
    results = check_year(f, MINIMUM)
    assert [r.month for r in results if not r.passed] == [4]


def test_one_reason_per_failed_check_in_grid_order():
    f = facts(
        wages=[],
        pension=[],
        medical=[],
        certificates=[],
        contracts=[],
        other_placements=[OtherPlacement(1, STRANGER)],
        person=replace(facts().person, birth_date=date(1950, 1, 1)),
    )
    row = check_year(f, MINIMUM)[0]
    assert row.failed_checks == list(CHECKS)
    assert len(row.reasons) == len(CHECKS)
    assert row.reasons[0].startswith("2025年1月无工资")


def test_shipped_params_lookup_for_anshan():
    # 鞍山市区 2025: 1900 yuan (demo data) — 1899 fails, 1900 passes
    low = check_year(facts(wages=monthly(amount=1899.0)), ShippedMonthParams())
    ok = check_year(facts(wages=monthly(amount=1900.0)))
    assert not any(r.wage for r in low)
    assert all(r.passed for r in ok)
