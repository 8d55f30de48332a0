"""身份证号 (GB 11643-1999): 17 digits and an ISO 7064 MOD 11-2 check character.

The number carries the birth date (digits 7–14) and the sex (digit 17: odd is male),
which 安置登记 fills in for the employer; a wrong checksum is a typing error the
employer must see at once, never a crash further down.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.errors import DomainError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"


class InvalidIdNumber(DomainError):
    """The text is not a valid 18-character 身份证号."""


@dataclass(frozen=True)
class IdNumber:
    number: str
    region_code: str
    birth_date: date
    sex: str  # 男 / 女

    def age_on(self, day: date) -> int:
        return age_on(self.birth_date, day)


def check_character(first17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    return (raw or "").strip().upper().replace("x", "X")


def parse_id_number(raw: str, field: str = "id_number") -> IdNumber:
    """Validate and decode a 身份证号, raising InvalidIdNumber with a Chinese message."""
    number = normalize(raw)
    if not number:
        raise InvalidIdNumber("请输入身份证号", field)
    if len(number) != 18:
        raise InvalidIdNumber(f"身份证号应为18位，当前为{len(number)}位", field)
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise InvalidIdNumber("身份证号前17位须为数字，最后一位为数字或X", field)
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdNumber("身份证号中的出生日期不存在", field) from None
    if birth.year < 1900 or birth > date.today():
        raise InvalidIdNumber("身份证号中的出生日期不合理", field)
    if check_character(number[:17]) != number[17]:
        raise InvalidIdNumber("身份证号校验位错误，请核对后重新输入", field)
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return IdNumber(number=number, region_code=number[:6], birth_date=birth, sex=sex)


def is_valid_id_number(raw: str) -> bool:
    try:
        parse_id_number(raw)
    except InvalidIdNumber:
        return False
    return True


def age_on(birth: date, day: date) -> int:
    """Full years of age on `day`."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def mask_id_number(number: str) -> str:
    """Mask the middle of an ID number as the seeds show it in lists: 152630*****4043330."""
    number = normalize(number)
    if len(number) < 13:
        return "*" * len(number)
    return f"{number[:6]}*****{number[11:]}"
