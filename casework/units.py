"""单位信息维护管理 (001 §4): the employer's own record and its 关联单位.

Every field is checked before anything is written; all problems are reported at once,
one Chinese message per field (`FieldErrors`), and then nothing is saved. Each change
writes an audit entry in the same transaction. Nothing here commits: the caller does,
once. An employer reaches only its own unit (the id comes from its account, never from
a URL); staff read units whose 残联主管部门 lies in their jurisdiction.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import audit, uploads
from casework.models import RelatedUnit, Unit
from casework.paging import contains
from casework.scope import NotFound, is_within_jurisdiction, within_jurisdiction
from domain import regions
from domain.credit_code import InvalidCreditCode, parse_credit_code
from domain.errors import DomainError, FieldErrors
from domain.id_number import mask_id_number, parse_id_number
from domain.phone import parse_phone

NATURES = ("企业", "事业单位", "机关", "社会团体", "民办非企业单位", "其他")
ECONOMIC_TYPES = (
    "国有全资", "集体全资", "股份合作", "国有联营", "集体联营", "国有与集体联营", "其他联营",
    "国有独资公司", "其他有限责任公司", "股份有限公司", "私有独资", "私有合伙",
    "私营有限责任公司", "私营股份有限公司", "私营企业", "个体经营", "其他私有",
    "与港澳台商合资经营", "与港澳台商合作经营", "港澳台商独资", "港澳台商投资股份有限公司",
    "中外合资经营", "中外合作经营", "外资企业", "外商投资股份有限公司", "其他",
)  # fmt: skip
INDUSTRIES = (
    "农、林、牧、渔业", "采矿业", "制造业", "电力、热力、燃气及水生产和供应业", "建筑业",
    "批发和零售业", "交通运输、仓储和邮政业", "住宿和餐饮业", "信息传输、软件和信息技术服务业",
    "金融业", "房地产业", "租赁和商务服务业", "科学研究和技术服务业",
    "水利、环境和公共设施管理业", "居民服务、修理和其他服务业", "教育", "卫生和社会工作",
    "文化、体育和娱乐业", "公共管理、社会保障和社会组织", "国际组织",
)  # fmt: skip
RELATIONS = ("上下级", "其他关联单位", "劳务派遣单位")
DISPATCH = "劳务派遣单位"

LABELS = {
    "name": "单位名称",
    "credit_code": "统一社会信用代码",
    "tax_number": "税务登记证号",
    "nature": "单位性质",
    "economic_type": "经济性质",
    "industry": "行业类别",
    "cdpf_region": "残联主管部门",
    "tax_region": "税务主管部门",
    "admin_region": "单位所属行政区",
    "legal_name": "法人姓名",
    "legal_id_number": "法人身份证号",
    "legal_phone": "法人电话",
    "org_code": "组织机构代码",
    "phone": "单位电话",
    "staff_last_year": "上年度职工数",
    "contact_name": "经办人姓名",
    "contact_phone": "经办人电话",
    "business_address": "单位经营地址",
    "registered_address": "单位注册地址",
}
UNIT_FIELDS = tuple(k for k in LABELS if k != "credit_code")
RELATED_LABELS = {
    "region_code": "行政划分区域",
    "credit_code": "统一社会信用代码",
    "tax_number": "税务登记证号",
    "org_code": "组织机构代码",
    "name": "单位名称",
    "phone": "单位电话",
    "address": "单位地址",
    "relation": "关系",
    "attachments": "劳务派遣协议/证明材料",
}
RELATED_FIELDS = tuple(k for k in RELATED_LABELS if k != "attachments")
REGION_TIP = "残联主管部门为用人单位年审认证的办理所在地、税务主管部门为用人单位缴纳残保金的所在地、单位所属行政区为用人单位注册登记的所在地。"
LEGAL_ID_TIP = "法人为港澳台居民或者外国人的，可以填写其他有效证件号码，比如护照信息。"

_OTHER_ID = re.compile(r"^[A-Za-z0-9]{5,30}$")
_TAX = re.compile(r"^[0-9A-Z]{15}$|^[0-9A-Z]{18}$|^[0-9A-Z]{20}$")
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


# --- field checks (each returns the cleaned value or raises DomainError) ---------------


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    return str(raw).strip()


def check_phone(raw: Any, field: str, label: str) -> str:
    return parse_phone(_text(raw), field, label)


def check_org_code(raw: Any, field: str = "org_code") -> str:
    """组织机构代码 (GB 11714): 8 digits/letters and a MOD 11 check character."""
    text = _text(raw).upper().replace("-", "")
    if len(text) != 9 or not text[:8].isalnum() or not text.isascii():
        raise DomainError("组织机构代码应为9位（8位本体代码和1位校验码，如12345678-9）", field)
    try:
        total = sum(int(c, 36) * w for c, w in zip(text[:8], _ORG_WEIGHTS, strict=True))
    except ValueError:
        raise DomainError("组织机构代码含有不允许的字符", field) from None
    check = 11 - total % 11
    expected = "X" if check == 10 else "0" if check == 11 else str(check)
    if text[8] != expected:
        raise DomainError("组织机构代码校验位错误，请核对后重新输入", field)
    return f"{text[:8]}-{text[8]}"


def check_tax_number(raw: Any, field: str = "tax_number") -> str:
    text = _text(raw).upper()
    if not _TAX.match(text):
        raise DomainError("税务登记证号应为15位、18位或20位数字或大写字母", field)
    if len(text) == 18:
        try:
            parse_credit_code(text, field)
        except InvalidCreditCode:
            raise DomainError("18位税务登记证号应为有效的统一社会信用代码", field) from None
    return text


def check_legal_id(raw: Any, field: str = "legal_id_number") -> str:
    """身份证号 when it looks like one (18 characters, 17 digits first), else 5–30 letters/digits."""
    text = _text(raw).upper()
    if len(text) == 18 and text[:17].isdigit():
        return parse_id_number(text, field).number
    if not _OTHER_ID.match(text):
        raise DomainError(
            "请填写有效的身份证号；港澳台居民或外国人可填写5至30位字母或数字的证件号码（如护照号）",
            field,
        )
    return text


def check_region(raw: Any, field: str, label: str, *, county: bool) -> str:
    code = _text(raw)
    if not code:
        raise DomainError(f"请选择{label}", field)
    region = regions.validate_region(code, field=field)
    if county and region.level != regions.RegionLevel.COUNTY:
        raise DomainError(f"{label}须选择到区县一级", field)
    if not county and regions.children(region.code):
        raise DomainError(f"{label}须选择到最末一级（区县）", field)
    return region.code


def _check_length(value: str, field: str, label: str, low: int, high: int) -> str:
    if not low <= len(value) <= high:
        raise DomainError(f"{label}长度应为{low}至{high}个字符", field)
    return value


def validate_unit(data: Mapping[str, Any]) -> dict[str, Any]:
    """All unit fields cleaned, or FieldErrors naming every wrong one.

    The rules are those of the one declaration `casework.schemas.units.UnitInput` (the
    API validates JSON with it strictly; here form text is accepted, e.g. "120")."""
    from casework.schemas import parse
    from casework.schemas.units import UnitInput

    model = data if isinstance(data, UnitInput) else parse(UnitInput, dict(data), strict=False)
    return model.model_dump(include=set(UNIT_FIELDS))


# --- reading ---------------------------------------------------------------------------


def get_unit(session: Session, unit_id: int | None) -> Unit:
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        raise NotFound("单位不存在")
    return unit


def unit_name(session: Session, unit_id: int | None) -> str:
    unit = session.get(Unit, unit_id) if unit_id is not None else None
    return unit.name if unit is not None else ""


def unit_for_staff(session: Session, unit_id: int, region_code: str | None) -> Unit:
    """A unit whose 残联主管部门 lies in the staff member's jurisdiction (else NotFound)."""
    unit = get_unit(session, unit_id)
    if not is_within_jurisdiction(unit.cdpf_region, region_code):
        raise NotFound("单位不存在")
    return unit


def units_in_jurisdiction(
    session: Session, region_code: str | None, *, q: str = "", limit: int = 50
) -> list[Unit]:
    stmt = select(Unit).where(within_jurisdiction(Unit.cdpf_region, region_code))
    if q.strip():
        stmt = stmt.where(contains(Unit.name, q.strip()) | contains(Unit.credit_code, q.strip()))
    return list(session.scalars(stmt.order_by(Unit.name).limit(limit)))


def unit_dict(unit: Unit) -> dict[str, Any]:
    """The unit as plain values (API answers), with region names."""
    data: dict[str, Any] = {"id": unit.id, "credit_code": unit.credit_code}
    for key in UNIT_FIELDS:
        data[key] = getattr(unit, key)
    for key in ("cdpf_region", "tax_region", "admin_region"):
        data[f"{key}_name"] = regions.label(getattr(unit, key))
    return data


def related_dict(related: RelatedUnit) -> dict[str, Any]:
    return {
        "id": related.id,
        "region_code": related.region_code,
        "region_name": regions.label(related.region_code),
        "credit_code": related.credit_code,
        "tax_number": related.tax_number,
        "org_code": related.org_code,
        "name": related.name,
        "phone": related.phone,
        "address": related.address,
        "relation": related.relation,
        "attachment_ids": list(related.attachment_ids or []),
    }


# --- writing the unit ------------------------------------------------------------------


def create_unit(
    session: Session, credit_code: str, name: str, cdpf_region: str, **fields: Any
) -> Unit:
    """Register a unit (account set-up, demo data); the full record is completed later."""
    code = parse_credit_code(credit_code)
    if session.scalar(select(Unit.id).where(Unit.credit_code == code)) is not None:
        raise DomainError("该统一社会信用代码的单位已存在", "credit_code")
    region = check_region(cdpf_region, "cdpf_region", LABELS["cdpf_region"], county=True)
    name = _check_length(_text(name), "name", LABELS["name"], 2, 200)
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise DomainError(f"未知字段：{'、'.join(sorted(unknown))}")
    unit = Unit(credit_code=code, name=name, cdpf_region=region, **fields)
    session.add(unit)
    session.flush()
    return unit


def _masked(key: str, value: Any) -> Any:
    if key == "legal_id_number" and value:
        return mask_id_number(str(value)) if len(str(value)) == 18 else str(value)[:2] + "***"
    return value


def update_unit(
    session: Session, unit_id: int, data: Mapping[str, Any], *, user: Any = None, ip: str = ""
) -> Unit:
    """Save the 单位基本信息 form (统一社会信用代码 is read-only and ignored)."""
    unit = get_unit(session, unit_id)
    cleaned = validate_unit(data)
    changed = {}
    for key, value in cleaned.items():
        old = getattr(unit, key)
        if old != value:
            changed[key] = [_masked(key, old), _masked(key, value)]
            setattr(unit, key, value)
    if "name" in changed:
        from casework.labels import refresh_unit

        refresh_unit(session, unit)
    if changed:
        audit.record(
            session,
            user,
            "unit.update",
            target=f"unit:{unit.id}",
            detail={"changed": changed},
            ip=ip,
        )
    session.flush()
    return unit


# --- 关联单位 --------------------------------------------------------------------------


def list_related_units(session: Session, unit_id: int) -> list[RelatedUnit]:
    stmt = select(RelatedUnit).where(RelatedUnit.unit_id == unit_id).order_by(RelatedUnit.id)
    return list(session.scalars(stmt))


def get_related_unit(session: Session, unit_id: int, related_id: int) -> RelatedUnit:
    """A related unit of this unit; another unit's id is NotFound (404), never 403."""
    related = session.get(RelatedUnit, related_id)
    if related is None or related.unit_id != unit_id:
        raise NotFound("关联单位不存在")
    return related


def check_credit_code(raw: Any, field: str = "credit_code") -> str:
    return parse_credit_code(_text(raw), field)


def _validate_related(data: Mapping[str, Any], errors: dict[str, str]) -> dict[str, Any]:
    """The 关联单位 fields by the declaration `RelatedUnitInput` (form text accepted);
    problems go into `errors` so that the checks below can add theirs."""
    from casework.schemas import parse
    from casework.schemas.units import RelatedUnitInput

    try:
        model = (
            data
            if isinstance(data, RelatedUnitInput)
            else parse(RelatedUnitInput, {**data, "attachment_ids": []}, strict=False)
        )
    except FieldErrors as exc:
        errors.update(exc.errors)
        return {}
    return model.model_dump(include=set(RELATED_FIELDS))


def save_related_unit(
    session: Session,
    settings: Any,
    *,
    unit_id: int,
    data: Mapping[str, Any],
    related_id: int | None = None,
    uploads_in: Iterable[tuple[str, bytes]] = (),
    attachment_ids: Iterable[int] = (),
    remove_attachment_ids: Iterable[int] = (),
    user: Any = None,
    ip: str = "",
    today: date,
) -> RelatedUnit:
    """Add (`related_id` None) or edit a 关联单位 with new uploads, all or nothing.

    `uploads_in` are (file name, bytes) pairs checked by content; `attachment_ids` are
    attachments the unit uploaded earlier (API flow). A 劳务派遣单位 needs at least one
    document (the 劳务派遣协议).
    """
    unit = get_unit(session, unit_id)
    related = get_related_unit(session, unit_id, related_id) if related_id is not None else None
    errors: dict[str, str] = {}
    cleaned = _validate_related(data, errors)

    code = cleaned.get("credit_code")
    if code and code == unit.credit_code:
        errors["credit_code"] = "不能将本单位添加为关联单位"
    elif code:
        duplicate = session.scalar(
            select(RelatedUnit.id).where(
                RelatedUnit.unit_id == unit_id, RelatedUnit.credit_code == code
            )
        )
        if duplicate is not None and duplicate != related_id:
            errors["credit_code"] = "该关联单位已存在"

    limit = uploads.upload_limit_bytes(unit.cdpf_region, today)
    pending = []
    for filename, content in uploads_in:
        try:
            pending.append(uploads.prepare_upload(filename, content, limit))
        except DomainError as exc:
            errors["attachments"] = f"{filename}：{exc.message}" if filename else exc.message
            break
    removed = {int(a) for a in remove_attachment_ids}
    kept = [a for a in (related.attachment_ids if related else []) if a not in removed]
    extra = list(dict.fromkeys(int(a) for a in attachment_ids))
    if len(uploads.attachments_of(session, extra, unit_id)) != len(extra):
        errors["attachments"] = "所选附件不存在"
    if (
        cleaned.get("relation") == DISPATCH
        and not pending
        and not kept
        and not extra
        and "attachments" not in errors
    ):
        errors["attachments"] = "劳务派遣单位须上传劳务派遣协议"
    if errors:
        raise FieldErrors(errors)

    new_ids = [
        uploads.store_checked(
            session,
            settings,
            p,
            unit_id=unit_id,
            user_id=getattr(user, "id", None),
            kind="related_unit",
        ).id
        for p in pending
    ]
    ids = list(dict.fromkeys([*kept, *extra, *new_ids]))
    action = "related_unit.update" if related else "related_unit.create"
    if related is None:
        related = RelatedUnit(unit_id=unit_id)
        session.add(related)
    for key, value in cleaned.items():
        setattr(related, key, value)
    related.attachment_ids = ids
    session.flush()
    audit.record(
        session,
        user,
        action,
        target=f"related_unit:{related.id}",
        detail={
            "unit_id": unit_id,
            "credit_code": related.credit_code,
            "name": related.name,
            "attachment_ids": ids,
        },
        ip=ip,
    )
    session.flush()
    return related


def delete_related_unit(
    session: Session, unit_id: int, related_id: int, *, user: Any = None, ip: str = ""
) -> None:
    related = get_related_unit(session, unit_id, related_id)
    audit.record(
        session,
        user,
        "related_unit.delete",
        target=f"related_unit:{related.id}",
        detail={"unit_id": unit_id, "credit_code": related.credit_code, "name": related.name},
        ip=ip,
    )
    session.delete(related)
    session.flush()
