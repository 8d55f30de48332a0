"""What the runtime derives from a workflow after each step, in the same transaction:
the inbox rows (READY human tasks), the outbox rows (STARTED service tasks) and the
earliest due timer. Nothing here reads serialized state later; readers use the rows.
"""

from __future__ import annotations

import logging
import re
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
# A task property naming the data variable that holds the region code its inbox row gets
# (say `window_region`): 003's 收受分离, where the window that received a unit's papers
# is in another county (or province) than the unit, and its clerks, not the unit's
# reviewers, must find the task. Without it a row gets the instance's region.
REGION_FROM = "region_from"
# A task's `exclude_actor` property names variables (comma-separated) holding the login of
# someone who may not work it: separation of duties written in the diagram (the reviewer
# of 初审 does not do 复审; a supervisor does not 复核 what they filed at the window).
EXCLUDE_ACTOR = "exclude_actor"
REGION_CODE = re.compile(r"\d{6}")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReadyTask:
    task_id: str
    task_name: str
    title: str
    form: str
    role: str
    due_at: datetime | None
    props: dict  # the task's diagram properties: a form's settings (outcomes, labels, ...)
    region: str = ""  # the region its inbox row gets ("" = the instance's jurisdiction)
    excluded: str = ""  # ",login,login," of those who may not work it ("" = nobody)


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
                region=task_region(task, props),
                excluded=task_excluded(task, props),
            )
        )
    return tasks


def task_excluded(task, props: dict) -> str:
    """",a,b," for the logins the task's `exclude_actor` variables hold (empty values are
    skipped): the inbox leaves the task out for them and the commands refuse them."""
    names = [n.strip() for n in (props.get(EXCLUDE_ACTOR) or "").split(",") if n.strip()]
    logins = []
    for name in names:
        value = task.data.get(name)
        if isinstance(value, str) and value.strip() and "," not in value:
            logins.append(value.strip())
    return f",{','.join(dict.fromkeys(logins))}," if logins else ""


def task_region(task, props: dict) -> str:
    """The region named by the task's `region_from` variable, or "" (the instance's).

    The diagram check makes sure the variable has a source; if its value is still not a
    6-digit code when the task becomes ready, the task stays with the instance's own
    jurisdiction (logged): a task in the unit's inbox is better than a task in nobody's."""
    name = (props.get(REGION_FROM) or "").strip()
    if not name:
        return ""
    value = task.data.get(name)
    text = str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if REGION_CODE.fullmatch(text):
        return text
    log.warning("task %s: %s=%r is no region code; the instance's region is used", task.task_spec.name, name, value)
    return ""


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
