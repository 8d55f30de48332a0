"""The step context: what a script function may touch while the engine runs a step.

Script tasks in a diagram call functions such as `record_month_checks(...)`; those run
inside the runtime's transaction and must write through the same SQL session, so the
runtime puts the session and the instance here for the duration of one step.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

if TYPE_CHECKING:
    from engine.models import ProcessInstance


@dataclass
class StepContext:
    session: Session
    instance: ProcessInstance
    actor: str = ""
    now: datetime | None = None  # the engine clock at the start of the step
    warnings: list[str] = field(default_factory=list)
    messages: list[tuple[str, dict]] = field(default_factory=list)  # (name, payload) to deliver


_current: ContextVar[StepContext | None] = ContextVar("quotacert_step", default=None)


def step_now() -> datetime | None:
    """The engine clock at the start of the step running now (None outside a step)."""
    ctx = _current.get()
    return ctx.now if ctx is not None else None


def current_step() -> StepContext:
    ctx = _current.get()
    if ctx is None:
        raise RuntimeError("script function called outside an engine step")
    return ctx


@contextmanager
def step_context(ctx: StepContext):
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)
