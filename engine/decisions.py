"""决策表: the DMN document a process version carries, read the way the engine runs it.

A version stores one DMN document (what dmn-js edits: one `definitions` with any number
of decisions). SpiffWorkflow 3.2's DMN parser takes one decision per document and reads
only the first, so the document is split here into one document per decision, each
keeping the shared namespaces and dropping the drawing (DMNDI), before it reaches the
parser. The same split is used to check a draft and to run a case, so what passes the
check is exactly what runs.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from lxml import etree

# DMN 1.1, 1.2 and 1.3: the versions SpiffWorkflow's parser has schemas for.
DMN_NAMESPACES = (
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
)
DMNDI_LOCAL = "DMNDI"
HIT_POLICIES = {"UNIQUE": "唯一命中（UNIQUE）", "COLLECT": "收集全部命中（COLLECT）"}


@dataclass(frozen=True)
class DecisionColumn:
    id: str
    label: str
    text: str  # an input's expression, or an output's variable name


@dataclass(frozen=True)
class DecisionInfo:
    """What a process owner and the checks need to know of one decision table."""

    id: str
    name: str
    hit_policy: str
    inputs: tuple[DecisionColumn, ...]
    outputs: tuple[DecisionColumn, ...]
    rules: int


def is_dmn_root(root) -> bool:
    return isinstance(root.tag, str) and etree.QName(root).localname == "definitions" and (
        etree.QName(root).namespace in DMN_NAMESPACES
    )


def _ns(root) -> str:
    return etree.QName(root).namespace or ""


def _text(el) -> str:
    return (el.text or "").strip() if el is not None else ""


def decision_elements(root) -> list:
    """The decisions directly under `definitions`, in document order."""
    return [el for el in root if isinstance(el.tag, str) and el.tag == f"{{{_ns(root)}}}decision"]


def decision_infos(root) -> list[DecisionInfo]:
    """Each decision's id, name, hit policy, columns and number of rules (its first
    decision table: the only one SpiffWorkflow evaluates)."""
    ns = _ns(root)
    infos = []
    for decision in decision_elements(root):
        table = decision.find(f"{{{ns}}}decisionTable")
        inputs: list[DecisionColumn] = []
        outputs: list[DecisionColumn] = []
        rules = 0
        hit_policy = ""
        if table is not None:
            hit_policy = (table.get("hitPolicy") or "UNIQUE").upper()
            for column in table.iterfind(f"{{{ns}}}input"):
                expression = column.find(f"{{{ns}}}inputExpression/{{{ns}}}text")
                inputs.append(DecisionColumn(column.get("id") or "", column.get("label") or "", _text(expression)))
            for column in table.iterfind(f"{{{ns}}}output"):
                outputs.append(DecisionColumn(column.get("id") or "", column.get("label") or "", column.get("name") or ""))
            rules = len(table.findall(f"{{{ns}}}rule"))
        infos.append(
            DecisionInfo(decision.get("id") or "", decision.get("name") or "", hit_policy, tuple(inputs), tuple(outputs), rules)
        )
    return infos


def split_decisions(root) -> list:
    """One `definitions` per decision (SpiffWorkflow reads only a document's first
    decision), without the DMNDI drawing, which the runtime never needs."""
    documents = []
    for index, _decision in enumerate(decision_elements(root)):
        document = copy.deepcopy(root)
        for position, other in enumerate(decision_elements(document)):
            if position != index:
                document.remove(other)
        for child in list(document):
            if isinstance(child.tag, str) and etree.QName(child).localname == DMNDI_LOCAL:
                document.remove(child)
        documents.append(document)
    return documents


def parse_dmn_text(text: str):
    """A stored DMN document's root (stored documents were checked when saved)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(text.encode("utf-8"), parser)


def decision_outputs(root) -> dict[str, tuple[str, ...]]:
    """decision id → the variables its rows write into the task data."""
    return {info.id: tuple(o.text for o in info.outputs if o.text) for info in decision_infos(root)}
