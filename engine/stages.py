"""The stages a diagram shows its users (the 首页 progress bar), read from the diagram.

A task may carry a `stage` property (按比例安置登记, 完成申报, 发送税务部门 …). The stages
are listed in the order the flow first reaches them from the start event, so a province
that adds a stage to its diagram shows it without a code change. An instance's progress:
a stage is current while one of its tasks waits (ready, running or waiting), done once
one of its tasks completed and none waits, to do otherwise.

A stage only an exception path reaches (a boundary event's flow: 浙江's 窗口受理 and
属地审核, entered when a window receives the unit's papers) is not every case's way: the
progress shows it once the case gets there, never as a step still to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.specs import task_properties

WAITING = TaskState.READY | TaskState.STARTED | TaskState.WAITING


@dataclass(frozen=True)
class Stage:
    name: str
    state: str  # done / current / todo


def stage_order(spec, subprocess_specs: dict | None = None) -> list[str]:
    """Stage names ordered by how deep into the flow their tasks sit: the longest path
    from the start event to the task, loops back ignored. (The first-reached order would
    put 完成登记 before 材料审核, since the system-confirmed shortcut reaches it as soon.)
    The stages inside an embedded sub-process come in its place, in their own order."""
    return [name for name, _ in _ordered(spec, subprocess_specs or {}, set())]


def _ordered(spec, subprocess_specs: dict, entered: set[str]) -> list[tuple[str, float]]:
    postorder, state, forward = [], {}, {}
    stack = [(spec.start, iter(spec.start.outputs))]
    state[spec.start.name] = "open"
    forward[spec.start.name] = []
    while stack:  # depth-first, without recursion: the edges back into an open task are loops
        task_spec, outputs = stack[-1]
        following = next(outputs, None)
        if following is None:
            stack.pop()
            state[task_spec.name] = "done"
            postorder.append(task_spec)
            continue
        seen = state.get(following.name)
        if seen == "open":
            continue
        forward[task_spec.name].append(following)
        if seen is None:
            state[following.name] = "open"
            forward[following.name] = []
            stack.append((following, iter(following.outputs)))
    depth = {spec.start.name: 0}
    for task_spec in reversed(postorder):  # a topological order of the loop-free graph
        for following in forward[task_spec.name]:
            depth[following.name] = max(depth.get(following.name, 0), depth.get(task_spec.name, 0) + 1)
    first: dict[str, float] = {}

    def place(stage: str, at: float) -> None:
        first[stage] = min(first.get(stage, at), at)

    for task_spec in postorder:
        stage = task_properties(task_spec).get("stage", "").strip()
        if stage:
            place(stage, depth[task_spec.name])
        inner_id = getattr(task_spec, "spec", None)
        if isinstance(inner_id, str) and inner_id in subprocess_specs and inner_id not in entered:
            inner = _ordered(subprocess_specs[inner_id], subprocess_specs, entered | {inner_id})
            for i, (name, _) in enumerate(inner, start=1):
                place(name, depth[task_spec.name] + i / (len(inner) + 1))
    return sorted(first.items(), key=lambda item: item[1])


def exceptional_stages(spec, subprocess_specs: dict | None = None) -> set[str]:
    """The stages no task on the normal flow carries: every task of theirs lies behind a
    boundary event (the flows that leave a task when an event interrupts or escalates it)."""
    subprocess_specs = subprocess_specs or {}
    everywhere: set[str] = set()
    normal: set[str] = set()

    def walk(process, entered: frozenset[str]) -> None:
        everywhere.update(filter(None, map(_stage, process.task_specs.values())))
        seen, stack = set(), [process.start]
        while stack:
            task_spec = stack.pop()
            if task_spec.name in seen or isinstance(task_spec, BoundaryEvent):
                continue
            seen.add(task_spec.name)
            normal.add(_stage(task_spec))
            inner_id = getattr(task_spec, "spec", None)
            if isinstance(inner_id, str) and inner_id in subprocess_specs and inner_id not in entered:
                walk(subprocess_specs[inner_id], entered | {inner_id})
            stack.extend(task_spec.outputs)

    walk(spec, frozenset())
    return everywhere - normal - {""}


def progress(wf: BpmnWorkflow) -> list[Stage]:
    current, reached = set(), set()
    for task in wf.get_tasks(state=WAITING | TaskState.COMPLETED):
        if isinstance(task.task_spec, BoundaryEvent) and task.has_state(TaskState.COMPLETED) and task.parent:
            # an event that interrupted a step ended it: the unit's 按比例安置登记 is behind
            # it once a window received its papers, though nobody completed the step
            reached |= {_stage(t.task_spec) for t in task.parent.children if not isinstance(t.task_spec, BoundaryEvent)}
        stage = _stage(task.task_spec)
        if not stage:
            continue
        (current if task.has_state(WAITING) else reached).add(stage)
    reached.discard("")
    hidden = exceptional_stages(wf.spec, wf.subprocess_specs) - current - reached
    return [
        Stage(name, "current" if name in current else "done" if name in reached else "todo")
        for name in stage_order(wf.spec, wf.subprocess_specs)
        if name not in hidden
    ]


def _stage(task_spec) -> str:
    return task_properties(task_spec).get("stage", "").strip()
