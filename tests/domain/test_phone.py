from __future__ import annotations

import pytest

from domain.errors import DomainError
from domain.phone import parse_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("0412-5859923", "0412-5859923"),
        ("(0412)5859923", "0412-5859923"),
        ("（024）-22345678", "024-22345678"),
        ("5859923", "5859923"),
        ("0571-85781153-801", "0571-85781153-801"),
        ("400-123-4567", "400-123-4567"),
    ],
)
def test_accepted(raw, expected):
    assert parse_phone(raw, "phone", "联系电话") == expected


@pytest.mark.parametrize("raw", ["12345", "12812345678", "1381234567", "abc", "", "0412-0859923"])
def test_refused_with_the_field_named(raw):
    with pytest.raises(DomainError) as caught:
        parse_phone(raw, "guardian_phone", "监护人电话")
    assert caught.value.field == "guardian_phone" and caught.value.message.startswith("监护人电话格式不正确")
