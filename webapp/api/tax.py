"""The tax exchange over HTTP: the tax side's check results come in here (authenticated by
the shared TAX_CALLBACK_TOKEN, not by a user), and staff read what was sent (发送税务查询)."""

from __future__ import annotations

from flask import jsonify, request

from casework import tax_exchange
from casework.schemas import answers
from casework.schemas.tax import TaxCheckInput, TaxQuery
from casework.scope import WINDOW_CLERK
from webapp.api import ApiError, api_user, bp, login_required, spec
from webapp.extensions import db, system

# staff who handle cases (a window clerk receives papers and sends nothing to tax)
staff_only = login_required(allowed=lambda: system().runtime.lanes.staff_roles - {WINDOW_CLERK})


def submission_row(row, unit) -> dict:
    return {
        "id": row.id, "unit": {"name": unit.name, "credit_code": unit.credit_code}, "year": row.year,
        "version": row.version, "receipt_no": row.receipt_no, "sent_at": row.sent_at.isoformat(),
        "status": row.status, "status_name": row.status_name,
        "checked_at": row.checked_at.isoformat() if row.checked_at else None, "reason": row.reason,
    }


@bp.post("/tax/confirmations")
@spec.declare(tags=("税务交换",), json=TaxCheckInput, answer=answers.TaxCheckAccepted, answer_description="已接收",
              public=True, errors=(400, 401, 404, 429))
def tax_confirmation():
    """税务部门确认并反馈（由税务交换接口调用）
    以请求头 X-Tax-Token: <TAX_CALLBACK_TOKEN> 认证；按报送时的幂等键找到该版本，交由该案件的流程处理（不一致时生成工作人员待办）。重复送达返回accepted=false，不重复处理。"""
    given = request.headers.get("X-Tax-Token", "").strip()
    if not tax_exchange.token_ok(system().settings.tax_callback_token, given):
        raise ApiError(401, "税务交换接口凭证无效")
    data: TaxCheckInput = spec.body()
    accepted = tax_exchange.receive_confirmation(db(), system(), data.model_dump())
    db().commit()
    return jsonify({"accepted": accepted}), 200


@bp.get("/tax/submissions")
@staff_only
@spec.declare(tags=("残联",), query=TaxQuery, answer=answers.TaxSubmissionPage, errors=(400, 401, 403, 429))
def tax_submissions():
    """发送税务查询：本辖区已发送税务部门的认证结果（版本、回执、税务核对状态），可按单位或回执编号搜索、按状态和业务年度筛选"""
    args: TaxQuery = spec.query()
    page = tax_exchange.submissions(
        db(), api_user().region_code, q=args.q, status=args.status, year=args.year, page=args.page, per_page=args.per_page
    )
    return jsonify({"total": page.total, "page": page.page, "per_page": page.per_page,
                    "items": [submission_row(r, u) for r, u in page.items]}), 200
