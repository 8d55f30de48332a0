"""通知公告 for API clients: the same visibility as the pages."""

from __future__ import annotations

from flask import jsonify, request

from casework import notices as notice_service
from webapp.api import api_user, bp, document, login_required, schema
from webapp.extensions import db
from webapp.notices import page_number

NOTICE = schema(
    "Notice",
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "title": {"type": "string"},
            "body": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
            "public": {"type": "boolean", "description": "公开通知（否则为发给本单位的通知）"},
            "region_code": {"type": "string"},
        },
    },
)
ERROR = {"$ref": "#/components/schemas/Error"}


@bp.get("/notices")
@login_required()
def notices_list():
    page = notice_service.list_notices(
        db(), api_user(), q=request.args.get("q", ""), page=page_number()
    )
    return jsonify(
        {
            "items": [notice_service.notice_dict(n, with_body=False) for n in page.items],
            "total": page.total,
            "page": page.page,
            "pages": page.pages,
            "per_page": page.per_page,
        }
    )


@bp.get("/notices/<int:notice_id>")
@login_required()
def notices_detail(notice_id: int):
    return jsonify(
        notice_service.notice_dict(notice_service.get_notice(db(), api_user(), notice_id))
    )


document(
    "/api/v1/notices",
    "get",
    {
        "tags": ["通知公告"],
        "summary": "通知公告列表",
        "description": "本单位的通知及本地区（区县、市、省）和全国的公开通知，按时间倒序；q按标题和正文检索。",
        "parameters": [
            {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "关键字"},
            {
                "name": "page",
                "in": "query",
                "schema": {"type": "integer", "minimum": 1, "default": 1},
            },
        ],
        "responses": {
            "200": {
                "description": "一页通知（不含正文）",
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "items": {"type": "array", "items": NOTICE},
                                "total": {"type": "integer"},
                                "page": {"type": "integer"},
                                "pages": {"type": "integer"},
                                "per_page": {"type": "integer"},
                            },
                        }
                    }
                },
            },
            "401": {"description": "未登录", "content": {"application/json": {"schema": ERROR}}},
        },
    },
)
document(
    "/api/v1/notices/{notice_id}",
    "get",
    {
        "tags": ["通知公告"],
        "summary": "通知详情",
        "parameters": [
            {"name": "notice_id", "in": "path", "required": True, "schema": {"type": "integer"}}
        ],
        "responses": {
            "200": {"description": "通知", "content": {"application/json": {"schema": NOTICE}}},
            "404": {
                "description": "通知不存在或无权查看",
                "content": {"application/json": {"schema": ERROR}},
            },
        },
    },
)
