"""Timer event definitions that read the engine clock instead of the system clock.

The due time is evaluated once and kept in the task's internal data (`event_value`),
which is what the scheduler indexes (`process_instance.next_timer_at`) so that only
instances with a due timer are loaded.
"""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)


def _clock_now(my_task) -> datetime:
    return my_task.workflow.script_engine.clock.now()


class ClockTimeDateEventDefinition(TimeDateEventDefinition):
    """A `timeDate` timer, e.g. `add_working_days(10)`, compared with the engine clock."""

    def has_fired(self, my_task) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            event_value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            if isinstance(event_value, datetime):
                event_value = event_value.isoformat()
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.get_datetime(event_value) <= _clock_now(my_task):
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


class ClockDurationTimerEventDefinition(DurationTimerEventDefinition):
    """A `timeDuration` timer (calendar time, e.g. "PT1H") measured on the engine clock."""

    def has_fired(self, my_task) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            expression = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            parsed = TimerEventDefinition.parse_iso_duration(expression)
            start = _clock_now(my_task)
            due = start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
            event_value = due.isoformat()
            my_task._set_internal_data(event_value=event_value)
        if TimerEventDefinition.get_datetime(event_value) <= _clock_now(my_task):
            my_task._set_internal_data(event_fired=True)
        return my_task._get_internal_data("event_fired", False)


def to_clock_timer(definition):
    """Swap a stock timer definition for its clock-aware twin (cycle timers are unused)."""
    if type(definition) is TimeDateEventDefinition:
        return ClockTimeDateEventDefinition(
            definition.name, definition.expression, description=definition.description
        )
    if type(definition) is DurationTimerEventDefinition:
        return ClockDurationTimerEventDefinition(
            definition.name, definition.expression, description=definition.description
        )
    return definition
