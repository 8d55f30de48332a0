"""与…比较: what changed between two versions of a process, element by element.

A process owner about to publish (or to migrate running cases) needs to see what the new
version does differently: which steps were added or removed, which were renamed, moved to
another lane, given another form, another service operation or parameter, another time
limit or another gateway condition, and how the flows between them were rewired. A text
diff of two BPMN files drowns that in layout coordinates and attribute order, so the two
XML documents are compared here by element id (BPMN's own identity, and SpiffWorkflow's
when it aligns tasks for a migration), on the facts that change how a case runs; the
drawing (the BPMNDI section) is ignored.

The XML is read with the same hygiene as `engine.validation` (no DTD, no entities, no
network, no huge trees), although a stored version has already passed those checks: a
version that cannot be read yields a diff that says so instead of an error page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from lxml import etree

from casework.task_forms import title_of
from engine.decisions import decision_elements, decision_infos, parse_dmn_text
from engine.validation import BPMN_NS, FLOW_NODE_KINDS, SPIFF_NS, read_bpmn_root

Status = Literal["added", "removed", "changed"]
STATUS_NAMES: dict[str, str] = {"added": "新增", "removed": "删除", "changed": "修改"}
OTHER_KINDS = {"sequenceFlow": "连线", "lane": "泳道", "process": "流程"}
COMPARED = frozenset(FLOW_NODE_KINDS) | frozenset(OTHER_KINDS)
EVENT_KINDS = {
    "timerEventDefinition": "定时",
    "messageEventDefinition": "消息",
    "signalEventDefinition": "信号",
    "errorEventDefinition": "错误",
    "escalationEventDefinition": "升级",
    "conditionalEventDefinition": "条件",
    "terminateEventDefinition": "终止",
    "cancelEventDefinition": "取消",
    "compensateEventDefinition": "补偿",
    "linkEventDefinition": "链接",
}
# a long value (a script) is cut on the page; the full text is in the XML download
VALUE_MAX = 160
NONE = "（无）"
LIST_FACTS = frozenset({"进入连线", "离开连线"})  # told as what was added and taken away


@dataclass(frozen=True)
class Element:
    """The facts of one BPMN element that matter to how a case runs, in display order."""

    id: str
    kind: str  # the XML tag's local name
    kind_name: str  # in Chinese, with the event's kind: "边界事件（定时）"
    name: str
    facts: dict[str, str]

    @property
    def label(self) -> str:
        """engine.validation's style: “name”（id）, or “id” when it has no name."""
        return f"“{self.name}”（{self.id}）" if self.name else f"“{self.id}”"


@dataclass(frozen=True)
class Change:
    """One line of the diff: an element added, removed or changed, and the details."""

    element: str
    status: Status
    title: str  # e.g. 新增用户任务“复核”（recheck）
    details: tuple[str, ...]

    @property
    def status_name(self) -> str:
        return STATUS_NAMES[self.status]


@dataclass
class DiagramDiff:
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)
    error: str = ""  # a version that could not be read

    @property
    def changes(self) -> list[Change]:
        return [*self.added, *self.removed, *self.changed]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _local(el) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _bpmn(name: str) -> str:
    return f"{{{BPMN_NS}}}{name}"


def _spiff(name: str) -> str:
    return f"{{{SPIFF_NS}}}{name}"


def _text(el) -> str:
    """An expression's text with its lines trimmed: reindenting a script is no change."""
    if el is None:
        return ""
    return "\n".join(line.strip() for line in (el.text or "").strip().splitlines() if line.strip())


def _cut(value: str) -> str:
    value = re.sub(r"\s*\n\s*", " ⏎ ", value)
    return value if len(value) <= VALUE_MAX else value[: VALUE_MAX - 1] + "…"


def read_bpmn(xml: str):
    """The document's root, read as the publishing check reads uploads; ValueError in Chinese."""
    root, problems = read_bpmn_root(xml or "")
    if root is None:
        raise ValueError(problems[0].message if problems else "流程图无法读取")
    return root


def elements_of(xml: str) -> dict[str, Element]:
    """Every compared element of the document's processes, by id, in document order."""
    root = read_bpmn(xml)
    names = {el.get("id"): el.get("name") or "" for el in root.iter(etree.Element) if el.get("id")}
    lane_of = {
        (ref.text or "").strip(): ref.getparent().get("name") or ref.getparent().get("id") or ""
        for ref in root.iter(_bpmn("flowNodeRef"))
    }
    flows = list(root.iter(_bpmn("sequenceFlow")))

    def ref(el_id: str | None) -> str:
        """A message or signal by the name it correlates on (its id is only a handle)."""
        return names.get(el_id or "", "") or el_id or ""

    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in flows:
        incoming.setdefault(flow.get("targetRef") or "", []).append(flow.get("id") or "")
        outgoing.setdefault(flow.get("sourceRef") or "", []).append(flow.get("id") or "")

    found: dict[str, Element] = {}
    for process in root.iter(_bpmn("process")):
        for el in process.iter(etree.Element):
            kind = _local(el)
            el_id = el.get("id")
            if kind not in COMPARED or not el_id or el_id in found:
                continue
            found[el_id] = _element(el, kind, el_id, lane_of, incoming, outgoing, ref)
    return found


def _element(el, kind: str, el_id: str, lane_of, incoming, outgoing, ref) -> Element:
    facts: dict[str, str] = {}
    definitions = [child for child in el if _local(child) in EVENT_KINDS]
    kind_name = FLOW_NODE_KINDS.get(kind) or OTHER_KINDS.get(kind, kind)
    if kind == "subProcess" and (el.get("triggeredByEvent") or "").lower() == "true":
        kind_name = "事件子流程"
    if definitions:
        kind_name += "（" + "、".join(EVENT_KINDS[_local(d)] for d in definitions) + "）"
    facts["类型"] = kind_name
    facts["名称"] = el.get("name") or ""
    if kind in FLOW_NODE_KINDS:
        facts["泳道"] = lane_of.get(el_id, "")
    facts["说明"] = _text(el.find(_bpmn("documentation")))
    extensions = el.find(_bpmn("extensionElements"))
    if extensions is not None:
        for prop in extensions.iterfind(f"{_spiff('properties')}/{_spiff('property')}"):
            name, value = prop.get("name") or "", prop.get("value") or ""
            if name == "form":
                facts["表单"] = f"{value}（{title_of(value)}）" if value and title_of(value) != value else value
            elif name:
                facts[f"属性“{name}”"] = value
        operator = extensions.find(_spiff("serviceTaskOperator"))
        if operator is not None:
            facts["服务操作"] = operator.get("id") or ""
            facts["结果变量"] = operator.get("resultVariable") or ""
            for param in operator.iter(_spiff("parameter")):
                value = param.get("value") or ""
                typed = f"{value}（{param.get('type')}）" if param.get("type") else value
                facts[f"参数“{param.get('id') or ''}”"] = typed
        for tag, label in (("preScript", "前置脚本"), ("postScript", "后置脚本"), ("calledDecisionId", "调用决策表")):
            facts[label] = _text(extensions.find(_spiff(tag)))
        for tag, label in (("messageVariable", "消息变量"), ("variableName", "变量")):
            facts[label] = _text(extensions.find(_spiff(tag)))
    facts["脚本"] = _text(el.find(_bpmn("script")))
    for definition in definitions:
        for child in definition:
            child_kind = _local(child)
            if child_kind in ("timeDate", "timeDuration", "timeCycle"):
                prefix = {"timeDate": "", "timeDuration": "时长 ", "timeCycle": "循环 "}[child_kind]
                facts["定时器"] = prefix + _text(child)
            elif child_kind == "condition":
                facts["事件条件"] = _text(child)
        for attr, label in (("messageRef", "消息"), ("signalRef", "信号"), ("errorRef", "错误"), ("escalationRef", "升级")):
            if definition.get(attr):
                facts[label] = ref(definition.get(attr))
    if kind == "boundaryEvent":
        facts["附着于"] = el.get("attachedToRef") or ""
        facts["中断所附环节"] = "否" if (el.get("cancelActivity") or "true").lower() == "false" else "是"
    if kind == "callActivity":
        facts["调用流程"] = el.get("calledElement") or ""
    if kind == "sequenceFlow":
        # by id, so that renaming a step does not mark every flow around it as changed
        facts["来源"] = el.get("sourceRef") or ""
        facts["去向"] = el.get("targetRef") or ""
        facts["条件"] = _text(el.find(_bpmn("conditionExpression")))
    if el.get("default"):
        facts["默认连线"] = el.get("default") or ""
    loop = next((c for c in el if _local(c) in ("multiInstanceLoopCharacteristics", "standardLoopCharacteristics")), None)
    if loop is not None:
        sequential = (loop.get("isSequential") or "").lower() == "true"
        facts["多实例"] = ("循环" if _local(loop) == "standardLoopCharacteristics" else "依次" if sequential else "并行")
    if kind in FLOW_NODE_KINDS:
        facts["进入连线"] = "、".join(sorted(incoming.get(el_id, [])))
        facts["离开连线"] = "、".join(sorted(outgoing.get(el_id, [])))
    return Element(el_id, kind, kind_name, el.get("name") or "", {k: v for k, v in facts.items() if v})


def _summary(element: Element) -> tuple[str, ...]:
    """What an added or removed element is: its facts, short, without its kind and name."""
    return tuple(f"{k}：{_cut(v)}" for k, v in element.facts.items() if k not in ("类型", "名称", "说明"))


def _list_change(was: str, now: str) -> str:
    before, after = set(filter(None, was.split("、"))), set(filter(None, now.split("、")))
    parts = []
    if after - before:
        parts.append("增加 " + "、".join(sorted(after - before)))
    if before - after:
        parts.append("去掉 " + "、".join(sorted(before - after)))
    return "；".join(parts)


def decisions_of(dmn: str) -> dict[str, Element]:
    """A version's decision tables as elements: name, hit policy, columns and each rule
    (conditions → results), so a changed cell shows as a changed rule."""
    if not dmn.strip():
        return {}
    try:
        root = parse_dmn_text(dmn)
    except etree.LxmlError as exc:
        raise ValueError(f"决策表无法读取：{exc}") from None
    ns = etree.QName(root).namespace
    found = {}
    for decision, info in zip(decision_elements(root), decision_infos(root), strict=True):
        facts = {
            "名称": info.name,
            "命中策略": info.hit_policy,
            "输入列": "、".join(f"{c.label or c.id}（{c.text}）" for c in info.inputs),
            "输出列": "、".join(f"{c.label or c.id}（{c.text}）" for c in info.outputs),
        }
        for number, rule in enumerate(decision.iterfind(f"{{{ns}}}decisionTable/{{{ns}}}rule"), start=1):
            cells = [_text(c.find(f"{{{ns}}}text")) or "-" for c in rule.iterfind(f"{{{ns}}}inputEntry")]
            results = [_text(c.find(f"{{{ns}}}text")) for c in rule.iterfind(f"{{{ns}}}outputEntry")]
            facts[f"第{number}条规则"] = f"条件 {' | '.join(cells)}；结果 {' | '.join(results)}"
        found[info.id] = Element(info.id, "decision", "决策表", info.name, facts)
    return found


def compare(old_xml: str, new_xml: str, old_dmn: str = "", new_dmn: str = "") -> DiagramDiff:
    """The elements added, removed and changed from `old_xml` to `new_xml` (by id), and
    the decision tables from `old_dmn` to `new_dmn`."""
    diff = DiagramDiff()
    try:
        old, new = elements_of(old_xml), elements_of(new_xml)
        old.update(decisions_of(old_dmn))
        new.update(decisions_of(new_dmn))
    except ValueError as exc:
        diff.error = str(exc)
        return diff
    for el_id, element in new.items():
        before = old.get(el_id)
        if before is None:
            diff.added.append(Change(el_id, "added", f"新增{element.kind_name}{element.label}", _summary(element)))
            continue
        lines = []
        for key in dict.fromkeys([*before.facts, *element.facts]):
            was, now = before.facts.get(key, ""), element.facts.get(key, "")
            if was == now:
                continue
            if key in LIST_FACTS:
                lines.append(f"{key}：{_list_change(was, now)}")
            else:
                lines.append(f"{key}：{_cut(was) or NONE} → {_cut(now) or NONE}")
        if lines:
            title = f"修改{element.kind_name}{element.label}"
            diff.changed.append(Change(el_id, "changed", title, tuple(lines)))
    for el_id, element in old.items():
        if el_id not in new:
            diff.removed.append(Change(el_id, "removed", f"删除{element.kind_name}{element.label}", _summary(element)))
    return diff
