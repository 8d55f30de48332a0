"""Jurisdiction: which rows a user may see.

A staff member's jurisdiction is a region subtree: a province office (210000) sees every
code starting "21", a city office (210300) every code starting "2103", a county office
(210302) only its own code; "" (no region) is national. Codes are compared by prefix, so
the same rule serves Python checks and SQL filters. An employer sees only its own unit.

Something outside a user's scope is reported exactly like something that does not exist
(`NotFound`), so that ids cannot be probed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, true

from domain.errors import DomainError, NotFound

__all__ = [
    "WINDOW_CLERK",
    "Forbidden",
    "NotFound",
    "ancestors",
    "is_within_jurisdiction",
    "reads_case_files",
    "region_prefix",
    "within_jurisdiction",
]


# 窗口受理人员 (003 收受分离): staff who receive a unit's papers at a service window, for
# any unit, while the unit's own jurisdiction handles the case. Their jurisdiction is their
# window's county; they see a unit's minimum data, never its people or their files.
WINDOW_CLERK = "window_clerk"


def reads_case_files(user: Any) -> bool:
    """Whether a staff user may open a case's people and files in their jurisdiction (the
    电子案卷, attachments): everyone who handles cases, not a window clerk."""
    return getattr(user, "role", "") not in ("", "employer", WINDOW_CLERK)


class Forbidden(DomainError):
    """The caller's role may not do this at all (answered as 403)."""

    def __init__(self, message: str = "无权执行此操作", field: str | None = None) -> None:
        super().__init__(message, field)


def region_prefix(code: str | None) -> str:
    """210000 → "21", 210300 → "2103", 210302 → "210302", "" → "" (national)."""
    text = (code or "").strip()
    if not text:
        return ""
    if len(text) != 6 or not text.isdigit():
        raise DomainError("行政区划代码应为6位数字", "region_code")
    if text.endswith("0000"):
        return text[:2]
    if text.endswith("00"):
        return text[:4]
    return text


def is_within_jurisdiction(code: str | None, jurisdiction: str | None) -> bool:
    """Whether a record's region `code` falls in the jurisdiction `jurisdiction`."""
    prefix = region_prefix(jurisdiction)
    target = (code or "").strip()
    if not prefix:
        return True
    return bool(target) and target.startswith(prefix)


def within_jurisdiction(column: Any, jurisdiction: str | None) -> ColumnElement[bool]:
    """A SQL condition: `column` (a 6-digit region code column) lies in the jurisdiction."""
    prefix = region_prefix(jurisdiction)
    if not prefix:
        return true()
    if len(prefix) == 6:
        return column == prefix
    # A range, not LIKE 'prefix%': a B-tree index serves it under any collation (LIKE
    # needs the C collation or a pattern index), which the inbox at scale depends on.
    following = str(int(prefix) + 1).zfill(len(prefix))
    if len(following) > len(prefix):  # "99": no code follows; never a real region
        return column.like(prefix + "%")
    return and_(column >= prefix, column < following)


def ancestors(code: str | None) -> list[str]:
    """The code, its city and its province, and "" (national): whose public notices apply."""
    text = (code or "").strip()
    if len(text) != 6 or not text.isdigit():
        return [""]
    chain = [text, text[:4] + "00", text[:2] + "0000", ""]
    return list(dict.fromkeys(chain))
