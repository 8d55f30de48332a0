"""统一社会信用代码 (GB 32100-2015): 18 characters with a MOD 31 check character.

Employers log in with it, and every outside system names the paying unit by it, so a
mistyped code must be caught where it is typed.
"""

from __future__ import annotations

from domain.errors import DomainError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidCreditCode(DomainError):
    """The text is not a valid 统一社会信用代码."""


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def parse_credit_code(raw: str, field: str = "credit_code") -> str:
    """Return the normalized code or raise InvalidCreditCode with a Chinese message."""
    code = (raw or "").strip().upper()
    if not code:
        raise InvalidCreditCode("请输入统一社会信用代码", field)
    if len(code) != 18:
        raise InvalidCreditCode(f"统一社会信用代码应为18位，当前为{len(code)}位", field)
    if any(c not in ALPHABET for c in code):
        raise InvalidCreditCode("统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）", field)
    if check_character(code[:17]) != code[17]:
        raise InvalidCreditCode("统一社会信用代码校验位错误，请核对后重新输入", field)
    return code


def is_valid_credit_code(raw: str) -> bool:
    try:
        parse_credit_code(raw)
    except InvalidCreditCode:
        return False
    return True


def make_credit_code(first17: str) -> str:
    """Append the check character (used by the simulator and demo data)."""
    return first17 + check_character(first17)
