"""通知公告 (001 §6): notices to one unit (安置人员X资料审核完成通知) and public ones.

A unit sees its own notices and the public notices of its 残联主管部门's county, city or
province, or national ones (region ""). Staff see the public notices that apply to their
jurisdiction's region. Nothing here commits.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from casework.models import Notice, Unit
from casework.paging import Page, contains
from casework.scope import NotFound, ancestors, within_jurisdiction
from domain import regions
from domain.errors import DomainError
from engine.context import step_now
from engine.db import as_utc

PER_PAGE = 15
MAX_QUERY = 50


def _clean_title(title: str) -> str:
    text = (title or "").strip()
    if not text:
        raise DomainError("请填写通知标题", "title")
    if len(text) > 200:
        raise DomainError("通知标题不能超过200个字符", "title")
    return text


def notify_unit(session: Session, unit_id: int, title: str, body: str, now: datetime | None = None) -> Notice:
    """Send a notice to one unit (e.g. from the review flow); joins the caller's transaction.
    It is dated on the engine clock: `now`, or the start of the engine step sending it."""
    if session.get(Unit, unit_id) is None:
        raise NotFound("单位不存在")
    when = now or step_now()
    notice = Notice(
        unit_id=unit_id, region_code="", title=_clean_title(title), body=(body or "").strip(),
        **({"created_at": when} if when is not None else {}),
    )
    session.add(notice)
    session.flush()
    return notice


def publish(session: Session, title: str, body: str, *, region_code: str = "") -> Notice:
    """A public notice for everyone in a region ("" = national)."""
    if region_code:
        regions.validate_region(region_code, field="region_code")
    notice = Notice(
        unit_id=None,
        region_code=region_code or "",
        title=_clean_title(title),
        body=(body or "").strip(),
    )
    session.add(notice)
    session.flush()
    return notice


def _visible(unit_id: int | None, unit_region: str | None, jurisdiction: str | None, staff: bool):
    public = Notice.unit_id.is_(None)
    if staff:
        # public notices above the office, or issued inside its jurisdiction
        return and_(
            public,
            or_(
                Notice.region_code.in_(ancestors(jurisdiction)),
                within_jurisdiction(Notice.region_code, jurisdiction),
            ),
        )
    own = Notice.unit_id == unit_id if unit_id is not None else None
    shared = and_(public, Notice.region_code.in_(ancestors(unit_region)))
    return or_(own, shared) if own is not None else shared


def _viewer(session: Session, user: Any) -> tuple[int | None, str | None, str | None, bool]:
    if user is None:
        raise NotFound("通知不存在")
    if user.role == "employer":
        unit = session.get(Unit, user.unit_id) if user.unit_id is not None else None
        return user.unit_id, unit.cdpf_region if unit else None, None, False
    return None, None, user.region_code, True


def list_notices(
    session: Session, user: Any, *, q: str = "", page: int = 1, per_page: int = PER_PAGE
) -> Page:
    """The notices `user` may read, newest first, filtered by a keyword in title or body."""
    unit_id, unit_region, jurisdiction, staff = _viewer(session, user)
    condition = _visible(unit_id, unit_region, jurisdiction, staff)
    keyword = (q or "").strip()[:MAX_QUERY]
    if keyword:
        condition = and_(condition, or_(contains(Notice.title, keyword), contains(Notice.body, keyword)))
    total = session.scalar(select(func.count()).select_from(Notice).where(condition)) or 0
    per_page = max(1, min(per_page, 100))
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    stmt = (
        select(Notice)
        .where(condition)
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return Page(list(session.scalars(stmt)), total, page, per_page)


def latest_for_unit(session: Session, unit: Unit, limit: int = 8) -> list[Notice]:
    """The newest notices a unit sees (首页 通知中心)."""
    stmt = (
        select(Notice)
        .where(_visible(unit.id, unit.cdpf_region, None, False))
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(max(1, limit))
    )
    return list(session.scalars(stmt))


def get_notice(session: Session, user: Any, notice_id: int) -> Notice:
    unit_id, unit_region, jurisdiction, staff = _viewer(session, user)
    stmt = select(Notice).where(
        Notice.id == notice_id, _visible(unit_id, unit_region, jurisdiction, staff)
    )
    notice = session.scalar(stmt)
    if notice is None:
        raise NotFound("通知不存在")
    return notice


def notice_dict(notice: Notice, *, with_body: bool = True) -> dict[str, Any]:
    created = as_utc(notice.created_at)
    data = {
        "id": notice.id,
        "title": notice.title,
        "created_at": created.isoformat() if created else None,
        "public": notice.unit_id is None,
        "region_code": notice.region_code,
    }
    if with_body:
        data["body"] = notice.body
    return data
