"""The BPMN parser: SpiffWorkflow's, with our deferred service task and clock timers."""

from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.task_parsers import SubprocessParser
from SpiffWorkflow.bpmn.specs.defaults import BoundaryEvent, IntermediateCatchEvent
from SpiffWorkflow.spiff.parser.event_parsers import (
    SpiffBoundaryEventParser,
    SpiffIntermediateCatchEventParser,
)
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import ServiceTaskParser, SubWorkflowParser
from SpiffWorkflow.spiff.specs.defaults import SubWorkflowTask

from engine.service_task import DeferredServiceTask
from engine.timers import to_clock_timer


class _ClockTimerMixin:
    def parse_timer_event(self, event):
        return to_clock_timer(super().parse_timer_event(event))


class ClockBoundaryEventParser(_ClockTimerMixin, SpiffBoundaryEventParser):
    pass


class ClockIntermediateCatchEventParser(_ClockTimerMixin, SpiffIntermediateCatchEventParser):
    pass


class EventSubprocessParser(SubWorkflowParser):
    """Sub-processes, with event sub-processes told apart and their interruption kept.

    SpiffWorkflow 3.2 looks for a namespaced `bpmn:triggeredByEvent`, which no modeler
    writes (bpmn-js and Camunda write it unprefixed), so an event sub-process is taken for
    a plain one; and it ignores the start event's `isInterrupting` (BPMN's default is
    true), so the main flow would go on beside it. Here the attribute is read as written
    and the flag kept on the spec; the runtime then cancels the rest of the process
    (`engine.runtime.interrupt`), as BPMN says an interrupting one does."""

    def create_task(self):
        if (self.node.get("triggeredByEvent") or "").lower() != "true":
            return super().create_task()
        extensions = self.parse_extensions()
        task = self.EVENT_SUBPROCESS_CLASS(
            self.spec,
            self.bpmn_id,
            subworkflow_spec=SubprocessParser.get_subprocess_spec(self),
            prescript=extensions.get("preScript"),
            postscript=extensions.get("postScript"),
            **self.bpmn_attributes,
        )
        starts = self.xpath("./bpmn:startEvent")
        task.interrupting = any(s.get("isInterrupting", "true").lower() == "true" for s in starts)
        return task


class QuotaBpmnParser(SpiffBpmnParser):
    """Parses and XSD-validates our diagrams."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("subProcess"): (EventSubprocessParser, SubWorkflowTask),
        full_tag("serviceTask"): (ServiceTaskParser, DeferredServiceTask),
        full_tag("boundaryEvent"): (ClockBoundaryEventParser, BoundaryEvent),
        full_tag("intermediateCatchEvent"): (
            ClockIntermediateCatchEventParser,
            IntermediateCatchEvent,
        ),
    }

    def __init__(self, validate: bool = True) -> None:
        super().__init__(validator=VALIDATOR if validate else None)
