"""迁移在办业务: moving a province's running cases from one version of a process to the
version now in force, in one batch.

A dry run lists every running instance of the old version in the owner's province and
whether it can move (and why not: the task it is at was removed or changed). The batch
then moves the movable ones, each in its own transaction, so one case that fails is
rolled back alone and the others go on; each move is in the instance's history (a
`migration` event) and the audit log. Rolling back is the same operation the other way:
re-publish the earlier version and migrate back to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.process_versions import province_of, version_for
from casework.scope import within_jurisdiction
from domain.errors import DomainError
from engine.models import ProcessInstance, SpecVersion

MAX_BATCH = 5000  # a province's running cases of one process in one go

# What SpiffWorkflow's spec diff names a changed attribute of the task a case is at
# (engine.migration puts these names in its reasons), in the words of the 流程管理 pages.
CHANGED_ATTRIBUTES = {
    "typename": "环节类型",
    "name": "元素标识",
    "bpmn_id": "元素标识",
    "bpmn_name": "名称",
    "description": "环节类型",
    "documentation": "说明",
    "lane": "泳道",
    "manual": "是否人工办理",
    "extensions": "扩展属性（表单、阶段等）",
    "event_definition": "事件定义（定时器、消息等）",
    "cancel_activity": "是否中断所附环节",
    "cancel": "是否中断",
    "cond_task_specs": "分支条件",
    "default_task_spec": "默认连线",
    "choice": "分支选择",
    "operation_name": "服务操作",
    "operation_params": "服务操作参数",
    "result_variable": "结果变量",
    "script": "脚本",
    "prescript": "前置脚本",
    "postscript": "后置脚本",
    "spec": "子流程",
    "split_task": "汇合的分支",
    "threshold": "汇合条件",
    "trigger_specs": "触发环节",
    "data_input_associations": "数据输入",
    "data_output_associations": "数据输出",
    "io_specification": "输入输出定义",
    "variable": "变量",
    "lookahead": "预测步数",
}
_CHANGED = re.compile(r"有改动（([^）]*)）")


@dataclass(frozen=True)
class CaseCheck:
    instance_id: int
    case_label: str
    subject_label: str
    movable: bool
    reasons: tuple[str, ...]
    at: tuple[str, ...]


@dataclass
class BatchReport:
    moved: list[CaseCheck] = field(default_factory=list)
    refused: list[CaseCheck] = field(default_factory=list)
    failed: list[tuple[int, str]] = field(default_factory=list)


def in_chinese(reasons: tuple[str, ...]) -> tuple[str, ...]:
    """The engine's reasons with the spec attribute names it lists put in Chinese."""

    def names(match: re.Match) -> str:
        words = dict.fromkeys(CHANGED_ATTRIBUTES.get(w, w) for w in match.group(1).split("、"))
        return f"有改动（{'、'.join(words)}）"

    return tuple(_CHANGED.sub(names, reason) for reason in reasons)


def _check(instance: ProcessInstance, verdict) -> CaseCheck:
    return CaseCheck(instance.id, instance.case_label, instance.subject_label,
                     verdict.movable, in_chinese(verdict.reasons), verdict.at)


def _pair(session: Session, user, from_id: int, to_id: int) -> tuple[SpecVersion, SpecVersion, str]:
    province = province_of(user)
    source, target = version_for(session, user, from_id), version_for(session, user, to_id)
    if source.process_id != target.process_id:
        raise DomainError("只能在同一流程的版本之间迁移")
    if source.id == target.id:
        raise DomainError("请选择另一个版本作为迁移目标")
    if not target.is_current or target.province not in ("", province):
        raise DomainError("迁移目标须为本省当前生效的版本（回退时请先重新发布较早的版本）")
    return source, target, province


def _running(province: str):
    return (ProcessInstance.status == "running", within_jurisdiction(ProcessInstance.region_code, province))


def running_instances(session: Session, version_id: int, province: str, limit: int = MAX_BATCH) -> list[ProcessInstance]:
    return list(
        session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.spec_version_id == version_id, *_running(province))
            .order_by(ProcessInstance.id)
            .limit(min(limit, MAX_BATCH))
        )
    )


def running_counts(session: Session, user, process_id: str | None = None) -> dict[int, int]:
    """How many running cases of the owner's province are on each version (version id →
    count; versions without any are absent): what the list and a version's page show, so
    an owner sees which old versions still carry cases and need a migration."""
    province = province_of(user)
    query = (
        select(ProcessInstance.spec_version_id, func.count())
        .where(*_running(province))
        .group_by(ProcessInstance.spec_version_id)
    )
    if process_id is not None:
        query = query.where(ProcessInstance.process_id == process_id)
    return {version_id: count for version_id, count in session.execute(query)}


def target_of(session: Session, registry, user, version: SpecVersion) -> SpecVersion | None:
    """Where a version's running cases of the province would move: the version in force for
    the province (its own, else the national default); None when nothing is in force."""
    province = province_of(user)
    try:
        return registry.current(session, version.process_id, province)
    except DomainError:
        return None


def dry_run(session: Session, runtime, user, from_id: int, to_id: int, limit: int = MAX_BATCH) -> list[CaseCheck]:
    """Every running case of the old version in the province (the first `limit`), and
    whether it can move."""
    _source, target, province = _pair(session, user, from_id, to_id)
    return [
        _check(instance, runtime.migration_check(session, instance, target.id))
        for instance in running_instances(session, from_id, province, limit)
    ]


def migrate_batch(system, user, from_id: int, to_id: int, ip: str = "") -> BatchReport:
    """Move every movable case, each in its own transaction (a failure leaves that case
    untouched and the others moved)."""
    with system.transaction() as session:
        source, target, province = _pair(session, user, from_id, to_id)
        ids = [i.id for i in running_instances(session, from_id, province)]
        label = f"{source.process_id}@{province} V{source.number}→V{target.number}"
    report = BatchReport()
    for instance_id in ids:
        try:
            with system.transaction() as session:
                instance = session.get(ProcessInstance, instance_id)
                verdict = system.runtime.migrate(session, instance_id, to_id, actor=user.login)
                check = _check(instance, verdict)
                if verdict.movable:
                    record(session, user, "迁移在办业务", case_id=instance.case_id, target=label, ip=ip)
                    report.moved.append(check)
                else:
                    report.refused.append(check)
        except Exception as exc:  # one case's failure must not stop the batch; it is rolled back
            report.failed.append((instance_id, str(exc)[:200]))
    with system.transaction() as session:
        record(session, user, "批量迁移流程版本", target=label,
               detail={"moved": len(report.moved), "refused": len(report.refused), "failed": len(report.failed)}, ip=ip)
    return report
