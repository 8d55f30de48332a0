"""What the unit's application operations share (缓减免, 超比例奖励, 安置残疾大学生,
单位注销安置登记): the 业务年度 asked for, and the JSON of an application's decisions."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from casework.cases import years_of
from casework.models import Unit
from domain.errors import NotFound
from engine.clock import china_time
from webapp.api import api_user
from webapp.context import employer_unit
from webapp.extensions import db


def at(value) -> str:
    """A stored instant as China time (ISO 8601), "" when there is none."""
    return china_time(value).isoformat() if value is not None else ""


def decisions_json(decisions: Iterable) -> list[dict]:
    """An application's 审核记录, oldest first, as every application's API answers it."""
    return [
        {"step": d.step, "outcome": d.outcome, "outcome_label": d.outcome_label, "reason": d.reason or "",
         "actor_name": d.actor_name or d.actor, "at": at(d.at)}
        for d in decisions
    ]  # fmt: skip


def _latest(unit: Unit, years: list[int]) -> int | None:
    return years[0] if years else None


def unit_year(year: int | None, default: Callable[[Unit, list[int]], int | None] = _latest) -> tuple[Unit, list[int], int | None]:
    """(the caller's unit, its years with a certification case, the year asked for or
    else `default(unit, years)`, the latest); a year the unit has no case for is 404."""
    unit = employer_unit(api_user())
    years = years_of(db(), unit.id)
    if year is None:
        return unit, years, default(unit, years)
    if year not in years:
        raise NotFound(f"本单位没有{year}年度的年审记录")
    return unit, years, year
