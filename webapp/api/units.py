"""Regions (public), the employer's own unit and its 关联单位, uploads, staff unit view."""

from __future__ import annotations

from flask import jsonify, request

from casework import units as unit_service
from casework import uploads
from domain import regions
from webapp.api import ApiError, api_user, bp, document, json_body, login_required, schema
from webapp.auth import STAFF_ROLES
from webapp.extensions import client_ip, db, system

ERROR = {"$ref": "#/components/schemas/Error"}


def _json(ref: dict, description: str = "成功") -> dict:
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def _error(description: str) -> dict:
    return _json(ERROR, description)


def _id_param(name: str, description: str) -> dict:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
        "description": description,
    }


REGION = schema(
    "Region",
    {
        "type": "object",
        "properties": {
            "code": {"type": "string"},
            "name": {"type": "string"},
            "level": {"type": "string", "enum": ["province", "city", "county"]},
            "has_children": {"type": "boolean"},
        },
    },
)
_UNIT_PROPS = {
    key: {"type": "string", "description": label} for key, label in unit_service.LABELS.items()
}
_UNIT_PROPS["staff_last_year"] = {
    "type": ["integer", "null"],
    "description": unit_service.LABELS["staff_last_year"],
}
UNIT_INPUT = schema(
    "UnitInput",
    {
        "type": "object",
        "description": "整体替换单位基本信息（统一社会信用代码只读，忽略）。省略的必填项视为未填写。"
        "单位性质：" + "、".join(unit_service.NATURES),
        "required": sorted(unit_service.REQUIRED_UNIT_FIELDS),
        "properties": {k: v for k, v in _UNIT_PROPS.items() if k != "credit_code"},
    },
)
UNIT = schema(
    "Unit",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            **_UNIT_PROPS,
            "cdpf_region_name": {"type": "string"},
            "tax_region_name": {"type": "string"},
            "admin_region_name": {"type": "string"},
        },
    },
)
_RELATED_PROPS = {
    key: {"type": "string", "description": unit_service.RELATED_LABELS[key]}
    for key in unit_service.RELATED_FIELDS
}
_RELATED_PROPS["relation"] = {
    "type": "string",
    "enum": list(unit_service.RELATIONS),
    "description": "关系",
}
RELATED_INPUT = schema(
    "RelatedUnitInput",
    {
        "type": "object",
        "description": "劳务派遣单位须至少关联一个附件（先以 POST /api/v1/unit/attachments 上传）。",
        "required": sorted(unit_service.REQUIRED_RELATED_FIELDS),
        "properties": {
            **_RELATED_PROPS,
            "attachment_ids": {
                "type": "array",
                "items": {"type": "integer"},
                "description": "本单位已上传的附件",
            },
        },
    },
)
RELATED = schema(
    "RelatedUnit",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            **_RELATED_PROPS,
            "region_name": {"type": "string"},
            "attachment_ids": {"type": "array", "items": {"type": "integer"}},
        },
    },
)
ATTACHMENT = schema(
    "Attachment",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "original_name": {"type": "string"},
            "mime": {"type": "string", "enum": ["image/jpeg", "image/png", "application/pdf"]},
            "size": {"type": "integer"},
            "sha256": {"type": "string"},
            "kind": {"type": "string"},
            "url": {"type": "string"},
        },
    },
)


# --- regions -----------------------------------------------------------------------------


@bp.get("/regions")
def region_children():
    parent = (request.args.get("parent") or "").strip() or None
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


document(
    "/api/v1/regions",
    "get",
    {
        "tags": ["单位信息"],
        "summary": "行政区划（省/市/区县级联）",
        "security": [],
        "parameters": [
            {
                "name": "parent",
                "in": "query",
                "schema": {"type": "string"},
                "description": "上级行政区划代码；省略时返回全部省级",
            }
        ],
        "responses": {
            "200": _json(
                {
                    "type": "object",
                    "properties": {
                        "parent": {"type": ["string", "null"]},
                        "regions": {"type": "array", "items": REGION},
                    },
                },
                "下级行政区划（不含已撤销的）",
            ),
            "400": _error("行政区划代码有误或不存在"),
        },
    },
)


# --- own unit ----------------------------------------------------------------------------


def _own_unit_id() -> int:
    unit_id = api_user().unit_id
    if unit_id is None:
        raise ApiError(403, "该账号未关联用人单位")
    return unit_id


@bp.get("/unit")
@login_required("employer")
def unit_get():
    return jsonify(unit_service.unit_dict(unit_service.get_unit(db(), _own_unit_id())))


@bp.put("/unit")
@login_required("employer")
def unit_put():
    unit = unit_service.update_unit(
        db(), _own_unit_id(), json_body(), user=api_user(), ip=client_ip()
    )
    db().commit()
    return jsonify(unit_service.unit_dict(unit))


document(
    "/api/v1/unit",
    "get",
    {
        "tags": ["单位信息"],
        "summary": "本单位基本信息",
        "responses": {"200": _json(UNIT), "401": _error("未登录"), "403": _error("非用人单位账号")},
    },
)
document(
    "/api/v1/unit",
    "put",
    {
        "tags": ["单位信息"],
        "summary": "保存本单位基本信息",
        "description": "任何一项有误则不保存，并在fields中逐项给出中文提示。"
        + unit_service.REGION_TIP
        + "残联主管部门须选择到区县一级。",
        "requestBody": {"required": True, "content": {"application/json": {"schema": UNIT_INPUT}}},
        "responses": {
            "200": _json(UNIT, "已保存"),
            "400": _error("输入有误"),
            "401": _error("未登录"),
            "403": _error("非用人单位账号"),
        },
    },
)


@bp.get("/unit/related-units")
@login_required("employer")
def related_list():
    items = unit_service.list_related_units(db(), _own_unit_id())
    return jsonify({"items": [unit_service.related_dict(r) for r in items]})


def _related_payload() -> tuple[dict, list[int]]:
    body = json_body()
    ids = body.get("attachment_ids") or []
    if not isinstance(ids, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) for i in ids
    ):
        raise ApiError(400, "输入有误", {"attachment_ids": "附件编号须为整数列表"})
    return body, ids


@bp.post("/unit/related-units")
@login_required("employer")
def related_create():
    body, ids = _related_payload()
    related = unit_service.save_related_unit(
        db(),
        system().settings,
        unit_id=_own_unit_id(),
        data=body,
        attachment_ids=ids,
        user=api_user(),
        ip=client_ip(),
        today=system().today(),
    )
    db().commit()
    return jsonify(unit_service.related_dict(related)), 201


@bp.put("/unit/related-units/<int:related_id>")
@login_required("employer")
def related_update(related_id: int):
    body, ids = _related_payload()
    unit_id = _own_unit_id()
    current = unit_service.get_related_unit(db(), unit_id, related_id)
    related = unit_service.save_related_unit(
        db(),
        system().settings,
        unit_id=unit_id,
        data=body,
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
def related_delete(related_id: int):
    unit_service.delete_related_unit(
        db(), _own_unit_id(), related_id, user=api_user(), ip=client_ip()
    )
    db().commit()
    return "", 204


_EMPLOYER_ERRORS = {"401": _error("未登录"), "403": _error("非用人单位账号")}
document(
    "/api/v1/unit/related-units",
    "get",
    {
        "tags": ["单位信息"],
        "summary": "关联单位列表",
        "responses": {
            "200": _json(
                {"type": "object", "properties": {"items": {"type": "array", "items": RELATED}}}
            ),
            **_EMPLOYER_ERRORS,
        },
    },
)
document(
    "/api/v1/unit/related-units",
    "post",
    {
        "tags": ["单位信息"],
        "summary": "添加关联单位",
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": RELATED_INPUT}},
        },
        "responses": {
            "201": _json(RELATED, "已添加"),
            "400": _error("输入有误"),
            **_EMPLOYER_ERRORS,
        },
    },
)
_RELATED_ID = _id_param("related_id", "关联单位编号")
document(
    "/api/v1/unit/related-units/{related_id}",
    "put",
    {
        "tags": ["单位信息"],
        "summary": "修改关联单位",
        "description": "attachment_ids为修改后的完整附件列表（未列出的附件取消关联）。",
        "parameters": [_RELATED_ID],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": RELATED_INPUT}},
        },
        "responses": {
            "200": _json(RELATED, "已保存"),
            "400": _error("输入有误"),
            "404": _error("关联单位不存在（或属于其他单位）"),
            **_EMPLOYER_ERRORS,
        },
    },
)
document(
    "/api/v1/unit/related-units/{related_id}",
    "delete",
    {
        "tags": ["单位信息"],
        "summary": "删除关联单位",
        "parameters": [_RELATED_ID],
        "responses": {
            "204": {"description": "已删除"},
            "404": _error("关联单位不存在（或属于其他单位）"),
            **_EMPLOYER_ERRORS,
        },
    },
)


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
def attachment_upload():

    storage = request.files.get("file")
    if storage is None:
        raise ApiError(400, "请选择要上传的文件", {"file": "请选择要上传的文件"})
    kind = (request.form.get("kind") or "related_unit").strip()
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


document(
    "/api/v1/unit/attachments",
    "post",
    {
        "tags": ["单位信息"],
        "summary": "上传附件",
        "description": "仅支持jpeg、jpg、png、pdf（按文件内容识别，不看扩展名）；大小上限按本省参数（默认10MB）。"
        "损坏、加密的PDF和不完整的图片会被拒绝。下载：GET /attachments/{id}。",
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "kind": {
                                "type": "string",
                                "default": "related_unit",
                                "description": "附件类别",
                            },
                        },
                    }
                }
            },
        },
        "responses": {
            "201": _json(ATTACHMENT, "已上传"),
            "400": _error("文件不符合要求"),
            **_EMPLOYER_ERRORS,
        },
    },
)


# --- staff -------------------------------------------------------------------------------


@bp.get("/units/<int:unit_id>")
@login_required(*STAFF_ROLES)
def unit_for_staff(unit_id: int):
    unit = unit_service.unit_for_staff(db(), unit_id, api_user().region_code)
    data = unit_service.unit_dict(unit)
    data["related_units"] = [
        unit_service.related_dict(r) for r in unit_service.list_related_units(db(), unit.id)
    ]
    return jsonify(data)


document(
    "/api/v1/units/{unit_id}",
    "get",
    {
        "tags": ["单位信息"],
        "summary": "查看辖区内单位（工作人员）",
        "parameters": [_id_param("unit_id", "单位编号")],
        "responses": {
            "200": _json(UNIT),
            "401": _error("未登录"),
            "403": _error("非工作人员"),
            "404": _error("单位不存在或不在管辖范围内"),
        },
    },
)
