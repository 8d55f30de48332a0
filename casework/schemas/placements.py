"""安置人员 and the registration wizard (添加残疾人, 合同, 残疾证, 核验材料, 月份): the
declarations the API validates against and documents, with the same rules the wizard
pages apply (the services re-check them on the values they receive)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from casework import placements as p
from casework import registration as r
from casework.models.attachment import KINDS, MATERIAL_KINDS
from casework.schemas.base import Query, Request
from casework.schemas.common import PageQuery
from casework.schemas.messages import Label
from casework.schemas.types import date_text, db_id, id_list, money, text
from domain import regions
from domain.contract import RELATIONS
from domain.credit_code import parse_credit_code
from domain.facts import CertificateKind
from domain.id_number import parse_id_number
from domain.phone import parse_phone


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _id_number(value: str) -> str:
    return parse_id_number(value, "id_number").number


def _phone(field: str, label: str):
    return lambda v: parse_phone(v, field, label)


def _region(value: str) -> str:
    return regions.get(value, "household_region").code


def _credit_code(field: str):
    return lambda v: parse_credit_code(v, field)


IdNumber = text("身份证号", max_len=20, rule=_id_number, verb="请输入", description="18位身份证号")


class PersonInput(Request):
    id_number: IdNumber
    name: text("姓名", max_len=30, verb="请输入")
    phone: text("联系电话", max_len=30, rule=_phone("phone", "联系电话"), verb="请输入")
    household_type: text("户籍地类型", enum=p.HOUSEHOLD_TYPES)
    household_region: text(
        "户籍地", max_len=6, rule=_region, select=True, description="户籍地行政区划代码（6位）"
    )
    household_address: text("户籍地址", max_len=200, verb="请输入")
    education: text("文化程度", enum=p.EDUCATION, required=False) = ""
    guardian_name: text("监护人姓名", required=False, max_len=30) = ""
    guardian_phone: text(
        "监护人电话", required=False, max_len=30, rule=_phone("guardian_phone", "监护人电话")
    ) = ""
    is_graduate: Annotated[bool, Label("是否应届毕业生")] = False


class ContractInput(Request):
    dispatched: Annotated[bool, Label("是否劳务派遣")] = False
    relation: text(
        "关联单位关系", enum=RELATIONS, description="省略时为“本单位”"
    ) = "本单位"
    contract_type: text("合同类型", enum=r.CONTRACT_TYPES)
    start: date_text("合同开始日期")
    end: date_text("合同结束日期")
    position: text("岗位工种", max_len=50, verb="请输入")
    monthly_wage: money("合同月薪", maximum=Decimal("1000000"))
    agency_unit: text(
        "劳务派遣单位", required=False, max_len=18, rule=_credit_code("agency_unit"),
        description="劳务派遣时必填：统一社会信用代码",
    ) = ""  # fmt: skip
    pension_unit: text("社保参保单位", max_len=18, rule=_credit_code("pension_unit"))
    medical_unit: text("医保参保单位", max_len=18, rule=_credit_code("medical_unit"))
    wage_unit: text("工资发放单位", max_len=18, rule=_credit_code("wage_unit"))
    attachment_ids: id_list("附件编号")

    def values(self) -> dict[str, Any]:
        return self.model_dump()


class CertificateInput(Request):
    kind: text("证件类型", enum=tuple(k.value for k in CertificateKind))
    number: text("残疾证号", max_len=30, verb="请输入")
    valid_from: date_text("有效期开始日期")
    valid_to: date_text("有效期结束日期")
    grade: Annotated[
        Annotated[int, Field(ge=1, le=8)] | None,
        Label("伤残等级"),
        BeforeValidator(_blank_is_none),
        Field(description="残疾军人证伤残等级（1–8），残疾军人证必填"),
    ] = None
    attachment_ids: id_list("附件编号")


class ImportInput(Request):
    id_numbers: Annotated[
        list[text("身份证号", max_len=18)],
        Label("需导入人员的身份证号"),
        Field(min_length=1, max_length=1000, description="上一年度名单中人员的完整身份证号"),
    ]


class DeclarationInput(Request):
    pledge_read: Annotated[bool, Label("已阅读承诺书"), Field(description="须为true")]


class MaterialChoice(Request):
    """Which 核验材料 a file is: the placement page posts this with the files themselves,
    the API (`MaterialInput`) with the id of a file uploaded before."""

    material: text("材料类型", enum=tuple(MATERIAL_KINDS))


class MaterialInput(MaterialChoice):
    attachment_id: db_id("附件编号")


class MonthsInput(Request):
    selected_months: Annotated[
        list[Annotated[int, Label("安置月份"), Field(ge=1, le=12)]],
        Label("安置月份"),
        Field(max_length=12, description="勾选的月份（1–12）"),
    ]


class PlacementQuery(PageQuery):
    q: text("关键字", required=False, max_len=100) = ""
    status: text("状态", required=False, max_len=20) = ""


class UploadForm(Query):
    """multipart/form-data: file and its kind."""

    file: Annotated[
        Any,
        Label("要上传的文件", select=True),
        Field(json_schema_extra={"type": "string", "format": "binary"}),
    ]
    kind: text("附件类型", enum=tuple(sorted(KINDS)), required=False) = ""


class RelatedUploadForm(UploadForm):
    kind: text("附件类型", enum=tuple(sorted(KINDS)), required=False) = "related_unit"


class PersonPath(Query):
    id_number: IdNumber


__all__ = [
    "CertificateInput", "ContractInput", "DeclarationInput", "ImportInput", "MaterialChoice",
    "MaterialInput", "MonthsInput", "PersonInput", "PlacementQuery", "RelatedUploadForm", "UploadForm",
]  # fmt: skip


class CaseRequestInput(Request):
    """年审申报撤回 / 年审认证反馈: why (required, as 002 asks), and, for feedback, files
    already uploaded (the unit's own attachments; checked by the command)."""

    reason: text("申请理由", max_len=500, description="撤回或反馈的理由（必填）")
    attachment_ids: id_list("附件", max_items=20) = []
