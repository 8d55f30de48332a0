"""The holiday table an administrator extends (years the `chinese-calendar` package does
not know yet, or a late change of arrangement), kept in the database so that the web
process and every worker count working days the same way."""

from __future__ import annotations

from sqlalchemy.orm import Session

from domain.workdays import HolidayTable
from engine.models import EngineSetting

_KEY = "holiday_table"


def load_holidays(session: Session) -> HolidayTable:
    row = session.get(EngineSetting, _KEY)
    return HolidayTable.from_dict(row.value) if row else HolidayTable()


def store_holidays(session: Session, table: HolidayTable) -> None:
    row = session.get(EngineSetting, _KEY)
    if row is None:
        session.add(EngineSetting(key=_KEY, value=table.to_dict()))
    else:
        row.value = table.to_dict()
