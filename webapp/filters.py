"""Jinja filters for the pages: masking, dates in China time, names of codes."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from domain import regions
from domain.certificate import grade_name, mask_certificate_number
from domain.id_number import age_on, mask_id_number
from domain.params import params_for
from engine.clock import china_time
from webapp.extensions import system


def _datetime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return "" if value is None else china_time(value).strftime(fmt)


def _unit_name(code: str, unit) -> str:
    if code == unit.credit_code:
        return f"{unit.name}（本单位）"
    for related in unit.related_units:
        if related.credit_code == code:
            return related.name
    return code


def _age(birth: date | None, year: int) -> str:
    return str(age_on(birth, date(year, 12, 31))) if birth else ""


def _role_name(role: str) -> str:
    """A role in Chinese: the built-in names, else the lane a process owner named it by."""
    from casework.models.account import ROLE_NAMES

    return ROLE_NAMES.get(role) or system().runtime.lanes.name_of(role)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        mask_id=lambda v: mask_id_number(v or ""),
        mask_cert=lambda v: mask_certificate_number(v or "") if v else "",
        datetime=_datetime,
        region_name=regions.label,
        unit_name=_unit_name,
        grade_name=lambda g: grade_name(int(g)) if g else "",
        age=_age,
        role_name=_role_name,
        zip=lambda a, b: list(zip(a, b, strict=False)),
        upload_limit_mb=lambda region: params_for(region, system().today()).upload_limit_mb,
    )
