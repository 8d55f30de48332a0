"""Workflow state without its specs.

SpiffWorkflow embeds the whole process spec (about 13 KB here) in every snapshot. We
keep specs once, in the registry by content hash, and store an instance's state without
them; on load the already-parsed spec objects are reattached. This keeps rows small and
loads fast (no re-parsing of the spec for every step).
"""

from __future__ import annotations

import threading
from datetime import datetime
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.spiff.serializer.task_spec import ServiceTaskConverter

from engine.service_task import DeferredServiceTask
from engine.timers import ClockDurationTimerEventDefinition, ClockTimeDateEventDefinition


class SpeclessWorkflowConverter(BpmnWorkflowConverter):
    """Writes no spec; restores onto the spec objects handed in by the caller."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._specs = threading.local()

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct):
        spec, subprocess_specs = self._specs.value
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], _uuid, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(_uuid(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow

    def use_specs(self, spec, subprocess_specs) -> None:
        self._specs.value = (spec, subprocess_specs)


def _uuid(text: str) -> UUID:
    return UUID(text)


_CONFIG = dict(SPIFF_CONFIG)
_CONFIG[DeferredServiceTask] = ServiceTaskConverter
_CONFIG[ClockTimeDateEventDefinition] = _CONFIG[TimeDateEventDefinition]
_CONFIG[ClockDurationTimerEventDefinition] = _CONFIG[TimeDateEventDefinition]
_CONFIG[BpmnWorkflow] = SpeclessWorkflowConverter


class StateSerializer:
    """Dump a BpmnWorkflow to JSON text without specs; load it back onto parsed specs."""

    def __init__(self) -> None:
        registry = BpmnWorkflowSerializer.configure(_CONFIG)
        self._inner = BpmnWorkflowSerializer(registry)
        restore = registry.convert_from_dict[registry.typenames[BpmnWorkflow]]
        self._converter: SpeclessWorkflowConverter = restore.args[0].__self__

    @property
    def registry(self):
        """The converter registry (SpiffWorkflow's spec diff compares specs through it)."""
        return self._inner.registry

    def dumps(self, workflow: BpmnWorkflow) -> str:
        return self._inner.serialize_json(workflow)

    def loads(self, state: str, spec, subprocess_specs, script_engine) -> BpmnWorkflow:
        self._converter.use_specs(spec, subprocess_specs)
        workflow = self._inner.deserialize_json(state)
        workflow.script_engine = script_engine
        return workflow


def timer_due(event_value: str) -> datetime:
    """Parse a timer's stored due time."""
    return TimerEventDefinition.get_datetime(event_value)
