"""超比例奖励申请: what the unit (or a reviewer at the window) sends — the payee and the
documents; the figures are the system's, from the certified year and the parameters."""

from __future__ import annotations

import re

from casework.schemas.base import Request
from casework.schemas.types import fail, id_list, text

ACCOUNT = re.compile(r"^\d{8,30}$")


def _account(value: str) -> str:
    """A bank account number: 8 to 30 digits (spaces and hyphens people type are dropped)."""
    digits = re.sub(r"[\s-]", "", value)
    if not ACCOUNT.fullmatch(digits):
        raise fail("收款单位银行账户应为8至30位数字")
    return digits


class RewardApplicationInput(Request):
    """提交 (or, when returned, 重新提交) an application: the payee and the documents."""

    payee_name: text("收款单位名称", max_len=100, min_len=2, description="收款单位全称，一般与单位名称一致")
    payee_account: text("收款单位银行账户", max_len=40, rule=_account, description="8至30位数字")
    payee_bank: text("收款单位开户银行名称", max_len=100, min_len=2, description="如：中国银行呼和浩特分行营业部")
    attachment_ids: id_list("附件材料", max_items=20) = []
