"""The administrator's holiday table reaches the engine of every process (through the
sweeper's tick) and decides working days in years chinese-calendar does not know."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from domain.workdays import HolidayTable
from engine.clock import CHINA_TZ
from engine.dispatch import Sweeper
from engine.holidays import load_holidays, store_holidays

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_table_is_stored_and_picked_up(system):
    engine = system.runtime.script_engine
    start = datetime(2026, 12, 30, 10, 0, tzinfo=CHINA_TZ)
    assert engine.holidays.maintained_years() == set()
    unmaintained = engine._add_working_days(3, start.isoformat())
    assert unmaintained.startswith("2027-01-04")  # Mon–Fri fallback: Dec 31, Jan 1, Jan 4

    table = HolidayTable(years={2027})
    table.add_holiday(date(2027, 1, 1))
    with system.transaction() as session:
        store_holidays(session, table)
    Sweeper(system.executor, lambda task_id: None).sweep_once()
    assert date(2027, 1, 1) in engine.holidays.holidays
    assert engine._add_working_days(3, start.isoformat()).startswith("2027-01-05")
    with system.transaction() as session:
        assert load_holidays(session).to_dict() == table.to_dict()
