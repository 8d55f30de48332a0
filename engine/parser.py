"""The BPMN parser: SpiffWorkflow's, with our deferred service task and clock timers."""

from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
)
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser

from engine.service_task import DeferredServiceTask
from engine.timers import to_clock_timer


class _ClockTimerMixin:
    def parse_timer_event(self, event):
        return to_clock_timer(super().parse_timer_event(event))


class ClockBoundaryEventParser(_ClockTimerMixin, SpiffBoundaryEventParser):
    pass


class ClockIntermediateCatchEventParser(_ClockTimerMixin, SpiffIntermediateCatchEventParser):
    pass


class QuotaBpmnParser(SpiffBpmnParser):
    """Parses and XSD-validates our diagrams."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("serviceTask"): (ServiceTaskParser, DeferredServiceTask),
        full_tag("boundaryEvent"): (ClockBoundaryEventParser, BoundaryEvent),
        full_tag("intermediateCatchEvent"): (
            ClockIntermediateCatchEventParser,
            IntermediateCatchEvent,
        ),
    }

    def __init__(self, validate: bool = True) -> None:
        super().__init__(validator=VALIDATOR if validate else None)
