"""The stages a diagram shows its users (the 首页 progress bar), read from the diagram.

A task may carry a `stage` property (按比例安置登记, 完成申报, 发送税务部门 …). The stages
are listed in the order the flow first reaches them from the start event, so a province
that adds a stage to its diagram shows it without a code change. An instance's progress:
a stage is current while one of its tasks waits (ready, running or waiting), done once
one of its tasks completed and none waits, to do otherwise.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.specs import task_properties

WAITING = TaskState.READY | TaskState.STARTED | TaskState.WAITING


@dataclass(frozen=True)
class Stage:
    name: str
    state: str  # done / current / todo


def stage_order(spec) -> list[str]:
    """Stage names in the order a walk from the start event first meets them."""
    seen, order = set(), []
    queue = deque([spec.start])
    while queue:
        task_spec = queue.popleft()
        if task_spec.name in seen:
            continue
        seen.add(task_spec.name)
        stage = task_properties(task_spec).get("stage", "").strip()
        if stage and stage not in order:
            order.append(stage)
        queue.extend(task_spec.outputs)
    return order


def progress(wf: BpmnWorkflow) -> list[Stage]:
    current, reached = set(), set()
    for task in wf.get_tasks(state=WAITING | TaskState.COMPLETED):
        stage = task_properties(task.task_spec).get("stage", "").strip()
        if not stage:
            continue
        (current if task.has_state(WAITING) else reached).add(stage)
    return [
        Stage(name, "current" if name in current else "done" if name in reached else "todo")
        for name in stage_order(wf.spec)
    ]
