"""The engine's clock: real time plus an offset that tests and demos can set.

SpiffWorkflow's stock timers read `datetime.now()` directly; our timer definitions ask
this clock instead (ENGINE_NOTES: "timers with a settable clock"), so a demo can jump
ten working days ahead and watch a review escalate. The offset is stored in the
database so that the web process and the workers agree on what time it is.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from engine.db import as_utc
from engine.models import EngineSetting

CHINA_TZ = ZoneInfo("Asia/Shanghai")
_SETTING_KEY = "clock_offset_seconds"


def china_time(moment: datetime | None) -> datetime | None:
    """A stored moment (aware, or naive UTC from SQLite) in China time, for display."""
    return None if moment is None else as_utc(moment).astimezone(CHINA_TZ)


class Clock:
    """Wall-clock time shifted by `offset`; shared by the script engine and the scheduler."""

    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self.offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def local_now(self) -> datetime:
        """Now in China time, where working days are counted."""
        return self.now().astimezone(CHINA_TZ)

    def load(self, session: Session) -> None:
        """Pick up an offset set by another process."""
        row = session.get(EngineSetting, _SETTING_KEY)
        self.offset = timedelta(seconds=float(row.value["seconds"])) if row else timedelta(0)

    def set_now(self, session: Session, when: datetime) -> None:
        """Move the clock so that `now()` is `when` (stored for all processes)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=CHINA_TZ)
        self.offset = when - datetime.now(UTC)
        self._store(session)

    def start_at(self, session: Session, when: datetime) -> bool:
        """Set the clock to `when` unless an offset is already stored (first start only).

        Tests start every database at one fixed instant this way, so that no result
        depends on the date the suite runs on; a worker process that starts later keeps
        the time the first process set (and any advance since).
        """
        if session.get(EngineSetting, _SETTING_KEY) is not None:
            self.load(session)
            return False
        self.set_now(session, when)
        return True

    def advance(self, session: Session, delta: timedelta) -> None:
        self.offset += delta
        self._store(session)

    def reset(self, session: Session) -> None:
        self.offset = timedelta(0)
        self._store(session)

    def _store(self, session: Session) -> None:
        row = session.get(EngineSetting, _SETTING_KEY)
        value = {"seconds": self.offset.total_seconds()}
        if row is None:
            session.add(EngineSetting(key=_SETTING_KEY, value=value))
        else:
            row.value = value
