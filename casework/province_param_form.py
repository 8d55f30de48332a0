"""The vocabulary of 参数设置's change form: which parameters an owner may change and what
each asks for (a percentage for the quota ratio, month-day pairs for the 申报期, one
working-day count per time limit, a region and a year for the wage tables), the inputs'
Chinese names and the limits the change is held to.

The rules themselves are declared once, in ``casework.schemas.province_params``
(`ProvinceParamChange`), which validates the page's form and the API's body alike and
documents the body in the OpenAPI document.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

NOTE_MAX = 200
LAST_DAY = date(2099, 12, 31)
FIRST_YEAR = 2000
MAX_MONTHLY_WAGE = Decimal(100_000)
MAX_ANNUAL_WAGE = Decimal(5_000_000)

# what the form asks for each parameter an owner may change (the others are national)
EDITABLE: dict[str, str] = {
    "quota_ratio": "percent",
    "declaration_window": "window",
    "upload_limit_mb": "integer",
    "reward_base": "money",
    "reward_coefficient": "decimal",
    "graduate_subsidy": "money",
    "time_limits": "time_limits",
    "withdrawal_needs_supervisor": "yes_no",
    "female_retirement_track": "choice",
    "minimum_wage": "monthly_wage",
    "social_average_wage": "annual_wage",
}
TIME_LIMIT_LABELS: dict[str, str] = {
    "window_acceptance": "窗口受理",
    "manual_review": "人工审核",
    "feedback": "年审认证反馈",
    "send_to_tax": "报送税务",
    "certificate_download_after": "审核认定书可下载（完成申报后）",
}
WINDOW_INPUTS: dict[str, str] = {
    "start": "申报期开始",
    "end": "申报期结束",
    "concentrated_start": "集中申报期开始",
    "concentrated_end": "集中申报期结束",
}
