"""窗口受理: what a window clerk sends — a unit search, a receipt (当场受理 / 暂缓受理 with
the papers received) and, for a deferred receipt, the acceptance (受理 / 不予受理).

The field rules live here; the rules that join fields (暂缓受理 and 不予受理 need a
reason, 当场受理 and 受理 need every paper) are checked by the commands in
`casework.window_acceptance`, which report them under the field to correct.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from casework.schemas.answers import Answer
from casework.schemas.base import Request
from casework.schemas.common import PageQuery
from casework.schemas.messages import Label
from casework.schemas.types import date_text, text

# the papers of 003 (申请材料目录 and the 承诺书's list); the keys are what a form sends
MATERIALS: dict[str, str] = {
    "application": "按比例安排残疾人就业审核申请表（用人单位信息）",
    "certificates": "残疾人证或残疾军人证",
    "contracts": "劳动合同或残疾人在编证明",
    "wages": "残疾职工工资发放证明",
    "insurance": "残疾职工参保缴费证明",
    "pledge": "申报资料真实性承诺书",
}
MODES = {"immediate": "当场受理", "deferred": "暂缓受理"}
OUTCOMES = {"accept": "受理", "refuse": "不予受理"}

MaterialList = Annotated[
    list[text("收到的材料", enum=tuple(MATERIALS))],
    Label("收到的材料", select=True),
    Field(max_length=len(MATERIALS), title="收到的材料", description="收到的纸质材料：" + "，".join(f"{k}{v}" for k, v in MATERIALS.items())),
]


class UnitSearchQuery(PageQuery):
    """查找用人单位 (the page and the API): a part of the name (至少2个字) or the full
    18-character credit code; the units found are paged, and at most MAX_FOUND in all."""

    q: text("单位名称或统一社会信用代码", required=False, max_len=50, verb="请输入",
            description="单位名称的一部分（至少2个字）或完整的18位统一社会信用代码") = ""


class WindowReceiptQuery(PageQuery):
    """本窗口受理记录 (the page and the API): by a part of the unit's name or credit code,
    and by the day received (from, to; both inclusive, 北京时间)."""

    q: text("单位名称或统一社会信用代码", required=False, max_len=50, verb="请输入",
            description="单位名称或统一社会信用代码的一部分") = ""
    received_from: date_text("收件日期（起）") | None = None
    received_to: date_text("收件日期（止）") | None = None


class WindowIntakeInput(Request):
    """收件登记: which papers the unit brought, and whether the window accepts them now."""

    mode: text("受理方式", enum=tuple(MODES), description="immediate当场受理（材料齐全），deferred暂缓受理（须说明原因，3个工作日内完成受理）")
    materials: MaterialList = []
    reason: text("暂缓受理原因", required=False, max_len=500, description="暂缓受理时必填，将告知用人单位") = ""


class WindowAcceptanceInput(Request):
    """窗口受理 of a deferred receipt: 受理 (every paper now there) or 不予受理 with a reason."""

    outcome: text("受理结果", enum=tuple(OUTCOMES), description="accept受理（转属地审核），refuse不予受理")
    materials: MaterialList = []
    reason: text("理由", required=False, max_len=500, description="不予受理时必填，将告知用人单位") = ""


# -- answers of the window API (webapp/api/window.py) ----------------------------------------
class WindowUnit(Answer):
    """A unit as a window clerk sees it: what identifies it, no person's data."""

    id: int
    name: str
    credit_code: str = Field(description="统一社会信用代码")
    region: str = Field(description="残联主管部门（属地）的行政区划代码")
    region_name: str
    scope: str = Field(description="本地受理、省内通办或跨省通办（相对本窗口）")


class WindowUnitList(Answer):
    """一页查找结果（按单位名称排序；至多200个单位）"""

    items: list[WindowUnit]
    total: int = Field(description="找到的单位数（至多200个）")
    page: int
    per_page: int


class WindowReceipt(Answer):
    id: int
    unit: WindowUnit
    year: int = Field(description="业务年度")
    window_region: str = Field(description="收件窗口的行政区划代码")
    received_at: str = Field(description="收件时间（ISO 8601）")
    received_by: str
    materials: list[str] = Field(description="收到的材料（键）")
    immediate: bool = Field(description="true当场受理，false暂缓受理")
    deferral_reason: str
    status: str = Field(description="deferred暂缓受理、accepted已受理（属地审核中）、refused不予受理、declared已代为完成申报、not_declared未能完成申报、returned属地审核退回")
    status_name: str
    outcome_reason: str
    where: str = Field(description="案件当前所处环节及办理地")


class WindowReceiptList(Answer):
    """一页本窗口受理记录（按收件时间倒序）"""

    items: list[WindowReceipt]
    total: int
    page: int
    per_page: int
