"""Instance state is stored without its spec and loads back onto the registry's cached,
already-parsed spec objects; a round trip changes nothing."""

from __future__ import annotations

import json

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.runtime import Runtime
from engine.serializer import _CONFIG, StateSerializer
from engine.specs import SpecRegistry


def _at_review(env) -> int:
    """An engine_flow instance waiting at the reviewer task (timer set, service done)."""
    iid = env.start("engine_flow", data={"value": "x"})
    env.complete(iid, "fill", {"value": "查询值"})
    assert env.executor.run(env.jobs(iid)[0].task_id).status == "delivered"
    env.task(iid, "approve")
    return iid


def _shape(wf: BpmnWorkflow) -> dict:
    return {
        str(t.id): (t.task_spec.name, t.state, json.dumps(t.data, sort_keys=True, default=str))
        for t in wf.get_tasks()
    }


def test_state_has_no_spec_and_loads_onto_the_cached_spec(env):
    iid = _at_review(env)
    instance = env.instance(iid)
    state = json.loads(instance.state)
    assert "spec" not in state and "subprocess_specs" not in state
    assert "bpmn:definitions" not in instance.state and "task_specs" not in instance.state

    with env.tx() as s:
        parsed = env.registry.parsed(s, instance.spec_version_id)
        wf = env.runtime.load(s, instance)
        again = env.runtime.load(s, instance)
    assert wf.spec is parsed.spec and again.spec is parsed.spec
    assert wf.subprocess_specs == parsed.subprocess_specs
    assert wf.script_engine is env.runtime.script_engine
    assert wf is not again  # each load is its own object
    approve = wf.get_tasks(state=TaskState.READY, manual=True)
    assert [t.task_spec.bpmn_id for t in approve] == ["approve"]
    assert approve[0].data["answer"] == {"echo": "查询值"}

    # dump(load(state)) is the same text: nothing is lost or invented on the way
    assert env.runtime.serializer.dumps(wf) == instance.state
    assert _shape(wf) == _shape(again)


def test_state_loads_in_another_process_that_parses_the_spec_once(env):
    """A fresh registry (as in a worker process) parses the stored version once and reuses it."""
    iid = _at_review(env)
    instance = env.instance(iid)
    worker_registry = SpecRegistry(env.registry.workflows_dir)
    worker = Runtime(worker_registry, env.clock, env.runtime.script_engine)
    with env.tx() as s:
        wf = worker.load(s, instance)
        parsed = worker_registry.parsed(s, instance.spec_version_id)
        assert worker.load(s, instance).spec is parsed.spec
        web_spec = env.registry.parsed(s, instance.spec_version_id).spec
    assert wf.spec is parsed.spec
    assert parsed.spec is not web_spec  # parsed again from the stored XML, not shared
    assert worker.serializer.dumps(wf) == instance.state


def test_specless_state_is_much_smaller_than_the_stock_snapshot(env):
    iid = _at_review(env)
    instance = env.instance(iid)
    with env.tx() as s:
        wf = env.runtime.load(s, instance)
    stock_config = dict(_CONFIG)
    stock_config[BpmnWorkflow] = BpmnWorkflowConverter
    stock = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(stock_config)).serialize_json(
        wf
    )
    ours = StateSerializer().dumps(wf)
    print(
        f"\nengine_flow at the reviewer task: state without spec {len(ours.encode()):,} bytes, "
        f"stock snapshot with spec {len(stock.encode()):,} bytes "
        f"({len(ours.encode()) / len(stock.encode()):.0%})"
    )
    assert "spec" in json.loads(stock) and "spec" not in json.loads(ours)
    assert len(ours) < len(stock) * 0.7
