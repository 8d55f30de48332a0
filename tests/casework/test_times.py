"""Stored moments are UTC (SQLite hands them back naive); everything shown is China time."""

from __future__ import annotations

from datetime import UTC, datetime

from casework.exports import when
from engine.clock import china_time
from engine.db import as_utc


def test_naive_and_aware_moments_show_the_same_china_time():
    naive = datetime(2026, 1, 1, 0, 30)  # as SQLite returns a stored UTC moment
    aware = naive.replace(tzinfo=UTC)  # as PostgreSQL returns it
    assert as_utc(naive) == aware and as_utc(None) is None
    assert china_time(naive) == china_time(aware)
    assert when(naive) == when(aware) == "2026-01-01 08:30"
    assert when(None) == ""
