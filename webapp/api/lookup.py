"""GET /api/v1/registry/persons/<身份证号>: the registry look-up behind the wizard's autofill.

The view only wires: who may see what, the audit entry and the answer are
`casework.lookup`'s; the rate limit is here because it belongs to the HTTP layer. It is
per unit (all accounts of a unit share it; staff per account) and set by
`REGISTRY_LOOKUP_LIMIT` (app config or environment, flask-limiter syntax), by default 30
a minute and 300 a day: enough for a unit typing in its people, too few to walk the
registry. A refusal is flask-limiter's 429, answered in Chinese JSON by webapp.errors.
"""

from __future__ import annotations

import os

from flask import current_app, jsonify

from casework import lookup
from casework.schemas.lookup import RegistryLookup
from webapp.api import api_user, bp, login_required, spec
from webapp.extensions import client_ip, db, limiter, system

DEFAULT_LIMIT = "30 per minute;300 per day"
TAGS = ("残疾人证信息库",)


def lookup_limit() -> str:
    return current_app.config.get("REGISTRY_LOOKUP_LIMIT") or os.environ.get(
        "REGISTRY_LOOKUP_LIMIT", DEFAULT_LIMIT
    )


@bp.get("/registry/persons/<id_number>")
@login_required()
@limiter.limit(lookup_limit, key_func=lambda: lookup.rate_key(api_user()))
@spec.declare(
    tags=TAGS, answer=RegistryLookup, paths={"id_number": "18位身份证号"},
    errors=(400, 401, 403, 404, 429),
)  # fmt: skip
def registry_person(id_number: str):
    """按身份证号从残疾人证信息库获取人员信息（自动填充）

    用人单位：姓名、性别、出生日期、年龄及残疾证（证号脱敏、类型、等级、有效期）；联系电话、户籍地、户籍地址和残疾类别仅对本单位已安置的人员返回。残联工作人员：仅限管辖范围内单位已安置的人员（含联系方式），其他人员返回404。每次查询均记入审计日志；每个单位每分钟最多30次、每天最多300次，超出返回429。"""
    try:
        body = lookup.look_up(db(), system(), api_user(), id_number, ip=client_ip())
    finally:
        db().commit()  # the audit entry stays, also for a refused or failed look-up
    return jsonify(body)
