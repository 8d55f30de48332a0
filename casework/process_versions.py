"""流程管理: a province's process owner keeps the versions of its diagrams.

The national defaults are the files shipped under workflows/ (loaded as versions at
start). A process owner (流程管理员) of a province sees them and the province's own
versions, stores a new version as a draft (uploaded from Camunda Modeler or any tool, or
saved from our modeler), publishes a draft (new cases of the province start on it in
every web and worker process at once; running cases stay on theirs), and unpublishes the
province's version (new cases go back to the national default). Every change is in the
audit log. A diagram is stored only when it passes every check (`engine.validation`), so
a draft is always publishable as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.audit import record
from casework.path_samples import check_paths
from casework.process_rules import diagram_rules
from casework.scope import Forbidden, NotFound
from domain.errors import DomainError
from engine.holidays import load_holidays
from engine.models import SpecVersion
from engine.path_check import PathReport
from engine.specs import SpecError, SpecRegistry

OWNER_ROLE = "process_owner"
SOURCE_NAMES = {"file": "随系统发布", "upload": "上传文件", "modeler": "在线建模"}
MAX_UPLOAD_BYTES = 5_000_000

STATUS_HELP = {
    "生效中": "本省新建的业务从此版本开始；已在办的业务仍按其开始时的版本办理。",
    "草稿": "已通过校验并保存，尚未发布；发布后本省新建的业务从此版本开始。",
    "历史版本": "曾经发布，现已被其他版本替换或撤销发布；可以重新发布。",
}


@dataclass(frozen=True)
class ProcessSummary:
    process_id: str
    name: str
    national: SpecVersion | None  # the national default in force
    provincial: SpecVersion | None  # the province's own version in force (None: national applies)
    versions: list[SpecVersion]  # the province's versions, newest first


def province_of(user) -> str:
    """The province a process owner works for ("150000" for 内蒙古); only that role."""
    if getattr(user, "role", "") != OWNER_ROLE or not getattr(user, "region_code", ""):
        raise Forbidden("只有省级流程管理员可以管理流程")
    return user.region_code[:2] + "0000"


def status_of(version: SpecVersion) -> str:
    if version.is_current:
        return "生效中"
    return "草稿" if version.state == "draft" else "历史版本"


def national_process_ids(session: Session) -> frozenset[str]:
    """The processes a province may replace: those the country ships."""
    return frozenset(session.scalars(select(SpecVersion.process_id).where(SpecVersion.province == "").distinct()))


def summaries(session: Session, user) -> list[ProcessSummary]:
    province = province_of(user)
    rows = []
    for process_id in sorted(national_process_ids(session)):
        versions = list(
            session.scalars(
                select(SpecVersion)
                .where(SpecVersion.process_id == process_id, SpecVersion.province.in_(["", province]))
                .order_by(SpecVersion.id.desc())
            )
        )
        national = next((v for v in versions if v.province == "" and v.is_current), None)
        provincial = next((v for v in versions if v.province == province and v.is_current), None)
        name = (provincial or national or versions[0]).name
        rows.append(ProcessSummary(process_id, name, national, provincial, [v for v in versions if v.province == province]))
    return rows


def version_for(session: Session, user, version_id: int) -> SpecVersion:
    """A version the owner may see: the national ones and the province's own."""
    province = province_of(user)
    version = session.get(SpecVersion, version_id) if 0 < version_id < 2**31 else None
    if version is None or version.province not in ("", province):
        raise NotFound("未找到该流程版本")
    return version


def save_draft(
    session: Session, registry: SpecRegistry, user, data: bytes | str, *,
    process_id: str | None, source: str, note: str = "", filename: str = "", ip: str = "",
    dmn: bytes | str = "",
) -> SpecVersion:
    """Check a diagram with its decision tables (`dmn`, one DMN document, "" for none) and
    keep them as a draft of the province (SpecError lists the problems, each naming its
    BPMN element or decision). With `process_id` the diagram must define that process;
    without, any the country ships."""
    province = province_of(user)
    if source not in SOURCE_NAMES or source == "file":
        raise DomainError("来源不正确")
    known = national_process_ids(session)
    if process_id is not None and process_id not in known:
        raise NotFound("未找到该流程")
    if len(data.encode("utf-8") if isinstance(data, str) else data) > MAX_UPLOAD_BYTES:
        raise SpecError(f"文件过大（上限{MAX_UPLOAD_BYTES // 1_000_000} MB）")
    if len(dmn.encode("utf-8") if isinstance(dmn, str) else dmn) > MAX_UPLOAD_BYTES:
        raise SpecError(f"决策表文件过大（上限{MAX_UPLOAD_BYTES // 1_000_000} MB）")
    try:
        xml = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise SpecError("文件不是UTF-8编码的BPMN文件") from None
    try:
        tables = dmn.decode("utf-8") if isinstance(dmn, bytes) else dmn
    except UnicodeDecodeError:
        raise SpecError("决策表文件不是UTF-8编码的DMN文件") from None
    name = f"{province}/{process_id or filename or 'diagram'}.bpmn"[:200]
    before = set(session.scalars(select(SpecVersion.id).where(SpecVersion.province == province)))
    version = registry.add_version(
        session, xml, name, province, source=source, actor=user.login, note=note.strip(),
        expected_process_id=process_id, process_ids=known, dmn=tables,
    )
    if version.id not in before:
        version.filename = f"{province}/{version.process_id}.bpmn"
        record(session, user, "保存流程草稿", target=f"{process_id}@{province}#V{version.number}",
               detail={"source": source, "filename": filename[:200], "note": note[:200]}, ip=ip)
    return version


def publish(session: Session, registry: SpecRegistry, user, version_id: int, now: datetime, ip: str = "") -> SpecVersion:
    """Put a version in force for the province. A national version is first copied into
    the province (the way back to the national flow while keeping a province row)."""
    province = province_of(user)
    version = version_for(session, user, version_id)
    if version.province != province:
        version = save_draft(session, registry, user, version.bpmn_xml, process_id=version.process_id,
                             source="upload", note=f"复制全国默认流程V{version.number}", ip=ip,
                             dmn=version.dmn_xml)
    report = path_check(session, registry, version, now)
    if report.problems:
        raise SpecError(f"路径检查未通过（共走了{len(report.paths)}条路径）", report.problems)
    registry.publish(session, version, user.login, now)
    record(session, user, "发布流程", target=f"{version.process_id}@{province}#V{version.number}",
           detail={"paths": len(report.paths), "unreached": [e for e, _ in report.unreached][:50]}, ip=ip)
    return version


def path_check(session: Session, registry: SpecRegistry, version: SpecVersion, now: datetime) -> PathReport:
    """路径检查 of a version as its province's cases would walk it, starting `now`: run
    before it goes live, and shown on its page (which paths, which elements not reached)."""
    return check_paths(registry.parsed(session, version.id), version.province, now, load_holidays(session))


def unpublish(session: Session, registry: SpecRegistry, user, process_id: str, ip: str = "") -> SpecVersion:
    """The province's version leaves force; its new cases use the national default."""
    province = province_of(user)
    version = registry.unpublish(session, process_id, province)
    if version is None:
        raise DomainError("本省没有生效中的自有版本，新业务已按全国默认流程办理")
    record(session, user, "撤销发布流程", target=f"{process_id}@{province}#V{version.number}", ip=ip)
    return version


def rules_factory(clock):
    """The registry's rules on the engine clock's China date (parameters are dated)."""
    from engine.clock import CHINA_TZ

    return lambda session: diagram_rules(session, clock.now().astimezone(CHINA_TZ).date())
