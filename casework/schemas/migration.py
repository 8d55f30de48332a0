"""迁移在办业务: what the owner sends to start the batch (webapp/process_changes.py)."""

from __future__ import annotations

from casework.schemas.base import Request
from casework.schemas.types import db_id


class MigrationRunInput(Request):
    """批量迁移: the target version the owner saw on the check page (a hidden field); the
    batch runs only if it is still the version in force."""

    to: db_id("迁移目标版本")
