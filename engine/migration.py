"""Moving running instances to another version of their process (SpiffWorkflow's
`diff_workflow` / `migrate_workflow`), in bulk, each instance on its own.

`check` says for one instance whether it can move and, if not, why, in Chinese: a task it
is at (READY, WAITING or STARTED) was removed from the new version or changed there (its
form, lane, settings or kind), or a sub-process it is in no longer exists. Changes further
along do not matter: tasks the instance has not reached are predicted again from the new
version, so a task added after its current position runs when it gets there.

`migrate` moves one instance. The pitfalls measured in ENGINE_NOTES are handled here:
only READY tasks are reset (a WAITING timer keeps its due date instead of being computed
again from now), the sub-process specs are set on the workflow and each running
sub-process is migrated with its own diff, and event-manager entries whose task was
dropped are removed. The caller holds the transaction, so a case that fails is rolled
back untouched; the batch is `casework`'s business (one transaction per case).
"""

from __future__ import annotations

from dataclasses import dataclass

from SpiffWorkflow.bpmn.util.diff import SpecDiff, WorkflowDiff, migrate_workflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.models import ProcessInstance
from engine.specs import ParsedSpec
from engine.step_store import sync

# Spec attributes whose change does not stop an instance that is at the task: where the
# flow goes next (predicted again) and the labels.
_HARMLESS = frozenset({"inputs", "outputs", "bpmn_name", "description", "documentation", "lane_id"})
_ACTIVE = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass(frozen=True)
class InstanceCheck:
    instance_id: int
    movable: bool
    reasons: tuple[str, ...] = ()
    at: tuple[str, ...] = ()  # where the instance is: the names of its active tasks


def _label(task) -> str:
    spec = task.task_spec
    name = getattr(spec, "bpmn_name", None) or ""
    element = getattr(spec, "bpmn_id", None) or spec.name
    return f"“{name}”（{element}）" if name else f"“{element}”"


def _significant(changes) -> list[str]:
    return [c for c in changes if c not in _HARMLESS]


@dataclass
class _Part:
    """One workflow of the instance (the top one or a running sub-process) with its diff."""

    workflow: object
    new_spec: object | None
    spec_diff: SpecDiff | None
    diff: WorkflowDiff | None


def _parts(serializer_registry, wf, target: ParsedSpec) -> list[_Part]:
    spec_diff = SpecDiff(serializer_registry, wf.spec, target.spec)
    parts = [_Part(wf, target.spec, spec_diff, WorkflowDiff(wf, spec_diff))]
    for sub in wf.subprocesses.values():
        new = target.subprocess_specs.get(sub.spec.name)
        if new is None:
            parts.append(_Part(sub, None, None, None))
            continue
        sub_diff = SpecDiff(serializer_registry, sub.spec, new)
        parts.append(_Part(sub, new, sub_diff, WorkflowDiff(sub, sub_diff)))
    return parts


def _active(workflow) -> list:
    return [
        t for t in workflow.get_tasks(state=_ACTIVE, skip_subprocesses=True)
        if getattr(t.task_spec, "bpmn_id", None) is not None
    ]


def check(serializer_registry, wf, instance_id: int, target: ParsedSpec) -> InstanceCheck:
    """Whether a loaded workflow can move to `target`, and why not."""
    try:
        parts = _parts(serializer_registry, wf, target)
    except Exception as exc:  # an alignment the library cannot make is a refusal, not a crash
        return InstanceCheck(instance_id, False, (f"无法比较两个版本：{exc}",))
    reasons: list[str] = []
    at: list[str] = []
    for part in parts:
        active = _active(part.workflow)
        at.extend(_label(t) for t in active if t.task_spec.manual)
        if part.spec_diff is None:
            if active:
                reasons.append(f"所在的子流程“{part.workflow.spec.name}”在新版本中已不存在")
            continue
        removed = set(part.spec_diff.removed)
        changed = {spec: _significant(c) for spec, c in part.spec_diff.changed.items()}
        for task in active:
            if task.task_spec in removed:
                reasons.append(f"当前环节{_label(task)}在新版本中已删除")
            elif changed.get(task.task_spec):
                reasons.append(f"当前环节{_label(task)}在新版本中有改动（{'、'.join(changed[task.task_spec])}）")
    return InstanceCheck(instance_id, not reasons, tuple(dict.fromkeys(reasons)), tuple(dict.fromkeys(at)))


def migrate(
    session: Session, serializer_registry, wf, instance: ProcessInstance, target: ParsedSpec
) -> InstanceCheck:
    """Move a loaded workflow onto `target` in place (the caller saves it); refuses (returns
    the check) when the instance cannot move."""
    verdict = check(serializer_registry, wf, instance.id, target)
    if not verdict.movable:
        return verdict
    for part in _parts(serializer_registry, wf, target):
        if part.diff is not None:
            migrate_workflow(part.diff, part.workflow, part.new_spec, reset_mask=TaskState.READY)
    wf.subprocess_specs = target.subprocess_specs
    _drop_stale_events(wf)
    session.execute(
        update(ProcessInstance).where(ProcessInstance.id == instance.id).values(spec_version_id=target.version_id)
        .execution_options(synchronize_session=False)
    )
    sync(instance, {"spec_version_id": target.version_id})
    return verdict


def _drop_stale_events(wf) -> None:
    manager = getattr(wf, "event_manager", None)
    tasks = getattr(manager, "tasks", None)
    if not isinstance(tasks, dict):
        return
    alive = set(wf.tasks)
    for sub in wf.subprocesses.values():
        alive |= set(sub.tasks)
    for key in [k for k, t in tasks.items() if getattr(t, "id", None) not in alive]:
        del tasks[key]
