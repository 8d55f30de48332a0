"""What the registry look-up answers (GET /api/v1/registry/persons/{id_number}), per the
scopes of `casework.lookup`: the optional fields are there only in the scopes that may
see them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from casework.schemas.answers import Answer


class RegistryCertificate(Answer):
    number: str = Field(description="残疾证号（脱敏）")
    kind: str = Field(description="证件类型")
    grade: int = Field(description="等级")
    grade_name: str = Field(description="等级名称")
    valid_from: str = Field(description="有效期起")
    valid_to: str = Field(description="有效期止")
    category: str | None = Field(default=None, description="残疾类别（仅本单位已安置人员或审核）")


class RegistryLookup(Answer):
    """按身份证号查询残疾人证信息库的结果"""

    found: bool = Field(description="信息库中是否有此人")
    scope: Literal["autofill", "placed", "review"] = Field(
        description="autofill：自动填充所需信息；placed：本单位已安置人员（含联系方式）；"
        "review：管辖范围内的审核（含联系方式）"
    )
    id_number: str = Field(description="身份证号（脱敏）")
    sex: str
    birth_date: str
    age: int
    name: str | None = None
    certificates: list[RegistryCertificate] | None = None
    phone: str | None = Field(default=None, description="联系电话（仅placed、review）")
    household_region: str | None = Field(default=None, description="户籍地（仅placed、review）")
    household_address: str | None = Field(default=None, description="户籍地址（仅placed、review）")
