"""Writing the audit log. The entry joins the caller's transaction, so a change and its
entry are committed (or rolled back) together; nothing here commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from casework.models import AuditEntry

MAX_TARGET = 100
MAX_ACTOR = 100


def actor_name(user: Any) -> str:
    if user is None:
        return ""
    return (getattr(user, "display_name", "") or getattr(user, "login", "") or "")[:MAX_ACTOR]


def record(
    session: Session,
    user: Any,
    action: str,
    *,
    case_id: int | None = None,
    target: str = "",
    detail: dict | None = None,
    ip: str = "",
) -> AuditEntry:
    """Add one entry: who (`user`, may be None for an unknown login), what, on what, from where."""
    entry = AuditEntry(
        user_id=getattr(user, "id", None),
        actor=actor_name(user),
        role=getattr(user, "role", "") or "",
        action=action[:60],
        case_id=case_id,
        target=(target or "")[:MAX_TARGET],
        detail=detail,
        ip=(ip or "")[:45],
    )
    session.add(entry)
    return entry
