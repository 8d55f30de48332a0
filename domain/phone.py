"""Telephone numbers as people write them in China: an 11-digit mobile, a landline with or
without its area code (区号, also written in brackets) and extension, or a 400/800 service
number. One rule for every phone field (unit, 经办人, 法人, disabled employee, 监护人)."""

from __future__ import annotations

import re

from domain.errors import DomainError

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^(0\d{2,3}-?)?[2-9]\d{6,7}(-\d{1,6})?$")
_SERVICE = re.compile(r"^[48]00-?\d{3}-?\d{4}$")
# (0412)5859923 or （0412）-5859923 are common ways to write the area code
_PAREN_AREA = re.compile(r"^[(（](0\d{2,3})[)）]-?(.+)$")


def parse_phone(raw: str, field: str, label: str) -> str:
    """The number with spaces removed and a bracketed area code as 0412-...; else a
    DomainError in Chinese naming the field."""
    text = (raw or "").strip().replace(" ", "")
    paren = _PAREN_AREA.match(text)
    if paren:
        text = f"{paren[1]}-{paren[2]}"
    if not (_MOBILE.match(text) or _LANDLINE.match(text) or _SERVICE.match(text)):
        raise DomainError(f"{label}格式不正确，请填写11位手机号或带区号的固定电话（如0412-5859923）", field)
    return text
