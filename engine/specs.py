"""The spec registry: every distinct BPMN file content is a version, kept forever.

`workflows/<name>.bpmn` is the national default; `workflows/<province code>/<name>.bpmn`
is a province's variant of the same process id. Each instance records the version it
started on, so editing a diagram never changes a running case (migration is explicit).
Parsed specs are cached per version id: parsing is done once per process, not per step.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from domain.errors import DomainError
from engine.lanes import LaneTable, load_lanes
from engine.models import SpecVersion
from engine.parser import QuotaBpmnParser

WORKFLOWS_DIR = Path(__file__).resolve().parent.parent / "workflows"

log = logging.getLogger(__name__)

# Given a user task's form key, the role of its lane, its properties and the lane table:
# None if that is fine, else what is wrong, in Chinese. The caller (casework) knows the
# forms; the engine asks.
FormRule = Callable[[str, str, dict, LaneTable], str | None]


class SpecError(DomainError):
    """A diagram could not be parsed or validated."""


@dataclass(frozen=True)
class ParsedSpec:
    version_id: int
    process_id: str
    spec: object
    subprocess_specs: dict
    lanes: tuple[str, ...]


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_bpmn(xml: str, filename: str = "diagram.bpmn") -> tuple[str, object, dict]:
    """Parse one BPMN document holding one executable process; return (id, spec, subspecs)."""
    parser = QuotaBpmnParser()
    try:
        parser.add_bpmn_str(xml.encode("utf-8"), filename=filename)
        process_ids = [
            pid for pid in parser.get_process_ids() if parser.get_process_parser(pid).process_executable
        ]
        if len(process_ids) != 1:
            raise SpecError(f"{filename}：须且只能包含一个可执行流程（找到{len(process_ids)}个）")
        pid = process_ids[0]
        spec, subprocess_specs = parser.get_spec(pid), parser.get_subprocess_specs(pid)
    except SpecError:
        raise
    except Exception as exc:  # the parser raises many kinds; all mean "bad diagram"
        raise SpecError(f"{filename}：流程图解析失败：{exc}") from exc
    return pid, spec, subprocess_specs


def lanes_of(spec, subprocess_specs: dict) -> tuple[str, ...]:
    """Every lane name a task of the process (or of its called subprocesses) sits in."""
    specs = [spec, *subprocess_specs.values()]
    return tuple(
        sorted({ts.lane for s in specs for ts in s.task_specs.values() if getattr(ts, "lane", None)})
    )


def task_properties(task_spec) -> dict[str, str]:
    """The `spiffworkflow:properties` of a task (form key, stage, a form's settings)."""
    return dict((getattr(task_spec, "extensions", None) or {}).get("properties", {}) or {})


def element_label(task_spec) -> str:
    """How a process owner finds an element: its name and, in brackets, its id."""
    name = getattr(task_spec, "bpmn_name", None) or ""
    element = getattr(task_spec, "bpmn_id", None) or task_spec.name
    return f"“{name}”（{element}）" if name else f"“{element}”"


def diagram_problems(spec, subprocess_specs: dict, lanes: LaneTable, form_rule: FormRule | None) -> list[str]:
    """What makes a parsed diagram unusable here, each naming its element, in Chinese:
    a lane that is no known role, and whatever `form_rule` finds wrong with a user task's
    form (none named, not registered, not meant for the lane's role, bad settings)."""
    unknown = lanes.unknown(lanes_of(spec, subprocess_specs))
    problems = []
    if unknown:
        problems.append(f"泳道“{'、'.join(unknown)}”不是已知角色，泳道名称只能是：{'、'.join(lanes.names())}")
    if form_rule is None:
        return problems
    for s in [spec, *subprocess_specs.values()]:
        for ts in s.task_specs.values():
            if not getattr(ts, "manual", False) or getattr(ts, "bpmn_id", None) is None:
                continue
            if (getattr(ts, "lane", None) or "") in unknown:
                continue
            props = task_properties(ts)
            form = props.get("form", "").strip()
            problem = form_rule(form, lanes.role_of(getattr(ts, "lane", None)), props, lanes)
            if problem:
                problems.append(f"用户任务{element_label(ts)}：{problem}")
    return problems


class SpecRegistry:
    def __init__(self, workflows_dir: Path = WORKFLOWS_DIR, form_rule: FormRule | None = None) -> None:
        self.workflows_dir = workflows_dir
        self.form_rule = form_rule
        self._cache: dict[int, ParsedSpec] = {}
        self._lock = threading.Lock()
        # diagrams under workflows/ that were refused at the last sync: file → message
        self.rejected: dict[str, str] = {}

    # -- registration -------------------------------------------------------------------
    def sync(self, session: Session) -> list[SpecVersion]:
        """Register every diagram under workflows/ whose content is new; mark it current.

        A diagram that does not validate is left out (and listed in `rejected`) instead of
        stopping the process: one province's broken override must not take the web and
        the workers down for everyone; that province keeps its previous version, or the
        national default."""
        added = []
        self.rejected = {}
        for path in sorted(self.workflows_dir.rglob("*.bpmn")):
            rel = path.relative_to(self.workflows_dir)
            province = rel.parts[0] if len(rel.parts) > 1 else ""
            try:  # register refuses before it writes anything
                added += self.register(session, path.read_text(encoding="utf-8"), str(rel), province)
            except SpecError as exc:
                self.rejected[str(rel)] = exc.message
                log.error("diagram %s refused, not loaded (流程图未加载): %s", rel, exc.message)
        return added

    def register(
        self, session: Session, xml: str, filename: str, province: str = ""
    ) -> list[SpecVersion]:
        process_id, spec, subprocess_specs = parse_bpmn(xml, filename)
        problems = diagram_problems(spec, subprocess_specs, load_lanes(session), self.form_rule)
        if problems:
            raise SpecError(f"{filename}：" + "；".join(problems))
        digest = content_hash(xml)
        existing = session.scalar(
            select(SpecVersion).where(
                SpecVersion.process_id == process_id,
                SpecVersion.province == province,
                SpecVersion.content_hash == digest,
            )
        )
        if existing is not None:
            if not existing.is_current:
                self._make_current(session, existing)
            return []
        version = SpecVersion(
            process_id=process_id,
            province=province,
            content_hash=digest,
            filename=filename,
            bpmn_xml=xml,
            name=getattr(spec, "description", "") or process_id,
            is_current=False,
        )
        session.add(version)
        session.flush()
        self._make_current(session, version)
        return [version]

    def _make_current(self, session: Session, version: SpecVersion) -> None:
        session.execute(
            update(SpecVersion)
            .where(
                SpecVersion.process_id == version.process_id,
                SpecVersion.province == version.province,
            )
            .values(is_current=False)
        )
        version.is_current = True

    # -- lookup ---------------------------------------------------------------------------
    def current(self, session: Session, process_id: str, region_code: str = "") -> SpecVersion:
        """The province's current version if it has one, else the national default."""
        province = region_code[:2] + "0000" if region_code else ""
        rows = session.scalars(
            select(SpecVersion).where(
                SpecVersion.process_id == process_id,
                SpecVersion.is_current.is_(True),
                SpecVersion.province.in_([province, ""]),
            )
        ).all()
        if not rows:
            raise SpecError(f"流程“{process_id}”尚未发布")
        rows = sorted(rows, key=lambda v: v.province != province)
        return rows[0]

    def parsed(self, session: Session, version_id: int) -> ParsedSpec:
        cached = self._cache.get(version_id)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._cache.get(version_id)
            if cached is None:
                version = session.get(SpecVersion, version_id)
                if version is None:
                    raise SpecError(f"流程版本{version_id}不存在")
                pid, spec, subspecs = parse_bpmn(version.bpmn_xml, version.filename)
                cached = ParsedSpec(version_id, pid, spec, subspecs, lanes_of(spec, subspecs))
                self._cache[version_id] = cached
        return cached
