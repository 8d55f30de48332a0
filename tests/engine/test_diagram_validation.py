"""engine.validation: what a process owner's upload must pass before it may be published.

No database: the rules are built by hand with this product's real forms, functions and
operations, so the shipped diagrams must pass them as they are, and each broken fixture
under diagrams/broken/ must be refused with a problem on the right element.
"""

from __future__ import annotations

import dataclasses
import re
import time
from pathlib import Path

import pytest

import casework.flow_functions  # noqa: F401  (registers the script functions)
import casework.graduate_subsidy  # noqa: F401  (registers the 大学生 script functions)
import casework.levy_relief  # noqa: F401  (registers the 缓减免 script functions)
import casework.reward_applications  # noqa: F401  (registers the reward's script functions)
from casework import process_rules, task_forms
from engine.lanes import LaneTable
from engine.script_engine import registered_functions
from engine.validation import CheckedDiagram, DiagramRules, Problem, check_diagram

ROOT = Path(__file__).resolve().parents[2]
BROKEN = Path(__file__).resolve().parent / "diagrams" / "broken"
SHIPPED = sorted((ROOT / "workflows").rglob("*.bpmn"))


@pytest.fixture(scope="module")
def rules() -> DiagramRules:
    forms = task_forms.load_forms()
    return DiagramRules(
        lanes=LaneTable(),
        form_rule=lambda key, role, props, table: task_forms.check_form(key, role, props, table.staff_roles),
        operations={"verify_months": frozenset({"placement_id"}), "push_tax_result": frozenset({"case_id"})},
        functions=frozenset(registered_functions()) | {"add_working_days", "now"},
        form_writes=lambda key: forms[key].writes if key in forms else (),
        start_data=process_rules.START_DATA,  # what each process is started with, as the casework declares it
        time_limits={"manual_review": 10, "send_to_tax": 20, "feedback": 7, "certificate_download_after": 3,
                     "window_acceptance": 3},
        params={"withdrawal_needs_supervisor": False},
    )


def check_file(name: str, rules: DiagramRules) -> tuple[CheckedDiagram | None, list[Problem]]:
    path = BROKEN / name
    return check_diagram(path.read_bytes(), path.name, rules)


def by_element(problems: list[Problem]) -> dict[str, str]:
    found: dict[str, str] = {}
    for p in problems:
        found[p.element] = found.get(p.element, "") + p.message
    return found


# -- the shipped diagrams --------------------------------------------------------------


def test_all_shipped_diagrams_are_found() -> None:
    names = {str(p.relative_to(ROOT / "workflows")) for p in SHIPPED}
    assert {"annual_certification.bpmn", "placement_review.bpmn", "150000/annual_certification.bpmn"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT / "workflows")))
def test_shipped_diagram_has_no_problems(path: Path, rules: DiagramRules) -> None:
    checked, problems = check_diagram(path.read_bytes(), path.name, rules)
    assert problems == []
    assert checked is not None and checked.process_id == path.stem
    assert checked.spec is not None and isinstance(checked.subprocess_specs, dict)


def test_text_input_and_expected_process_id(rules: DiagramRules) -> None:
    text = (ROOT / "workflows" / "placement_review.bpmn").read_text(encoding="utf-8")
    assert check_diagram(text, "p.bpmn", rules, expected_process_id="placement_review")[1] == []
    checked, problems = check_diagram(text, "p.bpmn", rules, expected_process_id="annual_certification")
    assert checked is not None
    assert [p.element for p in problems] == ["placement_review"]
    assert "annual_certification" in problems[0].message


def test_process_must_replace_a_known_process(rules: DiagramRules) -> None:
    data = (ROOT / "workflows" / "placement_review.bpmn").read_bytes()
    only_annual = dataclasses.replace(rules, process_ids=frozenset({"annual_certification"}))
    _checked, problems = check_diagram(data, "p.bpmn", only_annual)
    assert [p.element for p in problems] == ["placement_review"]
    assert "不是已有的流程" in problems[0].message
    allowed = dataclasses.replace(rules, process_ids=frozenset({"placement_review"}))
    assert check_diagram(data, "p.bpmn", allowed)[1] == []


def test_public_types_are_frozen(rules: DiagramRules) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        Problem("a", "b").element = "c"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.max_bytes = 1  # type: ignore[misc]


# -- one broken fixture per rule -------------------------------------------------------

BROKEN_CASES: dict[str, dict[str, str]] = {
    # file: {element id: a piece of its message}; exactly these elements are reported
    "two_processes.bpmn": {"": "只能包含一个可执行流程"},
    "xsd_invalid.bpmn": {"weird": "不符合BPMN规范"},
    "lane_unknown.bpmn": {"lane_finance": "泳道“财务科”（lane_finance）不是已知角色"},
    "task_outside_lane.bpmn": {"review": "用户任务“安置登记审核”（review）：不在任何泳道中"},
    "form_unregistered.bpmn": {"review": "表单“no_such_form”未注册"},
    "service_problems.bpmn": {
        "verify_unknown": "操作“check_everything”不存在，可用的操作：push_tax_result、verify_months",
        "verify_missing": "缺少参数placement_id",
    },
    "script_problems.bpmn": {
        "s_syntax": "语法错误",
        "s_unknown": "未知函数“delete_everything”",
        "s_import": "不能导入模块",
        "s_dunder": "“__class__”",
        "s_unknown_var": "变量“verfication”在流程中没有来源",
        "review": "前置脚本不能使用“eval”",
    },
    "timer_problems.bpmn": {
        "t_wait_literal": "不是工作日表达式",
        "t_duration": "时长或循环",
        "t_cycle": "时长或循环",
        "t_unknown_limit": "时限“reply”不存在",
        "t_unknown_var": "起算时间变量“signed_at”在流程中没有来源",
        "t_zero": "时限“zero_days”不存在",
        "t_negative": "须是正整数",
    },
    "gateway_problems.bpmn": {
        "gw_no_default": "没有默认连线",
        "f_no_condition": "没有条件",
        "f_unknown_var": "变量“approved_flag”在流程中没有来源",
        "f_syntax": "语法错误",
        "f_bad_function": "不能使用“open”",
    },
    "unreachable.bpmn": {"orphan": "无法到达", "sub_orphan": "从子流程“核验”（sub）的开始事件沿连线无法到达"},
    "dead_end.bpmn": {"stuck": "没有后续连线，也不是结束事件"},
    "missing_start_end.bpmn": {
        "sub_no_start": "没有开始事件",
        "sub_no_end": "没有结束事件",
        "b_throw": "没有后续连线",  # a sub-process without an end has a dead end too
    },
    "camunda_modeler.bpmn": {
        "Activity_review": "不在任何泳道中",
        "Activity_verify": "没有指定服务操作",
        "Event_deadline": "时长或循环",
    },
}


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
def test_broken_fixture_is_refused_on_its_element(name: str, rules: DiagramRules) -> None:
    _checked, problems = check_file(name, rules)
    found = by_element(problems)
    assert set(found) == set(BROKEN_CASES[name]), problems
    for element, expected in BROKEN_CASES[name].items():
        assert expected in found[element], (element, found[element])


def test_every_fixture_has_a_case() -> None:
    assert {p.name for p in BROKEN.glob("*.bpmn")} == set(BROKEN_CASES)


def test_messages_name_the_element_in_chinese(rules: DiagramRules) -> None:
    _checked, problems = check_file("gateway_problems.bpmn", rules)
    message = by_element(problems)["gw_no_default"]
    assert message.startswith("排他网关“审核结论？”（gw_no_default）")


def test_parsed_diagram_is_returned_with_its_problems(rules: DiagramRules) -> None:
    checked, problems = check_file("lane_unknown.bpmn", rules)
    assert problems and checked is not None and checked.process_id == "placement_review"


def test_timer_dry_run_reports_a_bad_time_limit_value(rules: DiagramRules) -> None:
    zero = dataclasses.replace(rules, time_limits={**rules.time_limits, "zero_days": 0})
    found = by_element(check_file("timer_problems.bpmn", zero)[1])
    assert "试算失败" in found["t_zero"] and "zero_days" in found["t_zero"]
    assert "t_ok" not in found and "t_ok_literal" not in found


def test_province_param_names_are_checked(rules: DiagramRules) -> None:
    text = (ROOT / "workflows" / "annual_certification.bpmn").read_text(encoding="utf-8")
    renamed = text.replace('province_param("withdrawal_needs_supervisor")', 'province_param("no_such_param")')
    found = by_element(check_diagram(renamed, "a.bpmn", rules)[1])
    assert set(found) == {"withdraw_prepare"}
    assert "参数“no_such_param”不存在" in found["withdraw_prepare"]


def test_without_form_rule_a_user_task_still_needs_a_form(rules: DiagramRules) -> None:
    text = (BROKEN / "form_unregistered.bpmn").read_text(encoding="utf-8").replace(
        '<spiffworkflow:property name="form" value="no_such_form" />', ""
    )
    found = by_element(check_diagram(text, "f.bpmn", dataclasses.replace(rules, form_rule=None))[1])
    assert set(found) == {"review"} and "未指定表单" in found["review"]


# -- garbage never raises --------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">&lol9;</bpmn:definitions>"""

XXE = b"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE foo [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">
  <bpmn:process id="p" isExecutable="true"><bpmn:documentation>&xxe;</bpmn:documentation></bpmn:process>
</bpmn:definitions>"""

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" + bytes(200)

DEEP = (
    b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
    + b"<bpmn:documentation>" * 200
    + b"</bpmn:documentation>" * 200
    + b"</bpmn:definitions>"
)


def _half_diagram() -> bytes:
    data = (ROOT / "workflows" / "placement_review.bpmn").read_bytes()
    return data[: len(data) // 2]


GARBAGE: dict[str, tuple[bytes | str, str]] = {
    "empty": (b"", "文件为空"),
    "blank": ("  \n ", "文件为空"),
    "binary": (b"\x00\xff" * 1000, "不是UTF-8"),
    "png": (PNG, "不是UTF-8"),
    "not xml": ("not xml", "不是有效的XML"),
    "half a diagram": (_half_diagram(), "不是有效的XML"),
    "billion laughs": (BILLION_LAUGHS, "DOCTYPE"),
    "xxe": (XXE, "DOCTYPE"),
    "lowercase doctype": (b'<!doctype x><x/>', "DOCTYPE"),
    "gbk": ("<?xml version='1.0' encoding='GBK'?><a>审核</a>".encode("gbk"), "不是UTF-8"),
    "gbk declared, ascii body": (b"<?xml version='1.0' encoding='GBK'?><a/>", "只接受UTF-8"),
    "other root": (b"<html><body>hello</body></html>", "根元素应为bpmn:definitions"),
    "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "根元素应为bpmn:definitions"),
    "deeply nested": (DEEP, "嵌套层数过多"),
    "very deeply nested": (b"<a>" * 100_000 + b"</a>" * 100_000, "嵌套层数过多"),
    "no process": (
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" />',
        "只能包含一个可执行流程",
    ),
    "lone surrogate": ("<a>\ud800</a>", "不是UTF-8"),
}


@pytest.mark.parametrize("name", sorted(GARBAGE))
def test_garbage_is_refused_without_raising(name: str, rules: DiagramRules) -> None:
    data, expected = GARBAGE[name]
    checked, problems = check_diagram(data, "upload.bpmn", rules)
    assert checked is None
    assert problems and all(p.element == "" for p in problems)
    assert expected in problems[0].message, problems


def test_entities_are_never_expanded(rules: DiagramRules) -> None:
    started = time.perf_counter()
    for data in (BILLION_LAUGHS, XXE):
        _checked, problems = check_diagram(data, "x.bpmn", rules)
        assert "root:" not in problems[0].message and "lollol" not in problems[0].message
    assert time.perf_counter() - started < 1


def test_fifty_megabytes_are_refused_before_parsing(rules: DiagramRules) -> None:
    data = b"<bpmn:definitions>" + b"x" * 50_000_000
    started = time.perf_counter()
    checked, problems = check_diagram(data, "big.bpmn", rules)
    assert time.perf_counter() - started < 1
    assert checked is None and "文件过大" in problems[0].message
    _checked, problems = check_diagram(data.decode("ascii"), "big.bpmn", rules)
    assert "文件过大" in problems[0].message


def test_odd_argument_types_do_not_raise(rules: DiagramRules) -> None:
    for data in (None, 42, ["<a/>"]):
        checked, problems = check_diagram(data, "x.bpmn", rules)  # type: ignore[arg-type]
        assert checked is None and problems


ENGLISH = re.compile(r"[A-Za-z]{4,}")


@pytest.mark.parametrize("data", [
    _half_diagram(), b"<a><b></a>", b"<a>x & y</a>", b"<a/><b/>", b"<foo:a/>", b'<a x="1" x="2"/>',
], ids=["half", "mismatch", "ampersand", "two roots", "undeclared prefix", "attribute twice"])
def test_broken_xml_is_explained_in_chinese(data: bytes, rules: DiagramRules) -> None:
    """The parser's English ("Opening and ending tag mismatch") is translated, the names
    it mentions kept: a 残联 office reads what is wrong."""
    _checked, problems = check_diagram(data, "upload.bpmn", rules)
    words = [w for w in ENGLISH.findall(problems[0].message) if w not in ("XML", "BPMN")]
    assert problems[0].message.startswith("文件不是有效的XML") and not words, problems[0].message


def test_a_schema_error_is_explained_in_chinese(rules: DiagramRules) -> None:
    _checked, problems = check_file("xsd_invalid.bpmn", rules)
    assert any("不应出现在此处" in p.message for p in problems), problems


def test_exclude_actor_must_name_data_the_process_has(rules: DiagramRules) -> None:
    """审核分离 written in the diagram: a variable nothing writes would let anyone decide."""
    xml = (ROOT / "workflows" / "over_ratio_reward.bpmn").read_text(encoding="utf-8")
    assert 'name="exclude_actor" value="first_reviewer"' in xml
    broken = xml.replace('value="first_reviewer"', 'value="first_reviewr"')
    problems = by_element(check_diagram(broken, "r.bpmn", rules)[1])
    assert "“first_reviewr”在流程中没有来源" in problems["second_review"]
    broken = xml.replace('value="first_reviewer"', 'value="a b"')
    assert "须是一个或多个变量名" in by_element(check_diagram(broken, "r.bpmn", rules)[1])["second_review"]


# -- remembered verdicts ---------------------------------------------------------------------


def test_a_passing_diagram_is_not_checked_again_under_the_same_rules(rules, monkeypatch):
    """engine.specs remembers a pass by content and rules (rules_key): the same diagram
    under the same rules is not checked a second time; other lanes, other registries or
    rules that cannot name their registries are checked afresh, and a failure never is
    remembered."""
    from engine import specs

    calls: list[str] = []

    def counted(data, filename, *args, **kwargs):
        calls.append(filename)
        return check_diagram(data, filename, *args, **kwargs)

    monkeypatch.setattr(specs, "check_diagram", counted)
    monkeypatch.setattr(specs, "_PASSED", specs.OrderedDict())
    shipped = SHIPPED[0].read_text(encoding="utf-8")
    broken = next(iter(sorted(BROKEN.glob("*.bpmn")))).read_text(encoding="utf-8")
    named = dataclasses.replace(rules, registries=task_forms.registry_state())

    def check(with_rules: DiagramRules, xml: str, filename: str) -> list[Problem]:
        registry = specs.SpecRegistry(rules=lambda session: with_rules)
        return registry.check(None, xml, filename)[1]

    assert check(named, shipped, "a.bpmn") == [] and check(named, shipped, "a.bpmn") == []
    assert calls == ["a.bpmn"]
    assert check(named, shipped, "b.bpmn") == [] and len(calls) == 2  # another file name
    more_lanes = LaneTable(roles={**rules.lanes.roles, "审计": "supervisor"})
    assert check(dataclasses.replace(named, lanes=more_lanes), shipped, "a.bpmn") == [] and len(calls) == 3
    assert check(dataclasses.replace(named, registries="other forms"), shipped, "a.bpmn") == [] and len(calls) == 4
    assert check(rules, shipped, "a.bpmn") == [] and check(rules, shipped, "a.bpmn") == [] and len(calls) == 6
    assert check(named, broken, "x.bpmn") and check(named, broken, "x.bpmn") and len(calls) == 8
