"""残疾人证 / 残疾军人证: number format, category and grade names, and who counts for the quota.

The second-generation 残疾人证号 is the holder's 18-character 身份证号, one digit of
category (1 视力 … 7 多重) and one digit of grade (1–4); a reissued card carries a suffix
such as ``B1`` (002 shows ``31023019690109371864B1``: 精神残疾 四级; 001 shows a 多重残疾
二级 number ending ``72``). 000 says which certificates count (残疾人证 of the seven
categories, 残疾军人证 1–8级) and which count twice (残疾人证 1–2级, 残疾军人证 1–3级).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from domain.errors import DomainError
from domain.facts import CertificateFact, CertificateKind
from domain.id_number import InvalidIdNumber, normalize, parse_id_number
from domain.months import overlaps_month

# Category digit of the 残疾人证号 → name, in the order the number encodes them (GB/T 26341).
CATEGORY_NAMES: dict[int, str] = {
    1: "视力残疾",
    2: "听力残疾",
    3: "言语残疾",
    4: "肢体残疾",
    5: "智力残疾",
    6: "精神残疾",
    7: "多重残疾",
}

GRADE_NAMES: dict[int, str] = {
    1: "一级",
    2: "二级",
    3: "三级",
    4: "四级",
    5: "五级",
    6: "六级",
    7: "七级",
    8: "八级",
}

# Grades that count for the quota, per certificate kind (000: 残疾人证 1–4, 残疾军人证 1–8).
COUNTING_GRADES: dict[CertificateKind, range] = {
    CertificateKind.DISABLED: range(1, 5),
    CertificateKind.VETERAN: range(1, 9),
}

# Grades that count as two people (000, 001: 残疾人证 1–2级, 残疾军人证 1–3级).
DOUBLE_COUNT_GRADES: dict[CertificateKind, range] = {
    CertificateKind.DISABLED: range(1, 3),
    CertificateKind.VETERAN: range(1, 4),
}

_SUFFIX = re.compile(r"^[A-Z][0-9]$")
_BASE_LENGTH = 20  # 18-character 身份证号 + category digit + grade digit


class InvalidCertificateNumber(DomainError):
    """The text is not a valid second-generation 残疾人证号."""


@dataclass(frozen=True)
class CertificateInfo:
    """What a 残疾人证号 itself says about its holder and disability."""

    id_number: str
    category: int  # 1–7, see CATEGORY_NAMES
    grade: int  # 1–4
    suffix: str = ""  # reissue mark such as "B1", empty for a first issue

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES[self.category]

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES[self.grade]


def parse_certificate_number(
    number: str, id_number: str | None = None, field: str = "certificate_number"
) -> CertificateInfo:
    """Decode a 残疾人证号, raising InvalidCertificateNumber with a Chinese message.

    When `id_number` is given (安置登记 already knows the holder), the number must belong
    to that person: a certificate typed for somebody else is the commonest mistake.
    """
    text = normalize(number)
    if not text:
        raise InvalidCertificateNumber("请输入残疾人证号", field)
    if len(text) not in (_BASE_LENGTH, _BASE_LENGTH + 2):
        raise InvalidCertificateNumber(
            f"残疾人证号应为20位（补办证为22位，如末尾B1），当前为{len(text)}位", field
        )
    try:
        holder = parse_id_number(text[:18], field)
    except InvalidIdNumber as exc:
        raise InvalidCertificateNumber(
            f"残疾人证号前18位应为持证人身份证号：{exc.message}", field
        ) from None
    if id_number is not None and normalize(id_number) != holder.number:
        raise InvalidCertificateNumber("残疾人证号与持证人身份证号不一致", field)
    category_digit, grade_digit = text[18], text[19]
    if not category_digit.isdigit() or int(category_digit) not in CATEGORY_NAMES:
        raise InvalidCertificateNumber(
            f"残疾人证号第19位为残疾类别，应为1至7（视力、听力、言语、肢体、智力、精神、多重），当前为{category_digit}",
            field,
        )
    if not grade_digit.isdigit() or int(grade_digit) not in COUNTING_GRADES[CertificateKind.DISABLED]:
        raise InvalidCertificateNumber(
            f"残疾人证号第20位为残疾等级，应为1至4，当前为{grade_digit}", field
        )
    suffix = text[20:]
    if suffix and not _SUFFIX.match(suffix):
        raise InvalidCertificateNumber("残疾人证号末尾的补办标识格式不正确，应如B1", field)
    return CertificateInfo(holder.number, int(category_digit), int(grade_digit), suffix)


def is_valid_certificate_number(number: str, id_number: str | None = None) -> bool:
    try:
        parse_certificate_number(number, id_number)
    except InvalidCertificateNumber:
        return False
    return True


def category_code(category: int | str) -> int | None:
    """The category digit for 6, "6", "精神" or "精神残疾"; None when it is none of the seven.

    Registries and forms name the category in all of these ways (facts.CertificateFact
    keeps the short name), so every comparison goes through here.
    """
    if isinstance(category, int) and not isinstance(category, bool):
        return category if category in CATEGORY_NAMES else None
    text = str(category).strip()
    if text.isdigit():
        return category_code(int(text))
    for code, name in CATEGORY_NAMES.items():
        if text in (name, name.removesuffix("残疾")):
            return code
    return None


def category_name(category: int | str) -> str:
    """The display name ("精神残疾") of a category given in any accepted form."""
    code = category_code(category)
    return CATEGORY_NAMES[code] if code is not None else str(category)


def grade_name(grade: int) -> str:
    """一级 … 八级, as the screens of 001 and 002 show grades."""
    return GRADE_NAMES.get(grade, f"{grade}级")


def counts_for_quota(kind: CertificateKind, category: int | str, grade: int) -> bool:
    """Whether the certificate makes its holder a 残疾职工 for the quota (000 一、申请对象).

    残疾人证 must name one of the seven categories with grade 1–4; a 残疾军人证 counts
    at any grade 1–8 whatever its category text says.
    """
    grades = COUNTING_GRADES.get(kind)
    if grades is None or grade not in grades:
        return False
    return kind == CertificateKind.VETERAN or category_code(category) is not None


def weight(kind: CertificateKind, grade: int) -> int:
    """How many people one holder counts as: 2 for 残疾人证 1–2级 or 残疾军人证 1–3级 (000)."""
    return 2 if grade in DOUBLE_COUNT_GRADES.get(kind, range(0)) else 1


def mask_certificate_number(number: str) -> str:
    """Mask as the seeds list it: first 8 characters, 5 stars, the rest from the 14th.

    002: ``31023019*****9371864B1``. Short or odd input is masked entirely rather than
    leaking the middle of an ID number.
    """
    text = normalize(number)
    if len(text) < 14:
        return "*" * len(text)
    return f"{text[:8]}*****{text[13:]}"


def is_new_certificate(cert: CertificateFact, year: int) -> bool:
    """Whether the certificate was first valid after 1 January of the business year.

    001 残疾证管理: a card issued during the business year leaves the earlier months
    without a certificate, so the employer may add the historical one (reviewed by 残联).
    """
    return date(year, 1, 1) < cert.valid_from <= date(year, 12, 31)


def is_valid_in_month(cert: CertificateFact, year: int, month: int) -> bool:
    """Valid on at least one day of the month (001: 残疾证状态 of that month)."""
    return overlaps_month(cert.valid_from, cert.valid_to, year, month)


def uncovered_months(certificates: list[CertificateFact], year: int) -> list[int]:
    """Months of the business year in which no certificate is valid on any day."""
    return [
        m
        for m in range(1, 13)
        if not any(is_valid_in_month(c, year, m) for c in certificates)
    ]


def needs_historical_certificate(certificates: list[CertificateFact], year: int) -> bool:
    """True when a new certificate leaves months before its start uncovered (001 残疾证管理).

    This is the case where the screen invites "添加历史残疾证件信息"; a person with no
    certificate at all needs a current one first, not a historical one.
    """
    new = [c for c in certificates if is_new_certificate(c, year)]
    if not new:
        return False
    first_new_month = min(c.valid_from for c in new).month
    return any(m < first_new_month for m in uncovered_months(certificates, year))
