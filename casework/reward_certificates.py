"""奖励审核认定书: the document a unit downloads once its 超比例奖励 passed 复审 (or 复核).

It is an `IssuedCertificate` of kind "reward", as the annual 审核认定书 is one of kind
"annual": its facts are frozen when it is issued, it has a number and a public
verification token (the QR code), and it is signed the same way. One per application.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from casework.certificates import TOKEN_BYTES, issuer_name
from casework.models import IssuedCertificate, RewardApplication, Unit
from casework.models.issued_certificate import VALID
from casework.models.reward import CHANNEL_NAMES
from domain import regions

KIND_REWARD = "reward"


def reward_number(application: RewardApplication) -> str:
    """认定书编号: JL-<业务年度>-<残联区划>-<申请号>."""
    return f"JL-{application.year}-{application.region_code}-{application.id:06d}"


def _plain(value) -> str:
    return format(value, "f") if value is not None else ""


def snapshot(session: Session, application: RewardApplication) -> dict:
    """What the document prints, as plain JSON (the account is printed masked)."""
    unit = session.get(Unit, application.unit_id)
    account = application.payee_account
    return {
        "unit_name": unit.name,
        "credit_code": unit.credit_code,
        "year": application.year,
        "region_code": application.region_code,
        "region_label": regions.label(application.region_code),
        "issuer": issuer_name(application.region_code),
        "channel": CHANNEL_NAMES.get(application.channel, application.channel),
        "staff_count": application.staff_count,
        "placed_persons": _plain(application.placed_persons.normalize()),
        "quota_persons": application.quota_persons,
        "over_persons": _plain(application.over_persons.normalize()),
        "coefficient": _plain(application.coefficient.normalize()),
        "base_amount": _plain(application.base_amount),
        "amount": _plain(application.amount),
        "payee_name": application.payee_name,
        "payee_account": account[:4] + "*" * max(len(account) - 8, 0) + account[-4:] if len(account) > 8 else account,
        "payee_bank": application.payee_bank,
    }


def issue(session: Session, application: RewardApplication, now: datetime) -> IssuedCertificate:
    certificate = IssuedCertificate(
        case_id=application.case_id, unit_id=application.unit_id, year=application.year,
        region_code=application.region_code, kind=KIND_REWARD, version=1, number=reward_number(application),
        token=secrets.token_urlsafe(TOKEN_BYTES), status=VALID, status_reason="", issued_at=now,
        facts=snapshot(session, application),
    )
    session.add(certificate)
    session.flush()
    return certificate
