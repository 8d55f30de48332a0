"""单位基本信息 and 关联单位: one declaration for the API (PUT /unit, related units) and the
pages' forms (which validate with strict=False since form values are text)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, WithJsonSchema

from casework import units as u
from casework.schemas.base import Request
from casework.schemas.messages import Label
from casework.schemas.types import DB_INT_MAX, fail, id_list, text

L, R = u.LABELS, u.RELATED_LABELS


def _phone(field: str, label: str):
    return lambda v: u.check_phone(v, field, label)


def _region(field: str, label: str, *, county: bool):
    return lambda v: u.check_region(v, field, label, county=county)


def _staff_count(value: Any) -> int | None:
    """上年度职工数: blank is "not given"; otherwise a non-negative whole number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise fail(f"{L['staff_last_year']}须为非负整数")
    if isinstance(value, str):
        value = value.strip()
        if not value.isdigit() or len(value) > 9:
            raise fail(f"{L['staff_last_year']}须为非负整数")
        value = int(value)
    if not 0 <= value <= 10_000_000:
        raise fail(f"{L['staff_last_year']}须为非负整数")
    return value


StaffCount = Annotated[
    int | None,
    Label(L["staff_last_year"]),
    BeforeValidator(_staff_count),
    WithJsonSchema(
        {"type": ["integer", "null"], "minimum": 0, "maximum": 10_000_000, "title": L["staff_last_year"]}
    ),
]


class UnitInput(Request):
    """整体替换单位基本信息（统一社会信用代码只读，忽略）。省略的必填项视为未填写。"""

    name: text(L["name"], min_len=2, max_len=200)
    tax_number: text(L["tax_number"], required=False, max_len=20, rule=u.check_tax_number) = ""
    nature: text(L["nature"], enum=u.NATURES)
    economic_type: text(L["economic_type"], enum=u.ECONOMIC_TYPES)
    industry: text(L["industry"], enum=u.INDUSTRIES)
    cdpf_region: text(
        L["cdpf_region"], max_len=6, select=True,
        rule=_region("cdpf_region", L["cdpf_region"], county=True),
        description="6位行政区划代码，须到区县一级",
    )  # fmt: skip
    tax_region: text(
        L["tax_region"], max_len=6, select=True,
        rule=_region("tax_region", L["tax_region"], county=False),
        description="6位行政区划代码，须到最末一级",
    )  # fmt: skip
    admin_region: text(
        L["admin_region"], max_len=6, select=True,
        rule=_region("admin_region", L["admin_region"], county=False),
        description="6位行政区划代码，须到最末一级",
    )  # fmt: skip
    legal_name: text(L["legal_name"], min_len=2, max_len=50)
    legal_id_number: text(
        L["legal_id_number"], max_len=30, rule=u.check_legal_id, description=u.LEGAL_ID_TIP
    )
    legal_phone: text(L["legal_phone"], max_len=30, rule=_phone("legal_phone", L["legal_phone"]))
    org_code: text(L["org_code"], required=False, max_len=10, rule=u.check_org_code) = ""
    phone: text(L["phone"], required=False, max_len=30, rule=_phone("phone", L["phone"])) = ""
    staff_last_year: StaffCount = None
    contact_name: text(L["contact_name"], min_len=2, max_len=50)
    contact_phone: text(
        L["contact_phone"], max_len=30, rule=_phone("contact_phone", L["contact_phone"])
    )
    business_address: text(L["business_address"], min_len=2, max_len=200)
    registered_address: text(L["registered_address"], min_len=2, max_len=200)


class RelatedUnitInput(Request):
    """劳务派遣单位须至少关联一个附件（先以 POST /api/v1/unit/attachments 上传）。"""

    region_code: text(
        R["region_code"], max_len=6, select=True,
        rule=_region("region_code", R["region_code"], county=False),
        description="6位行政区划代码，须到最末一级",
    )  # fmt: skip
    credit_code: text(R["credit_code"], max_len=18, rule=u.check_credit_code)
    tax_number: text(R["tax_number"], required=False, max_len=20, rule=u.check_tax_number) = ""
    org_code: text(R["org_code"], required=False, max_len=10, rule=u.check_org_code) = ""
    name: text(R["name"], min_len=2, max_len=200)
    phone: text(R["phone"], required=False, max_len=30, rule=_phone("phone", R["phone"])) = ""
    address: text(R["address"], required=False, min_len=2, max_len=200) = ""
    relation: text(R["relation"], enum=u.RELATIONS)
    attachment_ids: id_list("附件编号") = Field(
        default_factory=list, description="本单位已上传的附件（修改时为完整列表，未列出的取消关联）"
    )


__all__ = ["DB_INT_MAX", "RelatedUnitInput", "UnitInput"]
