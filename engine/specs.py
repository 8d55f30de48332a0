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
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from domain.errors import DomainError
from engine.decisions import decision_elements, parse_dmn_text, split_decisions
from engine.lanes import LaneTable, load_lanes
from engine.models import DRAFT, PUBLISHED, SpecVersion
from engine.parser import QuotaBpmnParser
from engine.validation import DiagramRules, Problem, check_diagram, rules_key

WORKFLOWS_DIR = Path(__file__).resolve().parent.parent / "workflows"

log = logging.getLogger(__name__)

# Given a user task's form key, the role of its lane, its properties and the lane table:
# None if that is fine, else what is wrong, in Chinese. The caller (casework) knows the
# forms; the engine asks.
FormRule = Callable[[str, str, dict, LaneTable], str | None]
# Given a session: everything a diagram may use here (casework gathers it); with it every
# diagram is checked in full before it is stored (engine.validation).
RulesFactory = Callable[[Session], DiagramRules]
SOURCE_FILE = "file"

# Diagrams that passed every check, by content and rules (engine.validation.rules_key):
# (process id, parsed spec). Every start checks every shipped diagram, and a process
# builds several systems (the test suite: one a test); the same content under the same
# rules passes again, so the second check is skipped. Failures are never remembered.
_PASSED: OrderedDict[tuple, tuple[str, object]] = OrderedDict()
_PASSED_MAX = 256
_passed_lock = threading.Lock()


class SpecError(DomainError):
    """A diagram could not be parsed or validated; `problems` point at its elements."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


@dataclass(frozen=True)
class ParsedSpec:
    version_id: int
    process_id: str
    spec: object
    subprocess_specs: dict
    lanes: tuple[str, ...]


def content_hash(text: str, dmn: str = "") -> str:
    """A version's identity: its diagram and, when it has them, its decision tables (a
    diagram without tables hashes as it always did, so existing versions keep theirs)."""
    content = text if not dmn else f"{text}\n<!-- decision tables -->\n{dmn}"
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def parse_bpmn(xml: str, filename: str = "diagram.bpmn", dmn: str = "") -> tuple[str, object, dict]:
    """Parse one BPMN document holding one executable process, with the version's DMN
    document (its decision tables, split one per decision as the parser needs); return
    (id, spec, subspecs)."""
    parser = QuotaBpmnParser()
    try:
        if dmn.strip():
            for document in split_decisions(parse_dmn_text(dmn)):
                parser.add_dmn_xml(document, filename=f"{decision_elements(document)[0].get('id')}.dmn")
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


def _passed_key(
    rules: DiagramRules, data: bytes | str, filename: str, expected_process_id: str | None, dmn: str
) -> tuple | None:
    """The key of a check's verdict in `_PASSED`: the rules, the content, what it is called."""
    rules_part = rules_key(rules)
    if rules_part is None:
        return None
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "surrogatepass")
    digest = hashlib.sha256(raw + b"\0" + dmn.encode("utf-8", "surrogatepass")).hexdigest()
    return (rules_part, digest, filename, expected_process_id)


class SpecRegistry:
    def __init__(
        self,
        workflows_dir: Path = WORKFLOWS_DIR,
        form_rule: FormRule | None = None,
        rules: RulesFactory | None = None,
        clock=None,
    ) -> None:
        self.workflows_dir = workflows_dir
        self.form_rule = form_rule
        self.rules = rules
        # the engine clock (engine.clock.Clock): a version's created_at is on the same
        # clock as its published_at, so a moved demo clock never shows one before the other
        self.clock = clock
        self._cache: dict[int, ParsedSpec] = {}
        self._lock = threading.Lock()
        # diagrams under workflows/ that were refused at the last sync: file → message
        self.rejected: dict[str, str] = {}

    # -- checking ---------------------------------------------------------------------
    def check(
        self, session: Session, data: bytes | str, filename: str, expected_process_id: str | None = None,
        *, process_ids: frozenset[str] | None = None, dmn: str = "",
    ) -> tuple[str | None, list[Problem]]:
        """(process id, problems) of a diagram and its decision tables; never raises for
        any bytes. Without full rules (the engine's own tests) only parsing, lanes and
        forms are checked."""
        process_id, _spec, problems = self._inspect(
            session, data, filename, expected_process_id, process_ids=process_ids, dmn=dmn
        )
        return process_id, problems

    def _inspect(
        self, session: Session, data: bytes | str, filename: str, expected_process_id: str | None = None,
        *, process_ids: frozenset[str] | None = None, dmn: str = "",
    ) -> tuple[str | None, object | None, list[Problem]]:
        """`check`, also answering the parsed spec, so storing a version does not parse
        the diagram a second time (a start parses every shipped diagram)."""
        if self.rules is not None:
            rules = self.rules(session)
            if process_ids is not None:
                rules = replace(rules, process_ids=process_ids)
            key = _passed_key(rules, data, filename, expected_process_id, dmn)
            if key is not None and key in _PASSED:
                return _PASSED[key] + ([],)
            checked, problems = check_diagram(data, filename, rules, expected_process_id, dmn=dmn)
            if checked is None:
                return None, None, problems
            if key is not None and not problems:
                with _passed_lock:
                    _PASSED[key] = (checked.process_id, checked.spec)
                    while len(_PASSED) > _PASSED_MAX:
                        _PASSED.popitem(last=False)
            return checked.process_id, checked.spec, problems
        try:
            xml = data.decode("utf-8") if isinstance(data, bytes) else data
            process_id, spec, subprocess_specs = parse_bpmn(xml, filename, dmn)
        except (SpecError, UnicodeDecodeError) as exc:
            return None, None, [Problem("", getattr(exc, "message", "文件不是UTF-8编码的文本"))]
        problems = diagram_problems(spec, subprocess_specs, load_lanes(session), self.form_rule)
        return process_id, spec, [Problem("", p) for p in problems]

    def _checked(self, session: Session, xml: str, filename: str, **kwargs) -> tuple[str, str]:
        """(process id, the version's name) of a diagram that passes every check."""
        process_id, spec, problems = self._inspect(session, xml, filename, **kwargs)
        if problems or process_id is None:
            raise SpecError(f"{filename}：" + "；".join(p.message for p in problems), problems)
        return process_id, (getattr(spec, "description", "") or process_id)[:200]

    # -- registration -------------------------------------------------------------------
    def sync(self, session: Session, now: datetime | None = None) -> list[SpecVersion]:
        """Load the shipped diagrams under workflows/ as versions.

        A file whose content is new becomes a new version, in force unless the province's
        process owner has published a version of their own (then it waits as a draft:
        a release never overrides an owner's decision). A known content changes nothing,
        so a version the owner published or unpublished stays so across restarts. A
        province file that was deleted stops being in force (the province goes back to
        the national default). A diagram that does not validate is left out (listed in
        `rejected`) instead of stopping the process: one province's broken override must
        not take the web and the workers down for everyone."""
        added = []
        self.rejected = {}
        present: set[str] = set()
        for path in sorted(self.workflows_dir.rglob("*.bpmn")):
            rel = path.relative_to(self.workflows_dir)
            present.add(str(rel))
            province = rel.parts[0] if len(rel.parts) > 1 else ""
            tables = path.with_suffix(".dmn")
            try:  # checked before anything is written
                dmn = tables.read_bytes() if tables.is_file() else b""
                version = self._load_file(session, path.read_bytes(), str(rel), province, now, dmn)
            except SpecError as exc:
                self.rejected[str(rel)] = exc.message
                log.error("diagram %s refused, not loaded (流程图未加载): %s", rel, exc.message)
                continue
            if version is not None:
                added.append(version)
        for gone in session.scalars(
            select(SpecVersion).where(
                SpecVersion.is_current.is_(True), SpecVersion.source == SOURCE_FILE, SpecVersion.province != ""
            )
        ):
            if gone.filename not in present:
                gone.is_current = False
                log.warning("diagram %s removed: province %s back to the national default", gone.filename, gone.province)
        return added

    def _load_file(
        self, session: Session, data: bytes, filename: str, province: str, now, dmn_data: bytes = b""
    ) -> SpecVersion | None:
        """A shipped diagram and its decision tables (`<name>.dmn` beside `<name>.bpmn`)."""
        if len(data) > 5_000_000 or len(dmn_data) > 5_000_000:
            raise SpecError(f"{filename}：文件过大")
        try:
            xml, dmn = data.decode("utf-8"), dmn_data.decode("utf-8")
        except UnicodeDecodeError:
            raise SpecError(f"{filename}：文件不是UTF-8编码的文本") from None
        process_id, name = self._checked(session, xml, filename, dmn=dmn)
        digest = content_hash(xml, dmn)
        if self._same_content(session, process_id, province, digest) is not None:
            return None
        in_force = self._in_force(session, process_id, province)
        owner_chose = in_force is not None and in_force.source != SOURCE_FILE
        return self._add(
            session, xml, filename, process_id, province, digest, name,
            source=SOURCE_FILE, actor="", note="随系统发布的流程文件", publish=not owner_chose, now=now, dmn=dmn,
        )

    def register(
        self, session: Session, xml: str, filename: str, province: str = "", dmn: str = ""
    ) -> list[SpecVersion]:
        """Check a diagram (and its decision tables) and put it in force now (tests, CLI):
        a new content is a new version, a known one is put back in force without a new row."""
        process_id, name = self._checked(session, xml, filename, dmn=dmn)
        digest = content_hash(xml, dmn)
        existing = self._same_content(session, process_id, province, digest)
        if existing is not None:
            if not existing.is_current:
                self._make_current(session, existing)
            return []
        return [
            self._add(
                session, xml, filename, process_id, province, digest, name,
                source=SOURCE_FILE, actor="", note="", publish=True, now=None, dmn=dmn,
            )
        ]

    def add_version(
        self, session: Session, xml: str, filename: str, province: str, *,
        source: str, actor: str, note: str = "", expected_process_id: str | None = None,
        process_ids: frozenset[str] | None = None, dmn: str = "",
    ) -> SpecVersion:
        """Store a process owner's diagram and decision tables as a draft (a known content
        answers its existing version). Only what passes every check is stored: a draft can
        always be published as it is, given the same rules."""
        process_id, name = self._checked(
            session, xml, filename, expected_process_id=expected_process_id, process_ids=process_ids, dmn=dmn
        )
        digest = content_hash(xml, dmn)
        existing = self._same_content(session, process_id, province, digest)
        if existing is not None:
            return existing
        return self._add(
            session, xml, filename, process_id, province, digest, name,
            source=source, actor=actor, note=note, publish=False, now=None, dmn=dmn,
        )

    def publish(self, session: Session, version: SpecVersion, actor: str, now: datetime) -> SpecVersion:
        """Put a stored version in force for its province, checked again against today's
        rules (a lane or a form may have gone since it was saved). Instances already
        running stay on the version they started on; new cases take this one, in every
        web and worker process, since `current` reads the database."""
        self._checked(
            session, version.bpmn_xml, version.filename, expected_process_id=version.process_id, dmn=version.dmn_xml
        )
        self._make_current(session, version)
        version.state, version.published_by, version.published_at = PUBLISHED, actor, now
        return version

    def unpublish(self, session: Session, process_id: str, province: str) -> SpecVersion | None:
        """Take a province's version out of force: its new cases go back to the national
        default. The national default itself cannot be taken away (nothing to fall to)."""
        if not province:
            raise SpecError("全国默认流程不能撤销发布，只能发布新版本替换")
        in_force = self._in_force(session, process_id, province)
        if in_force is not None:
            in_force.is_current = False
        return in_force

    def _same_content(self, session: Session, process_id: str, province: str, digest: str) -> SpecVersion | None:
        return session.scalar(
            select(SpecVersion).where(
                SpecVersion.process_id == process_id,
                SpecVersion.province == province,
                SpecVersion.content_hash == digest,
            )
        )

    def _in_force(self, session: Session, process_id: str, province: str) -> SpecVersion | None:
        return session.scalar(
            select(SpecVersion).where(
                SpecVersion.process_id == process_id,
                SpecVersion.province == province,
                SpecVersion.is_current.is_(True),
            )
        )

    def _add(
        self, session: Session, xml: str, filename: str, process_id: str, province: str, digest: str,
        name: str, *, source: str, actor: str, note: str, publish: bool, now: datetime | None, dmn: str = "",
    ) -> SpecVersion:
        number = session.scalar(
            select(func.max(SpecVersion.number)).where(
                SpecVersion.process_id == process_id, SpecVersion.province == province
            )
        )
        version = SpecVersion(
            process_id=process_id,
            province=province,
            content_hash=digest,
            filename=filename,
            bpmn_xml=xml,
            dmn_xml=dmn,
            name=name,
            is_current=False,
            number=(number or 0) + 1,
            state=PUBLISHED if publish else DRAFT,
            source=source,
            created_by=actor,
            note=note[:500],
            published_by=actor if publish else "",
            published_at=now if publish else None,
        )
        created = now or (self.clock.now() if self.clock is not None else None)
        if created is not None:
            version.created_at = created
        session.add(version)
        session.flush()
        if publish:
            self._make_current(session, version)
        return version

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
        version.state = PUBLISHED

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
                pid, spec, subspecs = parse_bpmn(version.bpmn_xml, version.filename, version.dmn_xml or "")
                cached = ParsedSpec(version_id, pid, spec, subspecs, lanes_of(spec, subspecs))
                self._cache[version_id] = cached
        return cached
