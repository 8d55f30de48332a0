"""通知公告 for API clients: the same visibility as the pages."""

from __future__ import annotations

from flask import jsonify

from casework import notices as notice_service
from casework.schemas import answers
from casework.schemas.common import SearchQuery
from webapp.api import api_user, bp, login_required, spec
from webapp.extensions import db

TAGS = ("通知公告",)


class NoticeQuery(SearchQuery):
    per_page: int = notice_service.PER_PAGE


@bp.get("/notices")
@login_required()
@spec.declare(tags=TAGS, query=NoticeQuery, answer=answers.NoticePage, answer_description="一页通知（不含正文）", errors=(400, 401, 429))
def notices_list():
    """通知公告列表

    本单位的通知及本地区（区县、市、省）和全国的公开通知，按时间倒序；q按标题和正文检索。page从1开始，per_page为1至100，超出范围返回400（不截断）。"""
    args: NoticeQuery = spec.query()
    page = notice_service.list_notices(
        db(), api_user(), q=args.q, page=args.page, per_page=args.per_page
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
@spec.declare(tags=TAGS, answer=answers.Notice, answer_description="通知", paths={"notice_id": "通知编号"}, errors=(401, 404, 429))
def notices_detail(notice_id: int):
    """通知详情

    通知不存在或无权查看时为404。"""
    return jsonify(
        notice_service.notice_dict(notice_service.get_notice(db(), api_user(), notice_id))
    )
