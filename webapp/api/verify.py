"""GET /api/v1/verify/<token>: the public 审核认定书核验, the JSON twin of /verify/<token>."""

from __future__ import annotations

from flask import jsonify

from casework import certificates
from casework.schemas.answers import CertificateCheck
from webapp.api import ApiError, bp, spec
from webapp.extensions import db
from webapp.verify import NOT_FOUND


@bp.get("/verify/<token>")
@spec.declare(
    tags=("认定书核验",), answer=CertificateCheck, answer_description="认定书的公开信息与当前状态",
    public=True, errors=(401, 404, 429), paths={"token": "核验码：认定书二维码网址（/verify/…）的最后一段"},
)  # fmt: skip
def verify_certificate(token: str):
    """核验审核认定书

    无需登录。返回认定书编号、版本、用人单位、业务年度、安置人数和状态（有效、已撤回、已被更正）；不含残疾人姓名和身份证号。核验码不存在或格式不符时为404。"""
    certificate = certificates.by_token(db(), token)
    if certificate is None:
        raise ApiError(404, NOT_FOUND)
    response = jsonify(certificates.public_facts(db(), certificate))
    response.headers["Cache-Control"] = "no-store"
    return response
