"""参数设置: a province's process owner changes its parameters from a day on, with history.

The shipped files under ``domain/data/params`` stay the defaults. What an owner
(流程管理员) changes is stored as rows of `ProvinceParamEntry` (an append-only log: a
dated value, a confirmation of shipped wage figures, the withdrawal of a change not yet
in force) and laid over the files by the domain look-ups (``domain.params``) through
`DatabaseChanges`, the one `ChangeSource` each process declares when it opens its
database. So the levy, the reward, the month checks, the 申报期 and the time limits all
use the value in force on their own date, in every web and worker process, without a
restart.

A change may not start before today (the engine clock's China date): what was in force
on a past day stays what it was, so no decision already taken is re-judged with other
figures. A change is read through its one declaration
(``casework.schemas.province_params``: the page's form and the API's body alike), whose
rules end in the same converters as the files (``domain.params_types``), and nothing is
stored unless all are right. Every act is in the audit log. The page and the API read
through ``casework.province_param_page``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from casework.audit import record
from casework.models.province_param import KIND_CANCEL, KIND_CONFIRM, KIND_SET, ProvinceParamEntry
from casework.process_versions import province_of
from casework.schemas.province_params import (
    ChangeRequest,
    ProvinceParamChange,
    first_input,
    read_change,
)
from casework.scope import Forbidden, NotFound
from domain import params
from domain.errors import DomainError, FieldErrors
from domain.param_changes import ParamChange
from domain.params_types import CONVERTERS, TABLE_LABELS, check_value

log = logging.getLogger(__name__)

__all__ = [
    "DatabaseChanges",
    "add_change",
    "ask_once_per_transaction",
    "cancel_change",
    "confirm_figures",
    "install",
    "province_of",
]

# -- the database as the domain's ChangeSource ----------------------------------------------


@dataclass
class _Asked:
    """The generations asked during one transaction of the application's sessions."""

    transaction: SessionTransaction  # the root transaction that opened it
    generations: dict[DatabaseChanges, int] = field(default_factory=dict)

    def open(self) -> bool:
        return self.transaction.is_active


# the transaction the look-ups of this thread (or task) are made in, as far as it is known
_asked: ContextVar[_Asked | None] = ContextVar("quotacert_param_generation", default=None)


def _began(session: Session, transaction: SessionTransaction, _connection: Any) -> None:
    current = _asked.get()
    if current is None or not current.open():
        _asked.set(_Asked(session.get_transaction() or transaction))


def _committed(_session: Session) -> None:
    """Whatever committed in this thread may have been a change: ask again."""
    current = _asked.get()
    if current is not None:
        current.generations.clear()


def _ended(_session: Session, transaction: SessionTransaction) -> None:
    current = _asked.get()
    if current is not None and current.transaction is transaction:
        _asked.set(None)


def ask_once_per_transaction(factory: sessionmaker[Session]) -> None:
    """Let look-ups made inside a transaction of `factory`'s sessions ask the largest
    change id once: the first look-up asks it, the others of the same transaction reuse
    it, a commit in the same thread (the owner's own save, another session's) makes the
    next one ask again, and the next transaction asks anew. Look-ups outside any
    transaction ask every time."""
    for name, listener in (("after_begin", _began), ("after_commit", _committed),
                           ("after_transaction_end", _ended)):
        if not event.contains(factory, name, listener):
            event.listen(factory, name, listener)


class DatabaseChanges:
    """The owners' changes in force-or-pending, read from the database for the look-ups.

    `generation` is one query on the primary key (the largest id: the log only grows),
    about 0.1 ms on SQLite and 0.25 ms on PostgreSQL, asked once per transaction of the
    application's sessions (`ask_once_per_transaction`) and on every look-up made outside
    one; so a change committed in any process is seen by the next transaction anywhere,
    and one committed in this thread by the next look-up. It reads through an engine of
    its own that never writes: on SQLite the application's connections open with BEGIN
    IMMEDIATE, and a look-up made while a request holds the write lock must not queue
    behind it (WAL lets it read the last committed state); on PostgreSQL it reads in
    autocommit, outside the caller's transaction, so it sees what others committed. A
    change not yet committed is not seen, not even by its own transaction.
    """

    def __init__(self, engine: Engine) -> None:
        if engine.dialect.name == "sqlite":
            self._engine = create_engine(
                engine.url, connect_args={"timeout": 30, "check_same_thread": False}
            )
        else:
            # autocommit and no pre-ping: one round trip per look-up (a dropped connection
            # fails one look-up, is discarded by the pool, and the next one reconnects)
            self._engine = create_engine(
                engine.url, isolation_level="AUTOCOMMIT", pool_size=2, max_overflow=8, pool_recycle=1800
            )

    def generation(self) -> int:
        asked = _asked.get()
        if asked is not None and asked.open():
            known = asked.generations.get(self)
            if known is None:
                known = asked.generations[self] = self._largest_id()
            return known
        return self._largest_id()

    def _largest_id(self) -> int:
        with self._engine.connect() as conn:
            return conn.scalar(select(func.max(ProvinceParamEntry.id))) or 0

    def changes(self) -> list[ParamChange]:
        with self._engine.connect() as conn:
            rows = conn.execute(
                select(ProvinceParamEntry).where(ProvinceParamEntry.kind.in_([KIND_SET, KIND_CANCEL]))
            ).all()
        cancelled = {row.ref_id for row in rows if row.kind == KIND_CANCEL}
        return [to_change(row) for row in rows if row.kind == KIND_SET and row.id not in cancelled]

    def close(self) -> None:
        params.stop_using_changes(self)
        self._engine.dispose()


def to_change(row: Any) -> ParamChange:
    return ParamChange(
        id=row.id, province=row.province[:2], key=row.field, value=row.value, start=row.valid_from,
        end=row.valid_to, region=row.region or "", year=row.year, note=row.note or "",
        created_by=row.created_by or "", created_at=row.created_at,
    )


def install(engine: Engine, factory: sessionmaker[Session] | None = None) -> DatabaseChanges | None:
    """Lay this database's changes over the files for every look-up of this process,
    asked once per transaction of `factory`'s sessions. An in-memory SQLite database
    cannot be read from a second connection: files only."""
    if engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"):
        log.warning("in-memory database: province parameter changes are not applied")
        return None
    source = DatabaseChanges(engine)
    if factory is not None:
        ask_once_per_transaction(factory)
    params.use_changes(source)
    return source


# -- the acts -------------------------------------------------------------------------------


def _in_force(request: ChangeRequest, province: str) -> Any:
    """What the look-ups would give on the change's first day without it (None: nothing)."""
    store = params.current_store()
    prefix = province[:2]
    if request.key in CONVERTERS:
        try:
            return store.resolve_field(prefix, request.key, request.valid_from).value
        except DomainError:
            return None
    if request.key == "minimum_wage":
        found = store.resolve_minimum_wage(request.region, request.valid_from, exact=True)
    else:
        assert request.year is not None
        found = store.resolve_social_average_wage(request.region, request.year, request.valid_from, exact=True)
    return found.value if found is not None else None


def target_of(key: str, province: str, region: str = "", year: int | None = None) -> str:
    """How the audit log names a parameter: key@province, with region and year for wages."""
    where = region or province
    return f"{key}@{where}" + (f"/{year}" if year is not None else "")


def add_change(
    session: Session, user: Any, data: Mapping[str, Any] | ProvinceParamChange, *, today: date, now: datetime,
    ip: str = "",
) -> ProvinceParamEntry:
    """Store a dated change of the owner's province, from the page's form or the API's body
    (FieldErrors: nothing stored)."""
    province = province_of(user)
    request = read_change(data, province, today)
    if request.valid_to is None and check_value(request.key, request.raw) == _in_force(request, province):
        raise FieldErrors({first_input(request.key): "与该日起适用的值相同，无需修改"})
    entry = ProvinceParamEntry(
        province=province, kind=KIND_SET, field=request.key, region=request.region, year=request.year,
        valid_from=request.valid_from, valid_to=request.valid_to, value=request.raw, note=request.note,
        user_id=getattr(user, "id", None), created_by=_actor(user), created_at=now,
    )
    session.add(entry)
    session.flush()
    record(
        session, user, "修改省级参数", target=target_of(request.key, province, request.region, request.year),
        detail={"entry": entry.id, "valid_from": request.valid_from.isoformat(),
                "valid_to": request.valid_to.isoformat() if request.valid_to else None,
                "value": request.raw, "note": request.note},
        ip=ip,
    )
    return entry


def _own_entry(session: Session, province: str, entry_id: int) -> ProvinceParamEntry:
    entry = session.get(ProvinceParamEntry, entry_id) if 0 < entry_id < 2**31 else None
    if entry is None or entry.province != province:
        raise NotFound("未找到该参数修改记录")
    return entry


def cancelled_ids(session: Session, province: str) -> set[int]:
    return set(session.scalars(select(ProvinceParamEntry.ref_id).where(
        ProvinceParamEntry.province == province, ProvinceParamEntry.kind == KIND_CANCEL
    )))


def cancel_change(
    session: Session, user: Any, entry_id: int, *, today: date, now: datetime, ip: str = ""
) -> ProvinceParamEntry:
    """Withdraw a change that has not yet taken effect; one in force stays in the history
    (a later change from a later day replaces it)."""
    province = province_of(user)
    entry = _own_entry(session, province, entry_id)
    if entry.kind != KIND_SET:
        raise NotFound("未找到该参数修改记录")
    if entry.id in cancelled_ids(session, province):
        raise DomainError("该修改已撤销")
    assert entry.valid_from is not None
    if entry.valid_from <= today:
        raise DomainError("该修改已生效，不能撤销；如需调整，请新增一条自以后某日起的修改")
    cancel = ProvinceParamEntry(
        province=province, kind=KIND_CANCEL, field=entry.field, region=entry.region, year=entry.year,
        valid_from=entry.valid_from, valid_to=entry.valid_to, value=entry.value, note="",
        ref_id=entry.id, user_id=getattr(user, "id", None), created_by=_actor(user), created_at=now,
    )
    session.add(cancel)
    record(session, user, "撤销省级参数修改", target=target_of(entry.field, province, entry.region, entry.year),
           detail={"entry": entry.id, "valid_from": entry.valid_from.isoformat()}, ip=ip)
    return cancel


def confirmations(session: Session, province: str) -> dict[tuple[str, str], Any]:
    """(table, region) → the shipped figures the owner confirmed last."""
    rows = session.scalars(
        select(ProvinceParamEntry)
        .where(ProvinceParamEntry.province == province, ProvinceParamEntry.kind == KIND_CONFIRM)
        .order_by(ProvinceParamEntry.id)
    )
    return {(row.field, row.region): row.value for row in rows}


def is_confirmed(confirmed: Mapping[tuple[str, str], Any], table: str, region: str) -> bool:
    """Confirmed when the figures confirmed are still the shipped ones (a release that
    brings other demo figures needs another check)."""
    shipped = params.current_store().shipped_figures(region[:2], table, region)
    return shipped is not None and confirmed.get((table, region)) == shipped


def confirm_figures(
    session: Session, user: Any, table: str, region: str, *, now: datetime, ip: str = ""
) -> ProvinceParamEntry:
    """The office checked a region's shipped wage figures against the published ones: the
    page stops marking them 演示数据，待核实."""
    province = province_of(user)
    if table not in TABLE_LABELS:
        raise NotFound("未找到该参数")
    if (region or "")[:2] != province[:2]:
        raise Forbidden("只能核实本省（区、市）的数据")
    store = params.current_store()
    shipped = store.shipped_figures(province[:2], table, region)
    if shipped is None or not store.demo_notice(province[:2]):
        raise DomainError("该地区没有待核实的演示数据")
    if is_confirmed(confirmations(session, province), table, region):
        raise DomainError("该地区的数据已核实")
    entry = ProvinceParamEntry(
        province=province, kind=KIND_CONFIRM, field=table, region=region, value=shipped, note="",
        user_id=getattr(user, "id", None), created_by=_actor(user), created_at=now,
    )
    session.add(entry)
    record(session, user, "核实省级参数", target=target_of(table, province, region), detail={"figures": shipped}, ip=ip)
    return entry


def history(session: Session, province: str) -> Sequence[ProvinceParamEntry]:
    """Every act on the province's parameters, newest first."""
    return list(session.scalars(
        select(ProvinceParamEntry).where(ProvinceParamEntry.province == province)
        .order_by(ProvinceParamEntry.id.desc())
    ))


def _actor(user: Any) -> str:
    name = getattr(user, "display_name", "") or ""
    login = getattr(user, "login", "") or ""
    return (f"{name}（{login}）" if name and login and name != login else name or login)[:100]
