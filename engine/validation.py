"""Checks a BPMN diagram a province's process owner uploads, before it may be published.

A diagram is code that runs every case of a province: a typo in a condition, a timer
written as calendar time instead of working days, a user task nobody's inbox shows or a
branch that leads nowhere would only surface weeks later, inside running cases. So every
upload is checked here first, against what this installation offers (`DiagramRules`: the
lanes' roles, the forms, the service operations, the script functions, the data a case
starts with, the time limits). Each finding is a `Problem` that names the BPMN element,
so the modeler can highlight it, and says in Chinese what to change.

The input is untrusted: the bytes are checked before any parsing (size, encoding, no
DOCTYPE, hence no entity expansion or external fetches) and `check_diagram` never raises.
Every rule reads the XML with lxml (element ids at hand, and the checks still run when
SpiffWorkflow cannot parse the file, so one upload shows every problem); lanes, form
properties and service operators are read exactly as SpiffWorkflow reads them. The file
is then parsed by `QuotaBpmnParser`, XSD validation included, as `engine.specs` parses it
to run it: what passes here also loads there.
"""

from __future__ import annotations

import ast
import contextlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from domain.workdays import HolidayTable
from domain.workdays import add_working_days as add_working_days_from
from engine.clock import CHINA_TZ
from engine.decisions import (
    HIT_POLICIES,
    decision_elements,
    decision_infos,
    decision_outputs,
    is_dmn_root,
    split_decisions,
)
from engine.lanes import LaneTable
from engine.parser import QuotaBpmnParser
from engine.xml_messages import explain

if TYPE_CHECKING:  # engine.specs imports this module; only the type is needed here
    from engine.specs import FormRule

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"

# Names a script or condition may call besides the registered functions: harmless,
# side-effect free builtins a process owner reasonably needs in a condition.
SAFE_BUILTINS = frozenset(
    {"len", "int", "str", "float", "bool", "min", "max", "sum", "round", "abs", "any", "all", "sorted"}
)
# Never allowed, even if a caller listed them: they run or reach arbitrary code.
FORBIDDEN_NAMES = frozenset(
    {
        "exec", "eval", "open", "compile", "__import__", "getattr", "setattr", "delattr",
        "globals", "locals", "vars", "breakpoint", "input", "memoryview",
    }
)
# The dry evaluation of timers starts here (a Wednesday, 10:00 China time), whatever
# today is, so the check gives the same answer every day.
DRY_START = datetime(2026, 4, 15, 10, 0, tzinfo=CHINA_TZ)
# A time limit beyond this many working days is a typo, not a rule (four years).
MAX_WORKING_DAYS = 1000
# Real diagrams nest a dozen levels; anything deeper is an attack on the parser.
MAX_DEPTH = 60

TIMER_HINT = '请写成工作日表达式，例如 add_working_days(10) 或 add_working_days(time_limit("manual_review"))'

FLOW_NODE_KINDS: dict[str, str] = {
    "startEvent": "开始事件",
    "endEvent": "结束事件",
    "intermediateCatchEvent": "中间捕获事件",
    "intermediateThrowEvent": "中间抛出事件",
    "boundaryEvent": "边界事件",
    "task": "任务",
    "userTask": "用户任务",
    "manualTask": "人工任务",
    "serviceTask": "服务任务",
    "scriptTask": "脚本任务",
    "businessRuleTask": "业务规则任务",
    "sendTask": "发送任务",
    "receiveTask": "接收任务",
    "callActivity": "调用活动",
    "subProcess": "子流程",
    "transaction": "事务子流程",
    "exclusiveGateway": "排他网关",
    "inclusiveGateway": "包容网关",
    "parallelGateway": "并行网关",
    "eventBasedGateway": "事件网关",
    "complexGateway": "复杂网关",
}
OTHER_KINDS: dict[str, str] = {
    "process": "流程",
    "sequenceFlow": "连线",
    "lane": "泳道",
    "signal": "信号",
    "message": "消息",
    "definitions": "流程文件",
    "decision": "决策表",
}
CONTAINERS = ("process", "subProcess", "transaction")


@dataclass(frozen=True)
class Problem:
    """One finding: `element` is the BPMN id the modeler highlights ("" for the file)."""

    element: str
    message: str


@dataclass(frozen=True)
class DiagramRules:
    """What a diagram may use here; gathered by the caller (casework), so this module
    knows BPMN but not the case model."""

    lanes: LaneTable
    form_rule: FormRule | None = None
    operations: Mapping[str, frozenset[str]] = field(default_factory=dict)
    functions: frozenset[str] = frozenset()
    form_writes: Callable[[str], tuple[str, ...]] = lambda key: ()
    # what a task writes because of its own settings (a process owner's own form: its fields)
    task_writes: Callable[[str, dict], tuple[str, ...]] = lambda key, props: ()
    start_data: Mapping[str, frozenset[str]] = field(default_factory=dict)
    process_ids: frozenset[str] | None = None
    time_limits: Mapping[str, int] = field(default_factory=dict)
    params: Mapping[str, object] = field(default_factory=dict)
    max_bytes: int = 5_000_000
    # Names the state of whatever the callables above consult (the caller's registries);
    # rules with the same non-empty `registries` and the same data check a diagram alike,
    # so a diagram that passed may be remembered (see `rules_key`). Empty: never remembered.
    registries: str = ""


def rules_key(rules: DiagramRules) -> tuple | None:
    """Everything a check's verdict depends on besides the diagram itself, as a hashable
    key; None when the rules cannot say (no `registries`)."""
    if not rules.registries:
        return None
    return (
        rules.registries,
        tuple(sorted(rules.lanes.roles.items())),
        tuple(sorted(rules.lanes.staff_roles)),
        tuple(sorted((name, tuple(sorted(ps))) for name, ps in rules.operations.items())),
        tuple(sorted(rules.functions)),
        tuple(sorted((name, tuple(sorted(keys))) for name, keys in rules.start_data.items())),
        None if rules.process_ids is None else tuple(sorted(rules.process_ids)),
        tuple(sorted(rules.time_limits.items())),
        tuple(sorted((name, repr(value)) for name, value in rules.params.items())),
        rules.max_bytes,
    )


@dataclass(frozen=True)
class CheckedDiagram:
    """A diagram SpiffWorkflow parsed (it may still have problems)."""

    process_id: str
    spec: object
    subprocess_specs: dict


def check_diagram(
    data: bytes | str, filename: str, rules: DiagramRules, expected_process_id: str | None = None,
    dmn: bytes | str = "",
) -> tuple[CheckedDiagram | None, list[Problem]]:
    """Never raises for any input; returns (parsed, []) when the diagram may be published,
    else (None or parsed, problems). `expected_process_id`: the process a new version
    must replace (a province changes a process, it does not rename it). `dmn`: the
    version's decision tables (one DMN document), checked with the diagram that calls them."""
    try:
        checker = _Checker(rules, filename)
        checked = checker.run(data, expected_process_id, dmn)
        return checked, checker.problems
    except Exception as exc:  # a bug here must not take an upload page down
        return None, [Problem("", f"流程图无法检查（{type(exc).__name__}：{exc}），请检查文件后重新上传")]


def read_bpmn_root(data: bytes | str, filename: str = "diagram.bpmn"):
    """A stored or uploaded document's root, read the one way this module reads uploads
    (size, encoding, no DTD or entities, nesting depth, a bpmn:definitions root): (root,
    []) or (None, the problems in Chinese). Other readers of a diagram's XML (the version
    diff) call this rather than keep their own copy of those rules."""
    checker = _Checker(DiagramRules(lanes=LaneTable()), filename)
    return checker.read_xml(data), checker.problems


# -- helpers -------------------------------------------------------------------------------


def _local(el) -> str:
    """The local name of an element's tag ("" for comments and processing instructions)."""
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _bpmn(name: str) -> str:
    return f"{{{BPMN_NS}}}{name}"


def _spiff(name: str) -> str:
    return f"{{{SPIFF_NS}}}{name}"


def _quoted(el_id: str, name: str | None) -> str:
    """engine.specs.element_label's style: “name”（id）, or “id” when it has no name."""
    name = (name or "").strip()
    return f"“{name}”（{el_id}）" if name else f"“{el_id}”"


def _label(el) -> str:
    """How a process owner finds an XML element: its kind, name and id."""
    local = _local(el)
    kind = FLOW_NODE_KINDS.get(local) or OTHER_KINDS.get(local, "元素")
    if local == "subProcess" and (el.get("triggeredByEvent") or "").lower() == "true":
        kind = "事件子流程"
    return kind + _quoted(el.get("id") or "", el.get("name"))


def _text(el) -> str:
    return (el.text or "").strip() if el is not None else ""


def _dmn_condition(text: str) -> str:
    """A DMN input cell as SpiffWorkflow's DMNEngine evaluates it: `?` (outside quotes)
    stands for the input's value; otherwise the cell is compared with `==`, or, when it
    starts with an operator (`>= 3`, `in ("a", "b")`), glued after the value."""
    replaced = re.sub(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)", "dmninputexpr", text)
    if replaced != text:
        return replaced
    try:
        ast.parse(text.strip(), mode="eval")
        return f"dmninputexpr == ({text.strip()})"
    except (SyntaxError, ValueError):
        return f"dmninputexpr {text.strip()}"


def _size(limit: int) -> str:
    return f"{limit / 1_000_000:g}MB" if limit >= 1_000_000 else f"{limit / 1000:g}KB"


def _names(values: Iterable[str]) -> str:
    return "、".join(sorted(values)) or "（无）"


def _owner(el):
    """The nearest ancestor with an id that is not an extension wrapper: the element a
    script or expression belongs to."""
    parent = el.getparent()
    while parent is not None:
        if parent.get("id") and _local(parent) not in ("extensionElements",):
            return parent
        parent = parent.getparent()
    return None


def _dry_add_working_days(days: int, start: str | None = None) -> str:
    """QuotaScriptEngine._add_working_days, from DRY_START instead of the engine clock."""
    begin = datetime.fromisoformat(start) if start else DRY_START
    if begin.tzinfo is None:
        begin = begin.replace(tzinfo=CHINA_TZ)
    return add_working_days_from(begin.astimezone(CHINA_TZ), int(days), HolidayTable()).due.isoformat()


def _stored_names(tree: ast.AST) -> set[str]:
    """Names an expression or script binds (assignments, loop and comprehension targets,
    lambda arguments): the variables a script writes, or a condition's own locals."""
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    names |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.Lambda) for a in n.args.args}
    names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
    return names


# -- the checker ---------------------------------------------------------------------------


class _Checker:
    def __init__(self, rules: DiagramRules, filename: str) -> None:
        self.rules = rules
        self.filename = filename
        self.problems: list[Problem] = []
        self._seen: set[Problem] = set()
        self.allowed_functions = (frozenset(rules.functions) | SAFE_BUILTINS) - FORBIDDEN_NAMES

    def add(self, element: str | None, message: str) -> None:
        problem = Problem(element or "", message)
        if problem not in self._seen:
            self._seen.add(problem)
            self.problems.append(problem)

    # -- the whole run ---------------------------------------------------------------
    def run(self, data: bytes | str, expected_process_id: str | None, dmn: bytes | str = "") -> CheckedDiagram | None:
        """The XML rules first (they need no parse and say the most precise things), then
        SpiffWorkflow's parse, whose errors are kept for elements not reported yet."""
        root = self.read_xml(data)
        self.dmn_root = None
        if not isinstance(dmn, str | bytes) or dmn.strip():
            self.dmn_root = self.read_xml(dmn, dmn=True)
            if self.dmn_root is None:
                return None
        if root is None:
            return None
        self.by_id = {el.get("id"): el for el in root.iter(etree.Element) if el.get("id")}
        if self.dmn_root is not None:
            dmn_ids = {el.get("id"): el for el in self.dmn_root.iter(etree.Element) if el.get("id")}
            self.by_id = {**dmn_ids, **self.by_id}
        # executable as SpiffWorkflow reads it: isExecutable defaults to true
        executable = [p for p in root.iter(_bpmn("process")) if p.get("isExecutable", "true") == "true"]
        if len(executable) != 1:
            ids = [p.get("id") or "" for p in executable]
            found = f"找到{len(ids)}个：{_names(ids)}" if ids else "没有找到"
            self.add("", f'流程图须且只能包含一个可执行流程（isExecutable="true"），{found}')
            return None
        process = executable[0]
        pid = process.get("id") or ""
        self.check_process_id(pid, expected_process_id)
        self.known = self.known_variables(root, pid)
        self.check_graph(process)
        self.check_gateways(process)
        self.check_scripts(root, process)
        self.check_timers(process)
        self.check_lanes_and_forms(root, process)
        self.check_service_tasks(process)
        self.check_business_rules(process)
        self.check_decision_tables()
        return self.parse(root)

    # -- rule 1: the bytes, the XML, the parse ---------------------------------------
    def read_xml(self, data: bytes | str, *, dmn: bool = False):
        """The document's root, or None with the reason added. `dmn`: a decision-table
        document (DMN 1.1–1.3 definitions) instead of a BPMN diagram."""
        what = "决策表文件" if dmn else "文件"
        doc = "DMN决策表" if dmn else "BPMN流程图"
        max_bytes = self.rules.max_bytes
        if isinstance(data, str):
            if len(data) > max_bytes:  # a character is at least one byte
                self.add("", f"{what}过大，不能超过{_size(max_bytes)}")
                return None
            try:
                data = data.encode("utf-8")
            except UnicodeEncodeError:
                self.add("", what + "不是UTF-8编码的文本")
                return None
        if not isinstance(data, bytes | bytearray | memoryview):
            self.add("", "上传的内容不是文件")
            return None
        raw = bytes(data[: max_bytes + 1])
        if len(raw) > max_bytes:
            self.add("", f"{what}过大，不能超过{_size(max_bytes)}")
            return None
        if not raw.strip():
            self.add("", what + ("为空" if dmn else "为空，请上传BPMN流程图文件（.bpmn）"))
            return None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.add("", f"{what}不是UTF-8编码的文本（第{exc.start + 1}个字节无法识别），请上传{doc}文件{'' if dmn else '（.bpmn）'}")
            return None
        text = text.removeprefix("\ufeff")
        if re.search(r"<!\s*(DOCTYPE|ENTITY)", text, re.IGNORECASE):
            self.add("", f"{what}含有DOCTYPE或实体声明，出于安全原因不予接受；{doc}不需要它们，请删除后重新上传")
            return None
        declared = re.match(r"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']+)", text)
        if declared and declared.group(1).strip().lower().replace("_", "-") not in ("utf-8", "utf8"):
            self.add("", f"{what}声明的编码是{declared.group(1)}，只接受UTF-8编码的{doc}")
            return None
        parser = etree.XMLParser(
            resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False, dtd_validation=False
        )
        try:
            root = etree.fromstring(text.encode("utf-8"), parser)
        except etree.XMLSyntaxError as exc:
            if "depth" in str(exc).lower():
                self.add("", f"{what}的元素嵌套层数过多，不是正常的{doc}")
            else:
                self.add("", f"{what}不是有效的XML（第{exc.lineno}行：{explain(exc.msg)}），请用建模工具重新导出")
            return None
        except (ValueError, etree.LxmlError) as exc:
            self.add("", f"{what}不是有效的XML（{explain(str(exc))}），请用建模工具重新导出")
            return None
        if root is None:
            self.add("", what + "不是有效的XML，请用建模工具重新导出")
            return None
        docinfo = root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:
            self.add("", what + "含有DOCTYPE声明，出于安全原因不予接受")
            return None
        depth = 0
        for event, _el in etree.iterwalk(root, events=("start", "end")):
            depth += 1 if event == "start" else -1
            if depth > MAX_DEPTH:
                self.add("", f"{what}的元素嵌套层数过多，不是正常的{doc}")
                return None
        if dmn:
            if not is_dmn_root(root):
                found = _local(root) or str(root.tag)
                self.add("", f"决策表文件不是DMN决策表：根元素应为DMN 1.3的definitions，实际为“{found}”")
                return None
            return root
        if root.tag != _bpmn("definitions"):
            found = _local(root) or str(root.tag)
            self.add("", f"{what}不是BPMN 2.0流程图：根元素应为bpmn:definitions，实际为“{found}”")
            return None
        return root

    def parse(self, root) -> CheckedDiagram | None:
        """SpiffWorkflow's own parse (XSD validation included), the way engine.specs
        parses a diagram to run it, so what passes here also loads there."""
        parser = QuotaBpmnParser()
        try:
            for document in split_decisions(self.dmn_root) if self.dmn_root is not None else ():
                parser.add_dmn_xml(document, filename=f"{decision_elements(document)[0].get('id')}.dmn")
            parser.add_bpmn_xml(root, filename=self.filename)
            process_ids = [
                pid for pid in parser.get_process_ids() if parser.get_process_parser(pid).process_executable
            ]
            if len(process_ids) != 1:  # the XML said one; kept in case the parser disagrees
                self.add("", f"流程图须且只能包含一个可执行流程，解析器找到{len(process_ids)}个")
                return None
            pid = process_ids[0]
            return CheckedDiagram(pid, parser.get_spec(pid), parser.get_subprocess_specs(pid))
        except ValidationException as exc:
            self.add_parse_error(exc, getattr(exc, "id", ""), getattr(exc, "line_number", ""))
        except Exception as exc:  # the parser raises many kinds; all mean "bad diagram"
            self.add_parse_error(exc, "", "")
        return None

    def add_parse_error(self, exc: Exception, element: str, line) -> None:
        text = str(exc.args[0]) if exc.args else str(exc)
        if not element and isinstance(line, int):
            # XSD errors give a line only: point at the element written on that line
            element = next(
                (el_id for el_id, el in self.by_id.items() if el.sourceline == line), ""
            )
        if element and any(p.element == element for p in self.problems):
            return  # the XML rules already said what is wrong there, in plainer words
        where = _label(self.by_id[element]) + "：" if element in self.by_id else ""
        at_line = f"（第{line}行）" if line else ""
        self.add(element, f"{where}流程图不符合BPMN规范，无法解析{at_line}：{explain(text)}")

    def check_process_id(self, pid: str, expected: str | None) -> None:
        if expected is not None and pid != expected:
            self.add(pid, f"流程标识（process id）须为“{expected}”，上传的流程图是“{pid}”；新版本只能替换同一个流程")
        allowed = self.rules.process_ids
        if allowed is not None and pid not in allowed:
            self.add(pid, f"流程标识“{pid}”不是已有的流程，只能上传这些流程的新版本：{_names(allowed)}")

    # -- rules 2 and 3: lanes and forms ------------------------------------------------
    @staticmethod
    def _properties(task) -> dict[str, str]:
        """A task's `spiffworkflow:properties`, read as SpiffWorkflow reads them."""
        return {
            prop.get("name"): prop.get("value") or ""
            for prop in task.iterfind(f"{_bpmn('extensionElements')}/{_spiff('properties')}/{_spiff('property')}")
            if prop.get("name")
        }

    def check_lanes_and_forms(self, root, process) -> None:
        """A human task needs a role (its lane) and a form the role may use: otherwise
        it lands in no inbox, or in one whose screen cannot complete it. Read from the XML
        the way SpiffWorkflow assigns lanes (every flowNodeRef of the document), so the
        check also runs when the parse fails for another reason."""
        lanes = self.rules.lanes
        lane_of = {
            ref.text: ref.getparent().get("name") for ref in root.iter(_bpmn("flowNodeRef")) if ref.text is not None
        }
        unknown: set[str] = set()
        for lane in process.iter(_bpmn("lane")):
            name = lane.get("name") or ""
            if name and lanes.unknown([name]):
                unknown.add(name)
                self.add(lane.get("id"), f"{_label(lane)}不是已知角色，泳道名称只能是：{'、'.join(lanes.names())}")
        for task in process.iter(_bpmn("userTask"), _bpmn("manualTask")):
            element = task.get("id") or ""
            lane = lane_of.get(element) or ""
            if not lane:
                self.add(
                    element,
                    f"{_label(task)}：不在任何泳道中，无法确定由哪个角色办理；请把它放进一个泳道（{'、'.join(lanes.names())}）",
                )
                continue
            if lane in unknown:
                continue  # the lane is reported; its role is unknown, so is the form's fit
            props = self._properties(task)
            form = (props.get("form") or "").strip()
            if self.rules.form_rule is None:
                problem = None if form else "未指定表单（form属性）"
            else:
                try:
                    problem = self.rules.form_rule(form, lanes.role_of(lane), props, lanes)
                except Exception as exc:  # the caller's rule must not stop the check
                    problem = f"表单“{form}”无法检查：{exc}"
            if problem:
                self.add(element, f"{_label(task)}：{problem}")
            self.check_task_region(task, props)
            self.check_excluded_actors(task, props)

    def check_excluded_actors(self, task, props: dict[str, str]) -> None:
        """`exclude_actor` names the variables holding who may not work the task (审核分离):
        one nothing writes would silently let the same person decide twice."""
        if "exclude_actor" not in props:
            return
        names = [n.strip() for n in (props.get("exclude_actor") or "").split(",")]
        where = f"{_label(task)}的属性exclude_actor"
        if not any(names) or any(not n.isidentifier() or "__" in n for n in names):
            self.add(task.get("id"), f"{where}须是一个或多个变量名（用逗号分隔，保存办理人登录名的变量，例如 decided_by、filed_by）")
            return
        unknown = [n for n in names if n not in self.known]
        if unknown:
            self.add(
                task.get("id"),
                f"{where}指定的变量{_names(f'“{n}”' for n in unknown)}在流程中没有来源（不是立案时提供的数据，也不是任何表单、脚本、服务任务或消息写入的数据）",
            )

    def check_task_region(self, task, props: dict[str, str]) -> None:
        """`region_from` names the variable whose region code the task's inbox row gets
        (engine.projection): a variable nothing writes would quietly send the task to the
        unit's jurisdiction instead of, say, the window that received the papers."""
        if "region_from" not in props:
            return
        name = (props.get("region_from") or "").strip()
        where = f"{_label(task)}的属性region_from"
        if not name.isidentifier() or "__" in name:
            self.add(task.get("id"), f"{where}须是一个变量名（保存行政区划代码的变量，例如 window_region）")
        elif name not in self.known:
            self.add(
                task.get("id"),
                f"{where}指定的变量“{name}”在流程中没有来源（不是立案时提供的数据，也不是任何表单、脚本、服务任务或消息写入的数据）",
            )

    # -- rule 4: service tasks ---------------------------------------------------------
    def check_service_tasks(self, process) -> None:
        """The worker only knows the listed operations; a missing parameter would make
        the adapter fail in every case that reaches the task."""
        operations = self.rules.operations
        for task in process.iter(_bpmn("serviceTask")):
            element = task.get("id") or ""
            operator = task.find(f"{_bpmn('extensionElements')}/{_spiff('serviceTaskOperator')}")
            operation = (operator.get("id") or "") if operator is not None else ""
            if operation not in operations:
                what = f"操作“{operation}”不存在" if operation else "没有指定服务操作（spiffworkflow:serviceTaskOperator）"
                self.add(element, f"{_label(task)}：{what}，可用的操作：{_names(operations)}")
                continue
            given = {p.get("id") for p in operator.iter(_spiff("parameter"))}
            missing = set(operations[operation]) - given
            if missing:
                self.add(
                    element,
                    f"{_label(task)}：缺少参数{_names(missing)}（操作“{operation}”需要：{_names(operations[operation])}）",
                )

    # -- rule 4b: business-rule tasks and their decision tables ---------------------------
    def check_business_rules(self, process) -> None:
        """A business-rule task runs the decision it names when a case reaches it; a
        missing one would stop every such case there."""
        known = {info.id: info for info in decision_infos(self.dmn_root)} if self.dmn_root is not None else {}
        for task in process.iter(_bpmn("businessRuleTask")):
            called = _text(task.find(f"{_bpmn('extensionElements')}/{_spiff('calledDecisionId')}"))
            if not called:
                self.add(task.get("id"), f"{_label(task)}：没有指定决策表，请在属性中选择要执行的决策表")
            elif called not in known:
                choices = _names(f"“{i.name or i.id}”（{i.id}）" for i in known.values())
                self.add(task.get("id"), f"{_label(task)}：决策表“{called}”不存在，本版本的决策表：{choices}")

    def check_decision_tables(self) -> None:
        """Each decision as SpiffWorkflow evaluates it: one table, a hit policy it knows,
        input expressions and cells that are Python over data the case has, outputs that
        are variable names. Problems name the decision, where the editor opens."""
        if self.dmn_root is None:
            return
        ns = etree.QName(self.dmn_root).namespace
        decisions = decision_elements(self.dmn_root)
        if not decisions:
            self.add("", "决策表文件中没有决策表（decision）")
        for decision, info in zip(decisions, decision_infos(self.dmn_root), strict=True):
            where = f"决策表{_quoted(info.id, info.name)}"
            tables = decision.findall(f"{{{ns}}}decisionTable")
            if len(tables) != 1:
                self.add(info.id, f"{where}须且只能包含一张决策表（decisionTable），不支持文字表达式等其他决策")
                continue
            if info.hit_policy not in HIT_POLICIES:
                self.add(info.id, f"{where}的命中策略“{info.hit_policy}”不受支持，只能是：{'、'.join(HIT_POLICIES.values())}")
            if not info.outputs:
                self.add(info.id, f"{where}没有输出列，执行后不会产生任何结果")
            for column in info.inputs:
                label = f"{where}的输入列“{column.label or column.id}”的表达式"
                self.check_code(column.text, "eval", None, "", variables=True, at=(info.id, label))
            for column in info.outputs:
                if not column.text.isidentifier() or "__" in column.text:
                    self.add(info.id, f"{where}的输出列“{column.label or column.id}”须有输出名称（变量名，如 review_route），后续网关按此名称读取结果")
            for number, rule in enumerate(tables[0].iterfind(f"{{{ns}}}rule"), start=1):
                self.check_rule(rule, number, info, where, ns)

    def check_rule(self, rule, number: int, info, where: str, ns: str) -> None:
        cells = [*rule.iterfind(f"{{{ns}}}inputEntry"), *rule.iterfind(f"{{{ns}}}outputEntry")]
        if len(cells) != len(info.inputs) + len(info.outputs):
            self.add(info.id, f"{where}第{number}条规则的单元格数与列数不符")
            return
        for index, cell in enumerate(cells):
            text = _text(cell.find(f"{{{ns}}}text"))
            is_input = index < len(info.inputs)
            column = info.inputs[index] if is_input else info.outputs[index - len(info.inputs)]
            label = f"{where}第{number}条规则“{column.label or column.id}”列"
            if is_input:
                if text in ("", "-"):
                    continue  # any value
                self.check_code(_dmn_condition(text), "eval", None, "", variables=True, at=(info.id, label), extra={"dmninputexpr"})
            elif text:
                self.check_code(text, "eval", None, "", variables=True, at=(info.id, label))

    # -- rule 5: scripts -------------------------------------------------------------
    def known_variables(self, root, pid: str) -> frozenset[str]:
        """Every variable some part of the diagram (or the case's start) gives the task
        data; a condition reading anything else fails with NameError when it runs."""
        known: set[str] = set(self.rules.start_data.get(pid, frozenset()))
        for prop in root.iter(_spiff("property")):
            task = _owner(prop)
            if prop.get("name") == "form" and task is not None and _local(task) in ("userTask", "manualTask"):
                form = (prop.get("value") or "").strip()
                with contextlib.suppress(Exception):  # an unknown form is reported by the form rule
                    known.update(self.rules.form_writes(form) or ())
                    known.update(self.rules.task_writes(form, self._properties(task)) or ())
        for el in self._scripts(root):
            tree = self._parse_code(el.text or "", "exec")
            if tree is not None:
                known |= _stored_names(tree)
        for tag in ("messageVariable", "variableName"):
            known |= {(el.text or "").strip() for el in root.iter(_spiff(tag)) if (el.text or "").strip()}
        known |= {
            el.get("resultVariable") for el in root.iter(_spiff("serviceTaskOperator")) if el.get("resultVariable")
        }
        if self.dmn_root is not None:  # a business-rule task writes its decision's outputs
            outputs = decision_outputs(self.dmn_root)
            for called in root.iter(_spiff("calledDecisionId")):
                known |= {name for name in outputs.get(_text(called), ()) if name.isidentifier()}
        return frozenset(known)

    @staticmethod
    def _scripts(root) -> list:
        return [
            *root.iter(_bpmn("script")),
            *root.iter(_spiff("preScript")),
            *root.iter(_spiff("postScript")),
        ]

    @staticmethod
    def _parse_code(text: str, mode: str) -> ast.AST | None:
        try:
            return ast.parse(text.strip(" \t") if mode == "eval" else text, mode=mode)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None

    def check_scripts(self, root, process) -> None:
        for el in self._scripts(process):
            owner = _owner(el)
            what = {"script": "的脚本", "preScript": "的前置脚本", "postScript": "的后置脚本"}[_local(el)]
            self.check_code(el.text or "", "exec", owner, what, variables=True)
        for el in process.iter(_bpmn("serviceTask")):
            for param in el.iter(_spiff("parameter")):
                self.check_code(
                    param.get("value") or "", "eval", el, f"的参数“{param.get('id') or ''}”", variables=True
                )
        # payloads of signals and messages: expressions evaluated when they are thrown
        for expression in root.iter(_spiff("payloadExpression")):
            self.check_code(expression.text or "", "eval", _owner(expression), "的消息内容表达式")

    def check_code(
        self, text: str, mode: str, owner, what: str, *, variables: bool = False,
        at: tuple[str, str] | None = None, extra: set[str] | None = None,
    ) -> ast.AST | None:
        """Compile a script (`exec`) or an expression (`eval`) and refuse what could run
        arbitrary code or call an unknown function; `variables`: also report variables
        no part of the diagram provides. `at`: (element, where) when the code is not a
        BPMN element's (a decision table's cell); `extra`: names the caller binds."""
        element = owner.get("id") if owner is not None else ""
        where = (_label(owner) if owner is not None else "流程图") + what
        if at is not None:
            element, where = at
        if mode == "eval" and not text.strip():
            self.add(element, f"{where}为空")
            return None
        try:
            tree = ast.parse(text.strip(" \t") if mode == "eval" else text, mode=mode)
        except SyntaxError as exc:
            self.add(element, f"{where}有语法错误（第{exc.lineno or 1}行：{exc.msg}），须为Python语法")
            return None
        except (ValueError, RecursionError, MemoryError) as exc:
            self.add(element, f"{where}无法解析：{exc}")
            return None
        local_functions = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        called: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                self.add(element, f"{where}不能导入模块（import）")
            elif isinstance(node, ast.Name) and ("__" in node.id or node.id in FORBIDDEN_NAMES):
                self.add(element, f"{where}不能使用“{node.id}”")
            elif isinstance(node, ast.Attribute) and "__" in node.attr:
                self.add(element, f"{where}不能使用“{node.attr}”")
            elif isinstance(node, ast.Call):
                self.check_call(node, element, where, local_functions, called)
        if variables:
            self.check_variables(tree, element, where, called | (extra or set()))
        return tree

    def check_call(self, node: ast.Call, element: str, where: str, local_functions: set[str], called: set[str]) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            return  # a method of a value, e.g. review.get("months")
        if not isinstance(func, ast.Name):
            self.add(element, f"{where}只能按名称调用函数")
            return
        called.add(func.id)
        if func.id in FORBIDDEN_NAMES or "__" in func.id:
            return  # reported as a forbidden name
        if func.id not in self.allowed_functions and func.id not in local_functions:
            self.add(element, f"{where}调用了未知函数“{func.id}”，可用的函数：{_names(self.allowed_functions)}")
            return
        for function, known, kind in (
            ("time_limit", self.rules.time_limits, "时限"),
            ("province_param", self.rules.params, "参数"),
        ):
            if func.id != function:
                continue
            arg = node.args[0] if len(node.args) == 1 and not node.keywords else None
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                self.add(element, f'{where}：{function}(...) 须写一个带引号的{kind}名称，例如 {function}("名称")')
            elif arg.value not in known:
                self.add(element, f"{where}：{kind}“{arg.value}”不存在，可用的{kind}：{_names(known)}")

    def check_variables(self, tree: ast.AST, element: str, where: str, called: set[str]) -> None:
        bound = _stored_names(tree)
        read = {
            n.id for n in ast.walk(tree)
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
        }
        unknown = read - bound - self.known - called - self.allowed_functions - {"True", "False", "None"}
        unknown = {name for name in unknown if "__" not in name and name not in FORBIDDEN_NAMES}
        if unknown:
            self.add(
                element,
                f"{where}读取的变量{_names(f'“{v}”' for v in unknown)}在流程中没有来源"
                f"（不是立案时提供的数据，也不是任何表单、脚本、服务任务或消息写入的数据）",
            )

    # -- rule 6: timers ----------------------------------------------------------------
    def check_timers(self, process) -> None:
        """Time limits here are working days (003); a calendar duration silently ignores
        holidays, so only add_working_days(...) is accepted, and it is tried once."""
        for definition in process.iter(_bpmn("timerEventDefinition")):
            owner = _owner(definition)
            element = owner.get("id") if owner is not None else ""
            where = (_label(owner) if owner is not None else "定时器") + "的定时器"
            kinds = {_local(child): child for child in definition if _local(child)}
            if "timeDuration" in kinds or "timeCycle" in kinds:
                written = (kinds.get("timeDuration", kinds.get("timeCycle")).text or "").strip()
                self.add(element, f"{where}用的是时长或循环（{written}），不按工作日计算；{TIMER_HINT}")
                continue
            if "timeDate" not in kinds:
                self.add(element, f"{where}没有设置时间；{TIMER_HINT}")
                continue
            self.check_timer_expression((kinds["timeDate"].text or "").strip(), element, where)

    def check_timer_expression(self, text: str, element: str, where: str) -> None:
        tree = self._parse_code(text, "eval")
        call = tree.body if isinstance(tree, ast.Expression) else None
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Name)
            and call.func.id == "add_working_days"
            and 1 <= len(call.args) <= 2
            and not call.keywords
        ):
            self.add(element, f"{where}“{text[:80]}”不是工作日表达式；{TIMER_HINT}")
            return
        days, start = call.args[0], (call.args[1] if len(call.args) == 2 else None)
        if isinstance(days, ast.Constant) and type(days.value) is int:
            if not 0 < days.value <= MAX_WORKING_DAYS:
                self.add(element, f"{where}的工作日数须在1到{MAX_WORKING_DAYS}之间（现为{days.value}）")
                return
        elif (
            isinstance(days, ast.Call)
            and isinstance(days.func, ast.Name)
            and days.func.id == "time_limit"
            and len(days.args) == 1
            and not days.keywords
            and isinstance(days.args[0], ast.Constant)
            and isinstance(days.args[0].value, str)
        ):
            name = days.args[0].value
            if name not in self.rules.time_limits:
                self.add(element, f"{where}：时限“{name}”不存在，可用的时限：{_names(self.rules.time_limits)}")
                return
        else:
            self.add(element, f"{where}的工作日数须是正整数或 time_limit(\"时限名称\")；{TIMER_HINT}")
            return
        variables: dict[str, str] = {}
        if start is not None:
            if not isinstance(start, ast.Name) or "__" in start.id:
                self.add(element, f"{where}的起算时间须是一个变量名（例如 certified_at）")
                return
            if start.id not in self.known:
                self.add(
                    element,
                    f"{where}的起算时间变量“{start.id}”在流程中没有来源（不是立案时提供的数据，也不是任何表单、脚本、服务任务或消息写入的数据）",
                )
                return
            variables[start.id] = DRY_START.isoformat()
        self.dry_run(text, element, where, variables)

    def dry_run(self, text: str, element: str, where: str, variables: dict[str, str]) -> None:
        def time_limit(name: str) -> int:
            value = self.rules.time_limits[name]
            if type(value) is not int or not 0 < value <= MAX_WORKING_DAYS:
                raise ValueError(f"时限“{name}”的值{value!r}不是1到{MAX_WORKING_DAYS}之间的工作日数")
            return value

        namespace = {
            "__builtins__": {},
            "add_working_days": _dry_add_working_days,
            "time_limit": time_limit,
            **variables,
        }
        try:
            result = eval(compile(text.strip(" \t"), "<timer>", "eval"), namespace)  # noqa: S307 - shape checked above, no builtins
            due = result if isinstance(result, datetime) else datetime.fromisoformat(str(result))
            if due.tzinfo is None:
                due = due.replace(tzinfo=CHINA_TZ)
            if due <= DRY_START:
                raise ValueError(f"到期时间{due.isoformat()}不晚于起算时间")
        except Exception as exc:
            self.add(element, f"{where}试算失败（从{DRY_START:%Y-%m-%d %H:%M}起算）：{exc}")

    # -- rule 7: gateways and conditions -------------------------------------------------
    def check_gateways(self, process) -> None:
        """An exclusive/inclusive gateway whose conditions all turn out false stops the
        case for good; a default flow is the way out, and every other flow needs a
        condition that compiles and reads only data that exists."""
        for container in self._containers(process):
            flows = [c for c in container if _local(c) == "sequenceFlow"]
            for gateway in container:
                if _local(gateway) not in ("exclusiveGateway", "inclusiveGateway"):
                    continue
                outgoing = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
                if len(outgoing) < 2:
                    continue
                default = gateway.get("default")
                if not default:
                    self.add(
                        gateway.get("id"),
                        f"{_label(gateway)}有{len(outgoing)}条出口连线，但没有默认连线；"
                        "请把其中一条设为默认连线（条件都不满足时走它）",
                    )
                elif default not in {f.get("id") for f in outgoing}:
                    self.add(gateway.get("id"), f"{_label(gateway)}的默认连线“{default}”不是从它出发的连线")
                for flow in outgoing:
                    if flow.get("id") == default:
                        continue
                    condition = flow.find(_bpmn("conditionExpression"))
                    if condition is None or not (condition.text or "").strip():
                        self.add(
                            flow.get("id"),
                            f"{_label(flow)}（从{_label(gateway)}出发）没有条件；非默认连线须写条件",
                        )
        for flow in process.iter(_bpmn("sequenceFlow")):
            condition = flow.find(_bpmn("conditionExpression"))
            if condition is not None and (condition.text or "").strip():
                self.check_code(condition.text or "", "eval", flow, "的条件", variables=True)

    # -- rules 8, 9, 10: the graph ---------------------------------------------------
    @staticmethod
    def _containers(process) -> list:
        return [process, *(el for el in process.iter(etree.Element) if _local(el) in CONTAINERS[1:])]

    def check_graph(self, process) -> None:
        """Every element can be reached, every path ends, every (sub-)process has a start
        and an end: an unreachable task is a rule that never applies, a dead end is a
        case that can never finish."""
        for container in self._containers(process):
            nodes = [el for el in container if _local(el) in FLOW_NODE_KINDS]
            flows = [el for el in container if _local(el) == "sequenceFlow"]
            starts = [n for n in nodes if _local(n) == "startEvent"]
            where = "流程" if container is process else _label(container)
            if not starts:
                self.add(container.get("id"), f"{where}没有开始事件")
            if not any(_local(n) == "endEvent" for n in nodes):
                self.add(container.get("id"), f"{where}没有结束事件")
            self.check_reachable(container, where, nodes, flows, starts)
            self.check_dead_ends(nodes, flows)

    def check_reachable(self, container, where: str, nodes: list, flows: list, starts: list) -> None:
        if not starts:
            return  # every node would be unreachable; the missing start is the problem
        ids = {n.get("id") for n in nodes}
        following: dict[str, list[str]] = {}
        for flow in flows:
            following.setdefault(flow.get("sourceRef"), []).append(flow.get("targetRef"))
        for node in nodes:
            if _local(node) == "boundaryEvent":
                following.setdefault(node.get("attachedToRef"), []).append(node.get("id"))
        links: dict[str, list[str]] = {}
        for node in nodes:
            link = node.find(_bpmn("linkEventDefinition"))
            if link is not None and _local(node) == "intermediateCatchEvent":
                links.setdefault(link.get("name") or "", []).append(node.get("id"))
        for node in nodes:
            link = node.find(_bpmn("linkEventDefinition"))
            if link is not None and _local(node) == "intermediateThrowEvent":
                following.setdefault(node.get("id"), []).extend(links.get(link.get("name") or "", []))
        entries = [n.get("id") for n in starts]
        entries += [
            n.get("id") for n in nodes
            if (n.get("triggeredByEvent") or "").lower() == "true" or (n.get("isForCompensation") or "").lower() == "true"
        ]
        reached: set[str] = set()
        queue = list(entries)
        while queue:
            current = queue.pop()
            if current in reached or current not in ids:
                continue
            reached.add(current)
            queue.extend(following.get(current, []))
        for node in nodes:
            if node.get("id") not in reached:
                self.add(
                    node.get("id"),
                    f"{_label(node)}：从{where}的开始事件沿连线无法到达，永远不会执行；请连上连线或删除它",
                )

    def check_dead_ends(self, nodes: list, flows: list) -> None:
        sources = {f.get("sourceRef") for f in flows}
        for node in nodes:
            local = _local(node)
            if local == "endEvent" or node.get("id") in sources:
                continue
            if (node.get("triggeredByEvent") or "").lower() == "true":
                continue  # an event sub-process is entered by its event, left by its end
            if (node.get("isForCompensation") or "").lower() == "true":
                continue
            if local == "boundaryEvent" and node.find(_bpmn("compensateEventDefinition")) is not None:
                continue
            if local == "intermediateThrowEvent" and node.find(_bpmn("linkEventDefinition")) is not None:
                continue  # goes on at the matching link catch event
            self.add(node.get("id"), f"{_label(node)}：没有后续连线，也不是结束事件；请连到下一步或结束事件")
