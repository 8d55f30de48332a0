"""Regions (public), the employer's own unit and its 关联单位, uploads, staff unit view."""

from __future__ import annotations

from flask import jsonify

from casework import units as unit_service
from casework import uploads
from casework.schemas import answers
from casework.schemas.base import Query
from casework.schemas.placements import RelatedUploadForm
from casework.schemas.types import text
from casework.schemas.units import RelatedUnitInput, UnitInput
from domain import regions
from webapp.api import ApiError, api_user, bp, login_required
from webapp.api.spec import body, declare, form, query
from webapp.auth import STAFF_ROLES
from webapp.extensions import client_ip, db, system

TAGS = ("单位信息",)
EMPLOYER_ERRORS = (400, 401, 403, 404, 409, 429)


class RegionQuery(Query):
    parent: text("上级行政区划代码", required=False, max_len=12, description="省略时返回全部省级") = ""


# --- regions -----------------------------------------------------------------------------


@bp.get("/regions")
@declare(tags=TAGS, query=RegionQuery, answer=answers.RegionList, public=True, errors=(400, 401, 429))
def region_children():
    """行政区划（省/市/区县级联）

    下级行政区划（不含已撤销的）；行政区划代码有误或不存在时为400。"""
    parent = query().parent or None
    found = regions.children(parent)
    return jsonify(
        {
            "parent": parent,
            "regions": [
                {
                    "code": r.code,
                    "name": r.name,
                    "level": str(r.level),
                    "has_children": bool(regions.children(r.code)),
                }
                for r in found
            ],
        }
    )


# --- own unit ----------------------------------------------------------------------------


def _own_unit_id() -> int:
    unit_id = api_user().unit_id
    if unit_id is None:
        raise ApiError(403, "该账号未关联用人单位")
    return unit_id


@bp.get("/unit")
@login_required("employer")
@declare(tags=TAGS, answer=answers.Unit, errors=(401, 403, 404, 429))
def unit_get():
    """本单位基本信息"""
    return jsonify(unit_service.unit_dict(unit_service.get_unit(db(), _own_unit_id())))


@bp.put("/unit")
@login_required("employer")
@declare(tags=TAGS, json=UnitInput, answer=answers.Unit, answer_description="已保存")
def unit_put():
    """保存本单位基本信息

    任何一项有误则不保存，并在fields中逐项给出中文提示。残联主管部门为用人单位年审认证的办理所在地、税务主管部门为用人单位缴纳残保金的所在地、单位所属行政区为用人单位注册登记的所在地。残联主管部门须选择到区县一级。"""
    unit = unit_service.update_unit(db(), _own_unit_id(), body(), user=api_user(), ip=client_ip())
    db().commit()
    return jsonify(unit_service.unit_dict(unit))


@bp.get("/unit/related-units")
@login_required("employer")
@declare(tags=TAGS, answer=answers.RelatedUnitList, errors=(401, 403, 404, 429))
def related_list():
    """关联单位列表"""
    items = unit_service.list_related_units(db(), _own_unit_id())
    return jsonify({"items": [unit_service.related_dict(r) for r in items]})


@bp.post("/unit/related-units")
@login_required("employer")
@declare(tags=TAGS, json=RelatedUnitInput, ok=201, answer=answers.RelatedUnit, answer_description="已添加")
def related_create():
    """添加关联单位

    劳务派遣单位须至少关联一个附件（先以 POST /api/v1/unit/attachments 上传）。"""
    data: RelatedUnitInput = body()
    related = unit_service.save_related_unit(
        db(),
        system().settings,
        unit_id=_own_unit_id(),
        data=data,
        attachment_ids=data.attachment_ids,
        user=api_user(),
        ip=client_ip(),
        today=system().today(),
    )
    db().commit()
    return jsonify(unit_service.related_dict(related)), 201


RELATED_ID = {"related_id": "关联单位编号"}


@bp.put("/unit/related-units/<int:related_id>")
@login_required("employer")
@declare(tags=TAGS, json=RelatedUnitInput, answer=answers.RelatedUnit, answer_description="已保存", paths=RELATED_ID)
def related_update(related_id: int):
    """修改关联单位

    attachment_ids为修改后的完整附件列表（未列出的附件取消关联）。关联单位不存在（或属于其他单位）时为404。"""
    data: RelatedUnitInput = body()
    ids = data.attachment_ids
    unit_id = _own_unit_id()
    current = unit_service.get_related_unit(db(), unit_id, related_id)
    related = unit_service.save_related_unit(
        db(),
        system().settings,
        unit_id=unit_id,
        data=data,
        related_id=related_id,
        attachment_ids=ids,
        remove_attachment_ids=[a for a in current.attachment_ids or [] if a not in ids],
        user=api_user(),
        ip=client_ip(),
        today=system().today(),
    )
    db().commit()
    return jsonify(unit_service.related_dict(related))


@bp.delete("/unit/related-units/<int:related_id>")
@login_required("employer")
@declare(tags=TAGS, ok=204, answer_description="已删除", paths=RELATED_ID, errors=(401, 403, 404, 409, 429))
def related_delete(related_id: int):
    """删除关联单位

    关联单位不存在（或属于其他单位）时为404。"""
    unit_service.delete_related_unit(
        db(), _own_unit_id(), related_id, user=api_user(), ip=client_ip()
    )
    db().commit()
    return "", 204


# --- uploads -----------------------------------------------------------------------------


def attachment_json(attachment) -> dict:
    return {
        "id": attachment.id,
        "original_name": attachment.original_name,
        "mime": attachment.mime,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "kind": attachment.kind,
        "url": f"/attachments/{attachment.id}",
    }


@bp.post("/unit/attachments")
@login_required("employer")
@declare(
    tags=TAGS, form=RelatedUploadForm, ok=201, answer=answers.Attachment, answer_description="已上传",
    errors=(400, 401, 403, 404, 409, 413, 429),
)  # fmt: skip
def attachment_upload():
    """上传附件

    仅支持jpeg、jpg、png、pdf（按文件内容识别，不看扩展名）；大小上限按本省参数（默认10MB）。损坏、加密的PDF和不完整的图片会被拒绝。下载：GET /attachments/{id}。"""
    storage = form().file if form() is not None else None
    if storage is None or not hasattr(storage, "read"):
        raise ApiError(400, "请选择要上传的文件", {"file": "请选择要上传的文件"})
    kind = form().kind or "related_unit"
    unit = unit_service.get_unit(db(), _own_unit_id())
    attachment = uploads.store_upload(
        db(),
        system().settings,
        unit_id=unit.id,
        user_id=api_user().id,
        filename=storage.filename or "",
        data=storage.read(),
        kind=kind,
        limit_bytes=uploads.upload_limit_bytes(unit.cdpf_region, system().today()),
    )
    db().commit()
    return jsonify(attachment_json(attachment)), 201


# --- staff -------------------------------------------------------------------------------


@bp.get("/units/<int:unit_id>")
@login_required(*STAFF_ROLES)
@declare(tags=TAGS, answer=answers.StaffUnit, paths={"unit_id": "单位编号"}, errors=(401, 403, 404, 429))
def unit_for_staff(unit_id: int):
    """查看辖区内单位（工作人员）

    单位不存在或不在管辖范围内时为404。"""
    unit = unit_service.unit_for_staff(db(), unit_id, api_user().region_code)
    data = unit_service.unit_dict(unit)
    data["related_units"] = [
        unit_service.related_dict(r) for r in unit_service.list_related_units(db(), unit.id)
    ]
    return jsonify(data)
