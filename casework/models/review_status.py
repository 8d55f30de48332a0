"""Where an application reviewed twice stands (超比例奖励, 缓减免, …): the statuses its
diagram's script tasks set. Each application names the approved and rejected ends in its
own words (复审通过 / 已批准), and says what each status means for its unit."""

from __future__ import annotations

FIRST_REVIEW = "first_review"  # 待初审
RETURNED = "returned"  # 退回补正
SECOND_REVIEW = "second_review"  # 待复审 / 待复核
APPROVED = "approved"
REJECTED = "rejected"
# the statuses a diagram's script task may set while the application is under review
UNDER_REVIEW = (FIRST_REVIEW, RETURNED, SECOND_REVIEW)


def status_names(approved: str, rejected: str) -> dict[str, str]:
    return {FIRST_REVIEW: "待初审", RETURNED: "退回补正", SECOND_REVIEW: "待复审", APPROVED: approved, REJECTED: rejected}
