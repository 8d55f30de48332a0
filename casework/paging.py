"""One page of a list (安置人员, 待办任务, 通知公告) and what the pagers need to know."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

PER_PAGE = 20
MAX_PER_PAGE = 100
# The largest page a query may ask for: its offset (page × per_page) stays a 64-bit
# integer on every database; a larger number is refused, never passed to SQL.
MAX_PAGE = 2**31 - 1


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def contains(column: Any, text: str) -> Any:
    """A LIKE condition "column contains text" in which % and _ typed by a user are plain
    characters, not wildcards."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%{escaped}%", escape="\\")
