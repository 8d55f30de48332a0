"""What a diagram may use here: the rules a process owner's diagram is checked against
before it is published (and the shipped files when they are loaded).

The engine's checker (`engine.validation`) knows BPMN; this module tells it what this
product offers: the lanes' roles, the registered forms and the data each writes, the
service operations and their parameters, the script functions, the data a case starts
with, the working-day time limits and plain parameters of a province. It is the one place
these lists are gathered, so the modeler's pick lists and the publishing check agree.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import date

from sqlalchemy.orm import Session

from casework import (
    cases,
    custom_forms,
    graduate_subsidy,
    levy_relief,
    placement_end,
    placements,
    reward_applications,
    task_forms,
)
from casework.operations import OPERATION_PARAMS
from domain.params import params_for
from engine.lanes import load_lanes
from engine.script_engine import registered_functions
from engine.validation import DiagramRules

BUILTIN_FUNCTIONS = frozenset({"add_working_days", "now"})  # QuotaScriptEngine's own

START_DATA: dict[str, frozenset[str]] = {
    "annual_certification": frozenset(cases.START_DATA),
    placements.PROCESS: frozenset(placements.START_DATA),
    reward_applications.PROCESS: frozenset(reward_applications.START_DATA),
    levy_relief.PROCESS: frozenset(levy_relief.START_DATA),
    graduate_subsidy.PROCESS: frozenset(graduate_subsidy.START_DATA),
    placement_end.PROCESS: frozenset(placement_end.START_DATA),
}


def form_writes(key: str) -> tuple[str, ...]:
    form = task_forms.FORMS.get(key)
    return form.writes if form is not None else ()


def task_writes(key: str, props: dict) -> tuple[str, ...]:
    """A process owner's own form writes its fields' keys."""
    return custom_forms.writes_of(props) if key == custom_forms.FORM_KEY else ()


def plain_params(day: date) -> dict[str, object]:
    """The national parameters a gateway may read with province_param(...), by sample value."""
    values = params_for("", day)
    return {
        f.name: getattr(values, f.name)
        for f in fields(values)
        if isinstance(getattr(values, f.name), bool | int | str)
    }


def time_limits(day: date) -> dict[str, int]:
    limits = params_for("", day).time_limits
    return {f.name: int(getattr(limits, f.name)) for f in fields(limits)}


def diagram_rules(session: Session, day: date, *, process_ids: frozenset[str] | None = None) -> DiagramRules:
    """The rules in force on `day` (parameters are dated); `process_ids` limits which
    processes a diagram may define (a province replaces a process, it does not invent one)."""
    lanes = load_lanes(session)
    return DiagramRules(
        lanes=lanes,
        form_rule=lambda key, role, props, table: task_forms.check_form(key, role, props, table.staff_roles),
        operations=OPERATION_PARAMS,
        functions=frozenset(registered_functions()) | BUILTIN_FUNCTIONS,
        form_writes=form_writes,
        task_writes=task_writes,
        start_data=START_DATA,
        process_ids=process_ids,
        time_limits=time_limits(day),
        params=plain_params(day),
        registries=task_forms.registry_state(),
    )
