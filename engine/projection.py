"""What the runtime derives from a workflow after each step, in the same transaction:
the inbox rows (READY human tasks), the outbox rows (STARTED service tasks) and the
earliest due timer. Nothing here reads serialized state later; readers use the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.lanes import SYSTEM_ROLE, LaneTable
from engine.serializer import timer_due
from engine.service_task import REQUEST_KEY, DeferredServiceTask
from engine.specs import task_properties

OUTBOXED_KEY = "outboxed"


@dataclass(frozen=True)
class ReadyTask:
    task_id: str
    task_name: str
    title: str
    form: str
    role: str
    due_at: datetime | None
    props: dict  # the task's diagram properties: a form's settings (outcomes, labels, ...)


@dataclass(frozen=True)
class ServiceRequest:
    task_id: str
    operation: str
    params: dict


def ready_human_tasks(wf: BpmnWorkflow, lanes: LaneTable) -> list[ReadyTask]:
    tasks = []
    for task in wf.get_tasks(state=TaskState.READY, manual=True):
        spec = task.task_spec
        props = task_properties(spec)
        tasks.append(
            ReadyTask(
                task_id=str(task.id),
                task_name=spec.bpmn_id or spec.name,
                title=spec.bpmn_name or spec.name,
                form=props.pop("form", ""),
                # a lane removed from the table after the diagram was published: nobody's
                # inbox rather than a failed step (the diagram check refuses it up front)
                role=lanes.roles.get(spec.lane, SYSTEM_ROLE) if spec.lane else SYSTEM_ROLE,
                due_at=_boundary_timer_due(task),
                props=props,
            )
        )
    return tasks


def _boundary_timer_due(task) -> datetime | None:
    """A human task's deadline is the due time of a timer attached to it, if any."""
    parent = task.parent
    if parent is None or not parent.task_spec.name.endswith("BoundaryEventSplit"):
        return None
    dues = []
    for sibling in parent.children:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            value = sibling._get_internal_data("event_value")
            if value:
                dues.append(timer_due(value))
    return min(dues) if dues else None


def new_service_requests(wf: BpmnWorkflow) -> list[ServiceRequest]:
    """STARTED deferred service tasks not yet written to the outbox (marks them written)."""
    requests = []
    for task in wf.get_tasks(state=TaskState.STARTED, spec_class=DeferredServiceTask):
        if task._get_internal_data(OUTBOXED_KEY):
            continue
        request = task._get_internal_data(REQUEST_KEY) or {}
        task._set_internal_data(**{OUTBOXED_KEY: True})
        requests.append(
            ServiceRequest(str(task.id), request.get("operation", ""), request.get("params", {}))
        )
    return requests


def next_timer_due(wf: BpmnWorkflow) -> datetime | None:
    dues = []
    for task in wf.event_manager.tasks.values():
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, TimerEventDefinition):
            value = task._get_internal_data("event_value")
            if value:
                dues.append(timer_due(value))
    return min(dues) if dues else None
