from datetime import date

import pytest

from domain.certificate import (
    InvalidCertificateNumber,
    category_code,
    category_name,
    counts_for_quota,
    grade_name,
    is_new_certificate,
    is_valid_certificate_number,
    mask_certificate_number,
    needs_historical_certificate,
    parse_certificate_number,
    uncovered_months,
    weight,
)
from domain.facts import CertificateFact, CertificateKind
from domain.id_number import check_character

SEED_002 = "31023019690109371864B1"  # 002 残疾证管理: 四级 精神残疾
ID_002 = "310230196901093718"


def make_id(first17: str) -> str:
    return first17 + check_character(first17)


def cert(
    valid_from: date,
    valid_to: date,
    kind: CertificateKind = CertificateKind.DISABLED,
    grade: int = 2,
    category: str = "肢体",
    source: str = "registry",
) -> CertificateFact:
    return CertificateFact("x", kind, category, grade, valid_from, valid_to, source)


def test_seed_002_number_decodes_to_grade_four_mental():
    info = parse_certificate_number(SEED_002, id_number=ID_002)
    assert info.id_number == ID_002
    assert (info.category, info.grade, info.suffix) == (6, 4, "B1")
    assert info.category_name == "精神残疾"
    assert info.grade_name == "四级"


def test_seed_001_multiple_disability_grade_two():
    holder = make_id("12010519900207123")
    info = parse_certificate_number(holder + "72")
    assert info.category_name == "多重残疾"
    assert info.grade_name == "二级"
    assert info.suffix == ""


def test_lowercase_suffix_and_spaces_are_normalized():
    info = parse_certificate_number(f"  {SEED_002.lower()} ")
    assert info.suffix == "B1"


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("", "请输入残疾人证号"),
        (ID_002, "应为20位"),
        (ID_002 + "6", "当前为19位"),
        (ID_002 + "64B", "当前为21位"),
        (ID_002 + "64B1X", "当前为23位"),
        ("310230196901093719" + "64", "校验位错误"),
        ("310230196913093718" + "64", "出生日期不存在"),
        (ID_002 + "84", "残疾类别"),
        (ID_002 + "04", "残疾类别"),
        (ID_002 + "X4", "残疾类别"),
        (ID_002 + "65", "残疾等级，应为1至4，当前为5"),
        (ID_002 + "60", "残疾等级"),
        (ID_002 + "641B", "补办标识"),
        (ID_002 + "64BB", "补办标识"),
    ],
)
def test_bad_numbers_raise_chinese_messages(number, fragment):
    with pytest.raises(InvalidCertificateNumber) as caught:
        parse_certificate_number(number)
    assert fragment in caught.value.message
    assert caught.value.field == "certificate_number"


def test_number_of_another_person_is_refused():
    other = make_id("11010119700101002")
    with pytest.raises(InvalidCertificateNumber, match="不一致"):
        parse_certificate_number(SEED_002, id_number=other)


def test_holder_match_ignores_case_of_x():
    holder = make_id("21030219650115301")
    assert holder.endswith("X")
    info = parse_certificate_number(holder + "41", id_number=holder.lower())
    assert info.id_number == holder


def test_is_valid_certificate_number():
    assert is_valid_certificate_number(SEED_002)
    assert not is_valid_certificate_number(SEED_002[:-3])


@pytest.mark.parametrize(
    ("kind", "grade", "expected"),
    [
        (CertificateKind.DISABLED, 1, 2),
        (CertificateKind.DISABLED, 2, 2),
        (CertificateKind.DISABLED, 3, 1),
        (CertificateKind.DISABLED, 4, 1),
        (CertificateKind.VETERAN, 1, 2),
        (CertificateKind.VETERAN, 3, 2),
        (CertificateKind.VETERAN, 4, 1),
        (CertificateKind.VETERAN, 8, 1),
    ],
)
def test_weight_counts_severe_holders_twice(kind, grade, expected):
    assert weight(kind, grade) == expected


@pytest.mark.parametrize(
    ("kind", "category", "grade", "expected"),
    [
        (CertificateKind.DISABLED, "精神", 4, True),
        (CertificateKind.DISABLED, "精神残疾", 1, True),
        (CertificateKind.DISABLED, 7, 2, True),
        (CertificateKind.DISABLED, "7", 2, True),
        (CertificateKind.DISABLED, "肢体", 5, False),
        (CertificateKind.DISABLED, "肢体", 0, False),
        (CertificateKind.DISABLED, "伤残", 2, False),
        (CertificateKind.DISABLED, 8, 2, False),
        (CertificateKind.VETERAN, "伤残", 8, True),
        (CertificateKind.VETERAN, "伤残", 1, True),
        (CertificateKind.VETERAN, "伤残", 9, False),
    ],
)
def test_counts_for_quota(kind, category, grade, expected):
    assert counts_for_quota(kind, category, grade) is expected


def test_category_and_grade_names():
    assert category_code("听力") == 2
    assert category_code(True) is None
    assert category_name(3) == "言语残疾"
    assert category_name("伤残") == "伤残"
    assert [grade_name(g) for g in (1, 4, 8)] == ["一级", "四级", "八级"]


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        (SEED_002, "31023019*****9371864B1"),
        (ID_002 + "64", "31023019*****937186" + "4"),
        ("1234", "****"),
    ],
)
def test_mask_like_the_seeds(number, masked):
    assert mask_certificate_number(number) == masked


def test_mask_keeps_length():
    assert len(mask_certificate_number(SEED_002)) == len(SEED_002)


@pytest.mark.parametrize(
    ("valid_from", "expected"),
    [
        (date(2020, 12, 28), False),
        (date(2025, 1, 1), False),
        (date(2025, 1, 2), True),
        (date(2025, 7, 1), True),
        (date(2025, 12, 31), True),
        (date(2026, 1, 5), False),
    ],
)
def test_is_new_certificate(valid_from, expected):
    assert is_new_certificate(cert(valid_from, date(2035, 1, 1)), 2025) is expected


def test_historical_certificate_needed_when_new_card_leaves_early_months_open():
    new = cert(date(2025, 6, 15), date(2035, 6, 14))
    assert uncovered_months([new], 2025) == [1, 2, 3, 4, 5]
    assert needs_historical_certificate([new], 2025)
    old = cert(date(2015, 6, 15), date(2025, 6, 14))
    assert uncovered_months([old, new], 2025) == []
    assert not needs_historical_certificate([old, new], 2025)


def test_no_historical_certificate_needed_for_old_card_or_none():
    assert not needs_historical_certificate([cert(date(2020, 1, 10), date(2030, 1, 9))], 2025)
    assert not needs_historical_certificate([], 2025)


def test_certificate_valid_for_one_day_covers_the_month():
    expired = cert(date(2015, 3, 1), date(2025, 3, 1))
    assert uncovered_months([expired], 2025) == list(range(4, 13))
