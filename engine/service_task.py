"""A service task that waits for a worker instead of calling out inline.

`_execute` records the request (operation and evaluated parameters) in the task's
internal data and returns None, which leaves the task STARTED; `do_engine_steps` then
stops that branch. The runtime writes one outbox row per STARTED task id, and the worker
later completes the task with the adapter's result (ENGINE_NOTES: outbox pattern).
"""

from __future__ import annotations

from SpiffWorkflow.spiff.specs.defaults import ServiceTask

REQUEST_KEY = "service_request"


class DeferredServiceTask(ServiceTask):
    def _execute(self, task):
        params = {name: p["value"] for name, p in self.evaluate_params(task).items()}
        task._set_internal_data(
            **{REQUEST_KEY: {"operation": self.operation_name, "params": params}}
        )
        return None

    def deliver(self, task, result) -> None:
        """Complete a STARTED task with the worker's result."""
        task.data[self.result_variable] = result
        task.complete()
