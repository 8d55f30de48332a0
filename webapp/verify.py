"""核验审核认定书: the public page a certificate's QR code opens (no login), and the
address printed under it.

Anyone holding the link sees whether the certificate is 有效, 已撤回 or 已被更正 (with a
link to the newer one), and the unit's totals, never a person's name or ID number
(casework.certificates.public_facts decides what is public). An unknown or malformed
token is the same Chinese 404 as any missing page.
"""

from __future__ import annotations

from flask import Blueprint, Flask, render_template, request, url_for

from casework import certificates
from webapp.errors import respond
from webapp.extensions import db, system

bp = Blueprint("verify", __name__)

NOT_FOUND = "未找到该审核认定书。请核对网址是否完整，或扫描认定书上的二维码重新打开。"


def verify_url(token: str) -> str:
    """The public address of a certificate: `PUBLIC_BASE_URL` when set (the address the
    public reaches the site by), else the host this request came in on."""
    base = system().settings.public_base_url or request.host_url.rstrip("/")
    return base + url_for("verify.page", token=token)


@bp.get("/verify/<token>")
def page(token: str):
    certificate = certificates.by_token(db(), token)
    if certificate is None:
        return respond(404, NOT_FOUND)
    facts = certificates.public_facts(db(), certificate)
    response = render_template("verify/page.html", facts=facts)
    # a status can change (withdrawn, corrected): never show a cached 有效
    return response, 200, {"Cache-Control": "no-store"}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
