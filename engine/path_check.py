"""路径检查: walk a diagram's paths with sample data before it goes live.

The publishing checks (`engine.validation`) read a diagram; this module runs it. It
starts the process in memory (no database, no outside call), and wherever the real
process would wait — a person's task, a service call, a timer, a message — it picks one
of the things that can happen there, given by the caller as sample data: each form's
typical submissions (a decision's outcomes), each operation's results, each message the
system sends, and for the functions scripts call, dry stand-ins with their possible
results (a script never touches a case here). A run ends at an end event, or stops with
a problem: an expression that fails on the data the steps before produced, a wait for
something the system never does (a message nobody sends, a form with no way to submit),
or a loop that never ends.

Which branches are tried: every run is replayed from the start with a list of choices
(no state copying), and a new run is scheduled for every action not yet tried anywhere,
at the first place it was seen. So each outcome, result, message and timer is walked at
least once, in a number of runs that grows with the diagram's decisions rather than
with the product of them; the report lists the paths walked and the elements never
reached. The caller (casework) says what the samples are, so this module knows BPMN and
the engine, not the case model.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from domain.workdays import HolidayTable
from engine.clock import CHINA_TZ, Clock
from engine.runtime import interrupt, message_definition
from engine.script_engine import QuotaScriptEngine, registered_functions
from engine.serializer import timer_due
from engine.service_task import REQUEST_KEY, DeferredServiceTask
from engine.specs import task_properties
from engine.validation import Problem

Alternatives = list[tuple[str, Any]]  # (what it is, in Chinese; the value)

MAX_RUNS = 120
MAX_STEPS = 150  # actions in one run (a person's task, a result, a timer, a message)
MAX_ENGINE_LOOPS = 50  # engine rounds between two actions (a script loop never stops)


@dataclass(frozen=True)
class Samples:
    """What can happen at each kind of wait, as the system really does it.

    `forms(key, props)` → the submissions of a form (a decision: one per outcome);
    `operations(name, params)` → an operation's possible results; `messages` → the
    payloads of each message the system sends, by name; `functions` → each script
    function's dry stand-in: called with the walk and the script's arguments, it answers
    its possible results (several make a branch). `start_data` is what a case starts with.
    """

    forms: Callable[[str, dict], Alternatives | None]
    operations: Callable[[str, dict], Alternatives | None]
    messages: Mapping[str, Alternatives]
    functions: Mapping[str, Callable[..., Alternatives]]
    start_data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    element: str  # BPMN id ("" for a timer with no single element)
    text: str  # what happened, in Chinese


@dataclass(frozen=True)
class WalkedPath:
    steps: tuple[Step, ...]
    outcome: str  # "completed", "resting" (waits for what it did before), "stopped" (a problem), "limit"
    ended_at: tuple[str, ...]  # the end events reached (names), or where it stopped
    problem: Problem | None = None


@dataclass
class PathReport:
    paths: list[WalkedPath] = field(default_factory=list)
    reached: set[str] = field(default_factory=set)
    elements: dict[str, str] = field(default_factory=dict)  # id → name of every element
    problems: list[Problem] = field(default_factory=list)
    truncated: bool = False

    @property
    def unreached(self) -> list[tuple[str, str]]:
        return [(eid, name) for eid, name in self.elements.items() if eid not in self.reached]

    @property
    def ok(self) -> bool:
        return not self.problems


class _Stop(Exception):
    """A run cannot go on; carries the problem."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass
class _Choice:
    key: tuple[str, str]  # (kind/element, what) of the alternative taken
    keys: list[tuple[str, str]]  # every alternative at that point


class _Oracle:
    """Answers "which alternative?" from a replayed prefix, then the first one."""

    def __init__(self, prefix: list[int], tried: set[tuple[str, str]]) -> None:
        self.prefix = prefix
        self.tried = tried  # taken or scheduled in any run: past the prefix, new ones first
        self.taken: list[_Choice] = []
        self.at_state: dict[tuple, set[tuple[str, str]]] = {}

    def choose(self, keys: list[tuple[str, str]], state: tuple = ()) -> int | None:
        """The alternative to take. Past the prefix: the first one not yet taken in this
        run at the same wait (`state`: what waits and what can happen); None when each
        was taken there already, so the case would only repeat itself: it rests there,
        as a registered person stays at 审核结果 until removed."""
        position = len(self.taken)
        done = self.at_state.setdefault(state, set())
        if position < len(self.prefix):
            index = self.prefix[position] if self.prefix[position] < len(keys) else 0
        else:
            fresh = [i for i, key in enumerate(keys) if key not in done]
            if not fresh:
                return None
            novel = [i for i in fresh if keys[i] not in self.tried]
            index = (novel or fresh)[0]
        done.add(keys[index])
        self.taken.append(_Choice(keys[index], keys))
        return index


class _WalkClock(Clock):
    """The walk's own time: starts at the caller's instant, moves only when a timer fires."""

    def __init__(self, start: datetime) -> None:
        super().__init__()
        self.moment = start

    def now(self) -> datetime:
        return self.moment


class _WalkEngine(QuotaScriptEngine):
    """The script engine with every registered function replaced by its dry stand-in."""

    def __init__(self, clock: _WalkClock, holidays: HolidayTable | None, walk: _Run) -> None:
        super().__init__(clock, holidays)
        dry = {name: walk.dry_function(name, fn) for name, fn in walk.samples.functions.items()}
        for name in registered_functions():
            dry.setdefault(name, _without_samples(name))
        self.environment.globals.update(dry)


def _without_samples(name: str) -> Callable:
    """A registered function the caller gave no stand-in for: the walk cannot run it dry."""

    def call(*args, **kwargs):
        raise _Stop(Problem("", f"函数“{name}”没有路径检查样例，无法模拟运行；请联系开发人员补充"))

    return call


def _label(task_spec) -> str:
    return getattr(task_spec, "bpmn_name", None) or getattr(task_spec, "bpmn_id", None) or task_spec.name


def _element(task_spec) -> str:
    return getattr(task_spec, "bpmn_id", None) or ""


def diagram_elements(spec, subprocess_specs: dict) -> dict[str, str]:
    """Every flow element a run can reach (id → name), in the process and its sub-processes."""
    found: dict[str, str] = {}
    for process in [spec, *subprocess_specs.values()]:
        for task_spec in process.task_specs.values():
            element = _element(task_spec)
            if element and element != process.name:
                found.setdefault(element, getattr(task_spec, "bpmn_name", None) or "")
    return found


def _inside(exc: BaseException | None, kind: type[BaseException]):
    """The exception of `kind` that the engine wrapped (as `exception` or the cause)."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return exc
        exc = getattr(exc, "exception", None) or exc.__cause__ or exc.__context__
        seen += 1
    return None


def _stop_inside(exc: BaseException | None) -> _Stop | None:
    return _inside(exc, _Stop)


def armed_messages(spec, subprocess_specs: dict) -> set[str]:
    """Messages that start an event sub-process of the process itself: SpiffWorkflow does
    not list them among the waiting events, yet they are caught all the while the process
    runs (the placement's 删除)."""
    names = set()
    for task_spec in spec.task_specs.values():
        if getattr(task_spec, "interrupting", None) is None:
            continue
        sub = subprocess_specs.get(getattr(task_spec, "spec", ""))
        for inner in (sub.task_specs.values() if sub is not None else ()):
            definition = getattr(inner, "event_definition", None)
            if type(inner).__name__ == "StartEvent" and isinstance(definition, MessageEventDefinition):
                names.add(definition.name)
    return names


class _Run:
    def __init__(self, spec, subprocess_specs: dict, samples: Samples, start: datetime,
                 holidays: HolidayTable | None, prefix: list[int], tried: set[tuple[str, str]]) -> None:
        self.samples = samples
        self.oracle = _Oracle(prefix, tried)
        self.clock = _WalkClock(start)
        self.steps: list[Step] = []
        self.reached: set[str] = set()
        self.engine = _WalkEngine(self.clock, holidays, self)
        self.wf = BpmnWorkflow(spec, subprocess_specs, script_engine=self.engine)
        self.armed_messages = armed_messages(spec, subprocess_specs)
        for task in self.wf.get_tasks(state=TaskState.READY):
            task.data.update(dict(samples.start_data))

    def dry_function(self, name: str, stand_in: Callable[..., Alternatives]) -> Callable:
        def call(*args, **kwargs):
            alternatives = stand_in(self, *args, **kwargs)
            if len(alternatives) == 1:
                return alternatives[0][1]
            keys = [(f"function:{name}", text) for text, _ in alternatives]
            index = self.oracle.choose(keys, ("function", name, len(self.steps))) or 0
            text, value = alternatives[index]
            self.steps.append(Step("", f"{name}：{text}"))
            return value

        return call

    # -- running ------------------------------------------------------------------------
    def advance(self) -> None:
        wf = self.wf
        try:
            wf.refresh_timers()
            wf.do_engine_steps()
            rounds = 0
            while any(not t.task_spec.manual for t in wf.get_tasks(state=TaskState.READY)):
                rounds += 1
                if rounds > MAX_ENGINE_LOOPS:
                    raise _Stop(Problem("", "流程在自动环节中循环，无法停下等待办理"))
                wf.do_engine_steps()
        except _Stop:
            raise
        except Exception as exc:  # a script or condition failed on the walked data
            raise _Stop(self._failure(exc)) from exc
        self._mark_reached()

    def _failure(self, exc: Exception) -> Problem:
        task = getattr(exc, "task", None)
        spec = getattr(task, "task_spec", None) if task is not None else None
        element = _element(spec) if spec is not None else ""
        where = f"“{_label(spec)}”" if spec is not None else "流程"
        inner = _stop_inside(exc)
        if inner is not None:  # a stand-in stopped the walk inside a script
            return Problem(element or inner.problem.element, f"{where}：{inner.problem.message}")
        missing = _inside(exc, NameError)
        if missing is not None and getattr(missing, "name", None):
            return Problem(element, f"{where}用到的数据“{missing.name}”在走到这里时还没有：之前的环节都不提供它")
        detail = getattr(exc, "error", None) or str(exc)
        return Problem(element, f"{where}执行出错：{str(detail)[:200]}")

    def _mark_reached(self) -> None:
        for task in self.wf.get_tasks(state=TaskState.FINISHED_MASK | TaskState.READY | TaskState.STARTED
                                      | TaskState.WAITING):
            element = _element(task.task_spec)
            if element:
                self.reached.add(element)

    def actions(self) -> list[tuple[tuple[str, str], str, Callable[[], None]]]:
        """What can happen now: (key, text, do it)."""
        found: list[tuple[tuple[str, str], str, Callable[[], None]]] = []
        for task in sorted(self.wf.get_tasks(state=TaskState.READY, manual=True), key=lambda t: _element(t.task_spec)):
            props = task_properties(task.task_spec)
            form = props.pop("form", "")
            submissions = self.samples.forms(form, props)
            if not submissions:
                raise _Stop(Problem(_element(task.task_spec),
                                    f"“{_label(task.task_spec)}”使用的表单“{form}”没有可提交的样例，无法走通"))
            for text, data in submissions:
                found.append(((f"task:{_element(task.task_spec)}", text), f"{_label(task.task_spec)}：{text}",
                              self._complete(task, data)))
        for task in self.wf.get_tasks(state=TaskState.STARTED, spec_class=DeferredServiceTask):
            request = task._get_internal_data(REQUEST_KEY) or {}
            results = self.samples.operations(request.get("operation", ""), request.get("params", {}))
            if not results:
                raise _Stop(Problem(_element(task.task_spec),
                                    f"“{_label(task.task_spec)}”调用的接口“{request.get('operation', '')}”没有结果样例"))
            for text, result in results:
                found.append(((f"service:{_element(task.task_spec)}", text), f"{_label(task.task_spec)}：{text}",
                              self._deliver(task, result)))
        for due, timers in self._timers():
            names = "、".join(dict.fromkeys(_label(t) for t in timers))
            found.append(((f"timer:{','.join(sorted({_element(t) for t in timers}))}", ""),
                          f"时限到期：{names}（{_china(due)}）", self._fire(due)))
        waiting = {e.name for e in self.wf.waiting_events() if e.event_type == "MessageEventDefinition"}
        for name in sorted(waiting | self.armed_messages):
            for text, payload in self.samples.messages.get(name, []):
                found.append(((f"message:{name}", text), f"收到消息：{text}", self._send(name, payload)))
        return found

    def _timers(self) -> list[tuple[datetime, list]]:
        """Each pending due time with the timer events due then: waiting until a later one
        also lets the earlier ones fire (a boundary timer on a task nobody does)."""
        by_due: dict[datetime, list] = {}
        for task in self.wf.event_manager.tasks.values():
            value = task._get_internal_data("event_value")
            if value and isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition):
                by_due.setdefault(timer_due(value), []).append(task.task_spec)
        return sorted(by_due.items(), key=lambda item: item[0])

    def _complete(self, task, data: dict) -> Callable[[], None]:
        def do() -> None:
            task.data.update(data)
            try:
                task.run()
            except Exception as exc:
                raise _Stop(self._failure(exc)) from exc
            self.advance()

        return do

    def _deliver(self, task, result: Any) -> Callable[[], None]:
        def do() -> None:
            try:
                task.task_spec.deliver(task, result)
            except Exception as exc:
                raise _Stop(self._failure(exc)) from exc
            self.advance()

        return do

    def _fire(self, due: datetime) -> Callable[[], None]:
        def do() -> None:
            self.clock.moment = max(self.clock.moment, due) + timedelta(seconds=1)
            self.advance()

        return do

    def _send(self, name: str, payload: dict) -> Callable[[], None]:
        def do() -> None:
            definition = message_definition(self.wf, name)
            before = set(self.wf.subprocesses)
            try:
                self.wf.send_event(BpmnEvent(definition, dict(payload)))
            except Exception as exc:
                raise _Stop(self._failure(exc)) from exc
            interrupt(self.wf, before)
            self.advance()

        return do

    def walk(self) -> WalkedPath:
        try:
            self.advance()
            while not self.wf.is_completed():
                if len(self.steps) >= MAX_STEPS:
                    return self._path("limit", self._waiting(), Problem(
                        "", f"走了{MAX_STEPS}步仍未结束：流程可能存在无法结束的循环"))
                actions = self.actions()
                if not actions:
                    waiting = self._waiting()
                    raise _Stop(Problem(waiting[0] if waiting else "",
                                        "流程停在此处：没有待办任务、时限或系统会发送的消息，案件将无法继续"))
                # the same action with other tasks open is another case (a review done
                # while the supervisor's 督办 is open), so the open tasks are in its key
                open_tasks = ",".join(sorted(_element(t.task_spec) for t in
                                             self.wf.get_tasks(state=TaskState.READY, manual=True)))
                keys = [(key[0], f"{key[1]}@{open_tasks}") for key, _text, _do in actions]
                index = self.oracle.choose(keys, (self._waiting(), tuple(keys)))
                if index is None:
                    open_tasks = tuple(dict.fromkeys(_element(t.task_spec) for t in
                                                     self.wf.get_tasks(state=TaskState.READY, manual=True)))
                    return self._path("resting", open_tasks or self._waiting())
                key, text, do = actions[index]
                self.steps.append(Step(key[0].partition(":")[2].split(",")[0], text))
                do()
        except _Stop as stop:
            return self._path("stopped", self._waiting(), stop.problem)
        # the named end events reached (an unnamed one inside a sub-process says nothing)
        ends = tuple(dict.fromkeys(t.task_spec.bpmn_name for t in self.wf.get_tasks(state=TaskState.COMPLETED)
                                   if t.task_spec.__class__.__name__ == "EndEvent" and getattr(t.task_spec, "bpmn_name", None)))
        return self._path("completed", ends or ("结束",))

    def _waiting(self) -> tuple[str, ...]:
        tasks = self.wf.get_tasks(state=TaskState.READY | TaskState.STARTED | TaskState.WAITING)
        return tuple(dict.fromkeys(_element(t.task_spec) for t in tasks if _element(t.task_spec)))

    def _path(self, outcome: str, ended_at: tuple[str, ...], problem: Problem | None = None) -> WalkedPath:
        return WalkedPath(tuple(self.steps), outcome, ended_at, problem)


def _china(moment: datetime) -> str:
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


def walk(spec, subprocess_specs: dict, samples: Samples, start: datetime,
         holidays: HolidayTable | None = None, max_runs: int = MAX_RUNS) -> PathReport:
    """Walk the diagram until every alternative seen has been taken once (or `max_runs`)."""
    report = PathReport(elements=diagram_elements(spec, subprocess_specs))
    queue: list[list[int]] = [[]]
    scheduled: set[tuple[str, str]] = set()
    seen_problems: set[tuple[str, str]] = set()
    while queue:
        if len(report.paths) >= max_runs:
            report.truncated = True
            break
        prefix = queue.pop(0)
        run = _Run(spec, subprocess_specs, samples, start, holidays, prefix, scheduled)
        path = run.walk()
        report.paths.append(path)
        report.reached |= run.reached
        if path.problem is not None and (path.problem.element, path.problem.message) not in seen_problems:
            seen_problems.add((path.problem.element, path.problem.message))
            report.problems.append(path.problem)
        taken = [choice.key for choice in run.oracle.taken]
        scheduled.update(taken)
        for position, choice in enumerate(run.oracle.taken):
            if position < len(prefix):
                continue
            for index, key in enumerate(choice.keys):
                if key in scheduled:
                    continue
                scheduled.add(key)
                chosen = [c.keys.index(c.key) for c in run.oracle.taken[:position]]
                queue.append([*chosen, index])
    return report
