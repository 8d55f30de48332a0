"""Statutory working age: from 16 to the retirement age that rises gradually from 2025.

001 人员信息校验 has a column 是否就业年龄段: a month counts only while the person is of
working age. The 2024-09-13 NPC decision raises the retirement age step by step by birth
month (men 60→63, women 55→58 or 50→55); the steps are data in
``domain/data/retirement.json`` so that a further decision changes a file, not code.
Which of the two female tracks applies is the province parameter ``female_retirement_track``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Any

from domain.datafiles import load_data
from domain.errors import DomainError
from domain.months import add_months, month_end, month_start, months_between

MALE = "男"
FEMALE = "女"
FEMALE_TRACKS = {"cadre": "female_cadre", "worker": "female_worker"}
DEFAULT_FEMALE_TRACK = "cadre"


@dataclass(frozen=True)
class RetirementTrack:
    """One row of the decision's table: original age and how fast it rises by birth month."""

    key: str
    label: str
    base_age_years: int
    reform_from: tuple[int, int]  # (year, month) of the first birth month that is delayed
    birth_months_per_step: int
    delay_months_per_step: int
    max_delay_months: int

    def delay_months(self, birth: date) -> int:
        """Months added to the original age for someone born on `birth`."""
        elapsed = months_between(self.reform_from, (birth.year, birth.month))
        if elapsed < 0:
            return 0
        steps = elapsed // self.birth_months_per_step + 1
        return min(self.max_delay_months, steps * self.delay_months_per_step)

    def retirement_age_months(self, birth: date) -> int:
        return self.base_age_years * 12 + self.delay_months(birth)


def _track_from_data(key: str, raw: dict[str, Any]) -> RetirementTrack:
    year, month = (int(part) for part in raw["reform_from"].split("-"))
    return RetirementTrack(
        key=key,
        label=raw["label"],
        base_age_years=int(raw["base_age_years"]),
        reform_from=(year, month),
        birth_months_per_step=int(raw["birth_months_per_step"]),
        delay_months_per_step=int(raw["delay_months_per_step"]),
        max_delay_months=int(raw["max_delay_months"]),
    )


@cache
def tracks() -> Mapping[str, RetirementTrack]:
    """All tracks of the shipped table, keyed male / female_cadre / female_worker."""
    data = load_data("retirement.json")
    return MappingProxyType(
        {key: _track_from_data(key, raw) for key, raw in data["tracks"].items()}
    )


def minimum_working_age() -> int:
    return int(load_data("retirement.json")["minimum_working_age_years"])


def track_for(sex: str, female_track: str = "default") -> RetirementTrack:
    """The table row for a person: men have one track, women the province's cadre/worker one."""
    table = tracks()
    if sex == MALE:
        return table["male"]
    if sex != FEMALE:
        raise DomainError(f"性别应为男或女，当前为{sex or '空'}", "sex")
    chosen = DEFAULT_FEMALE_TRACK if female_track in ("default", "", None) else female_track
    if chosen not in FEMALE_TRACKS:
        raise DomainError(
            f"女职工退休年龄口径应为cadre（原55周岁）或worker（原50周岁），当前为{chosen}",
            "female_track",
        )
    return table[FEMALE_TRACKS[chosen]]


def retirement_age_months(birth_date: date, sex: str, track: str = "default") -> int:
    """Statutory retirement age in months (e.g. 721 = 60岁1个月 for a man born 1965-01)."""
    return track_for(sex, track).retirement_age_months(birth_date)


def retirement_date(birth_date: date, sex: str, track: str = "default") -> date:
    """The day the person reaches the statutory retirement age.

    The decision gives ages in years and months; the birthday day-of-month is kept and
    clamped to short months (born 31 July + 60岁2个月 → 30 September).
    """
    return add_months(birth_date, retirement_age_months(birth_date, sex, track))


def format_age_months(months: int) -> str:
    """60岁 / 60岁1个月 — how the decision's table writes ages."""
    years, rest = divmod(months, 12)
    return f"{years}岁{rest}个月" if rest else f"{years}岁"


def working_age_start(birth_date: date) -> date:
    """The 16th birthday (29 February births clamp to 28 February)."""
    return add_months(birth_date, minimum_working_age() * 12)


def in_working_age(
    birth_date: date, sex: str, year: int, month: int, female_track: str = "default"
) -> bool:
    """Whether the month is inside the working age (001 是否就业年龄段).

    True when the person is at least 16 on some day of the month and had not yet reached
    the retirement date before the month began: a person retires in the month the age is
    reached (退休手续当月办理，次月起领取养老金), so that month is still a working month.
    """
    if working_age_start(birth_date) > month_end(year, month):
        return False
    return retirement_date(birth_date, sex, female_track) >= month_start(year, month)


def working_age_reason(
    birth_date: date, sex: str, year: int, month: int, female_track: str = "default"
) -> str | None:
    """Why the month is outside the working age, in Chinese; None when it is inside."""
    if working_age_start(birth_date) > month_end(year, month):
        return f"未满{minimum_working_age()}周岁"
    retire = retirement_date(birth_date, sex, female_track)
    if retire < month_start(year, month):
        age = format_age_months(retirement_age_months(birth_date, sex, female_track))
        return f"已于{retire.isoformat()}达到法定退休年龄（{age}）"
    return None
