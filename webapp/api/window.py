"""窗口受理 for API clients (a window's own counter software): find a unit, record a
receipt, list the window's receipts — the same services and rules as the pages; only
window clerks (403 for anyone else)."""

from __future__ import annotations

from dataclasses import asdict

from flask import jsonify

from casework import window_acceptance as windows
from casework.schemas.window import (
    UnitSearchQuery,
    WindowIntakeInput,
    WindowReceipt,
    WindowReceiptList,
    WindowReceiptQuery,
    WindowUnitList,
)
from casework.scope import WINDOW_CLERK
from webapp.api import api_user, bp, login_required, spec
from webapp.extensions import client_ip, db, system

TAGS = ("窗口受理",)


def receipt_json(view: windows.ReceiptView) -> dict:
    r = view.receipt
    return {
        "id": r.id, "unit": asdict(view.unit), "year": view.year, "window_region": r.window_region,
        "received_at": r.received_at.isoformat(), "received_by": r.received_by, "materials": list(r.materials or []),
        "immediate": r.immediate, "deferral_reason": r.deferral_reason, "status": r.status,
        "status_name": r.status_name, "outcome_reason": r.outcome_reason, "where": view.where,
    }


@bp.get("/window/units")
@login_required(WINDOW_CLERK)
@spec.declare(tags=TAGS, query=UnitSearchQuery, answer=WindowUnitList, answer_description="一页单位（共至多200个）", errors=(400, 401, 403, 429))
def window_units():
    """查找用人单位（窗口受理人员）

    按统一社会信用代码（完整18位）或单位名称的一部分（至少2个字）查找，全国范围（省内通办、跨省通办），分页，
    共至多200个；只返回识别单位所需的信息（名称、代码、属地）。"""
    args: UnitSearchQuery = spec.query()
    page = windows.find_units(db(), api_user(), args.q, args.page, args.per_page)
    return jsonify({"items": [asdict(c) for c in page.items], "total": page.total, "page": page.page, "per_page": page.per_page})


@bp.post("/window/units/<int:unit_id>/receipts")
@login_required(WINDOW_CLERK)
@spec.declare(tags=TAGS, ok=201, json=WindowIntakeInput, answer=WindowReceipt, answer_description="已收件",
              paths={"unit_id": "单位编号"}, errors=(400, 401, 403, 404, 409, 429))
def window_receive(unit_id: int):
    """收件登记（当场受理或暂缓受理）

    当场受理须勾选全部材料；暂缓受理须写明原因（告知用人单位），并在3个工作日内完成受理。单位所在地的年审流程
    当前不办理窗口受理时（已完成申报、已在办理中、该省不办理）为409，说明原因，不保存任何内容。"""
    session = db()
    receipt = windows.receive(session, system(), api_user(), unit_id, spec.body(), client_ip())
    session.commit()
    view = next(v for v in windows.receipts_of_window(session, api_user()) if v.receipt.id == receipt.id)
    return jsonify(receipt_json(view)), 201


@bp.get("/window/receipts")
@login_required(WINDOW_CLERK)
@spec.declare(tags=TAGS, query=WindowReceiptQuery, answer=WindowReceiptList, answer_description="一页本窗口受理记录",
              errors=(400, 401, 403, 429))
def window_receipts():
    """本窗口受理记录

    本窗口收件的申报，按收件时间倒序，分页；可按单位名称或统一社会信用代码、收件日期（北京时间）查找，
    含各案件当前所处环节及办理地。"""
    args: WindowReceiptQuery = spec.query()
    page = windows.window_receipts(db(), api_user(), q=args.q, received_from=args.received_from, received_to=args.received_to,
                                   page=args.page, per_page=args.per_page)
    return jsonify({"items": [receipt_json(v) for v in page.items], "total": page.total, "page": page.page, "per_page": page.per_page})
