"""The script engine: task data plus the functions our diagrams may call.

Built-in functions are about time (`add_working_days`, `now`); the domain layer adds
its own (`record_month_checks`, `lock_case`, ...) through `register_script_function`,
so the engine never imports the case model and a diagram can only call what is listed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from domain.workdays import HolidayTable
from domain.workdays import add_working_days as add_working_days_from
from engine.clock import CHINA_TZ, Clock
from engine.context import current_step

_REGISTERED: dict[str, Callable] = {}


def register_script_function(name: str | None = None):
    """Decorator: make a function callable from BPMN scripts and expressions."""

    def decorator(fn: Callable) -> Callable:
        _REGISTERED[name or fn.__name__] = fn
        return fn

    return decorator


def registered_functions() -> dict[str, Callable]:
    return dict(_REGISTERED)


class QuotaScriptEngine(PythonScriptEngine):
    def __init__(self, clock: Clock, holidays: HolidayTable | None = None) -> None:
        self.clock = clock
        self.holidays = holidays or HolidayTable()
        env = {
            "add_working_days": self._add_working_days,
            "now": lambda: self.clock.local_now().isoformat(),
            **registered_functions(),
        }
        super().__init__(environment=TaskDataEnvironment(env))

    def _add_working_days(self, days: int, start: str | None = None) -> str:
        """Due time `days` working days after now (China time), as ISO text for the timer."""
        begin = datetime.fromisoformat(start) if start else self.clock.local_now()
        if begin.tzinfo is None:
            begin = begin.replace(tzinfo=CHINA_TZ)
        result = add_working_days_from(begin.astimezone(CHINA_TZ), int(days), self.holidays)
        if result.warnings:
            with contextlib.suppress(RuntimeError):
                current_step().warnings.extend(result.warnings)
        return result.due.isoformat()
