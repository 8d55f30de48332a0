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

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.process_versions import province_of, version_for
from casework.scope import within_jurisdiction
from domain.errors import DomainError
from engine.models import ProcessInstance, SpecVersion

MAX_BATCH = 5000  # a province's running cases of one process in one go


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


def running_instances(session: Session, version_id: int, province: str) -> list[ProcessInstance]:
    return list(
        session.scalars(
            select(ProcessInstance)
            .where(
                ProcessInstance.spec_version_id == version_id,
                ProcessInstance.status == "running",
                within_jurisdiction(ProcessInstance.region_code, province),
            )
            .order_by(ProcessInstance.id)
            .limit(MAX_BATCH)
        )
    )


def dry_run(session: Session, runtime, user, from_id: int, to_id: int) -> list[CaseCheck]:
    """Every running case of the old version in the province, and whether it can move."""
    _source, target, province = _pair(session, user, from_id, to_id)
    checks = []
    for instance in running_instances(session, from_id, province):
        verdict = runtime.migration_check(session, instance, target.id)
        checks.append(CaseCheck(instance.id, instance.case_label, instance.subject_label,
                                verdict.movable, verdict.reasons, verdict.at))
    return checks


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
                check = CaseCheck(instance_id, instance.case_label, instance.subject_label,
                                  verdict.movable, verdict.reasons, verdict.at)
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
