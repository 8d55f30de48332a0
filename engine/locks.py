"""The per-case lock: one writer at a time per case, across web and worker processes.

A case has several instances (the annual certification and one placement review per
person) whose script tasks update the same case rows, so the lock is per case, not per
instance. On PostgreSQL it is a row lock (`SELECT ... FOR UPDATE`) on `case_lock`, held
until the transaction ends; SQLite already serializes writers (`BEGIN IMMEDIATE`).
"""

from __future__ import annotations

from sqlalchemy import String, bindparam, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from engine.db import Base


class CaseLock(Base):
    __tablename__ = "case_lock"

    case_ref: Mapped[str] = mapped_column(String(100), primary_key=True)


_HELD = "quotacert_case_locks"
_TABLE = CaseLock.__table__
# built once: SQLAlchemy reuses the cache key and the compiled statement
_LOCK = select(_TABLE.c.case_ref).where(_TABLE.c.case_ref == bindparam("case_ref")).with_for_update()
_CREATE = pg_insert(_TABLE).values(case_ref=bindparam("case_ref")).on_conflict_do_nothing()


def lock_case(session: Session, case_ref: str) -> None:
    held = session.info.setdefault(_HELD, set())
    if case_ref in held:
        return
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # The row exists after the case's first command: one round trip then. Only the
        # first time is it created (racing creators wait on the unique index) and locked.
        params = {"case_ref": case_ref}
        if conn.execute(_LOCK, params).first() is None:
            conn.execute(_CREATE, params)
            conn.execute(_LOCK, params)
    held.add(case_ref)


def case_locked(session: Session, case_ref: str) -> None:
    """Record a case lock taken by a caller's own statement (`... FOR UPDATE OF case_lock`
    joined to the row that names the case), so that lock_case needs no round trip."""
    session.info.setdefault(_HELD, set()).add(case_ref)


def forget_locks(session: Session) -> None:
    session.info.pop(_HELD, None)


@event.listens_for(Session, "after_transaction_end")
def _release(session: Session, transaction) -> None:
    if transaction.parent is None:
        forget_locks(session)
