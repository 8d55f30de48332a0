"""A process owner's dated changes to province parameters, as the look-ups see them.

The shipped files (``domain/data/params``) are the defaults; an owner (流程管理员) of a
province changes a figure from a day on, and that change wins from that day over the
province file and the national default, while everything before it stays as it was. The
changes are stored by casework; the domain only receives them as `ParamChange` values
from a `ChangeSource`, indexes them here and answers with `Resolved` values that say where
a figure comes from (the parameter page shows it: 全国默认 / 本省文件 / 本省修改).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from domain.dated import Period
from domain.errors import DomainError
from domain.params_types import CONVERTERS, FIELD_LABELS, TABLE_LABELS, check_value

ORIGIN_NATIONAL = "national"
ORIGIN_FILE = "province_file"
ORIGIN_CHANGE = "change"


@dataclass(frozen=True)
class ParamChange:
    """An owner's dated value; `value` is JSON as the files hold it.

    A field's change applies from `start` (to `end` when given) in the whole province;
    a minimum wage change to its `region`; a social average wage change gives the figure
    of `year` for `region`, used by calculations made on or after `start`.
    """

    id: int
    province: str  # 2-digit prefix ("21")
    key: str  # a key of FIELD_LABELS or TABLE_LABELS
    value: Any
    start: date
    end: date | None = None
    region: str = ""
    year: int | None = None
    note: str = ""
    created_by: str = ""
    created_at: datetime | None = None


class ChangeSource(Protocol):
    """Where the owners' changes come from (the database, in the application)."""

    def generation(self) -> Hashable:
        """A cheap marker that differs whenever `changes()` would answer differently."""
        ...

    def changes(self) -> Sequence[ParamChange]: ...


@dataclass(frozen=True)
class Resolved:
    """A value in force and where it comes from."""

    value: Any
    start: date | None  # None: a social average wage figure of a file (it has no date)
    end: date | None
    note: str
    origin: str  # ORIGIN_NATIONAL, ORIGIN_FILE or ORIGIN_CHANGE
    region: str = ""  # the region whose figure applies (wage tables)
    change: ParamChange | None = None
    demo: bool = False  # a wage figure of a file marked as demonstration data

    def same_as(self, other: Resolved | None) -> bool:
        """The same value (from whichever source): nothing changes for a calculation."""
        return other is not None and self.value == other.value


@dataclass(frozen=True)
class Entry:
    """A change with its value converted, as a dated period."""

    period: Period[Any]
    change: ParamChange

    def resolved(self, region: str = "") -> Resolved:
        p = self.period
        return Resolved(p.value, p.start, p.end, p.note, ORIGIN_CHANGE, region, self.change)


@dataclass
class ChangeIndex:
    """The changes of all provinces, indexed the way the look-ups ask for them."""

    fields: dict[tuple[str, str], list[Entry]] = field(default_factory=dict)  # (prefix, key)
    minimum_wage: dict[str, list[Entry]] = field(default_factory=dict)  # region
    social_average_wage: dict[tuple[str, int], list[Entry]] = field(default_factory=dict)  # (region, year)


def label(key: str) -> str:
    return FIELD_LABELS.get(key) or TABLE_LABELS.get(key, key)


def index_changes(changes: Iterable[ParamChange]) -> ChangeIndex:
    """Convert each change by the rules of the files; a stored value that no longer passes
    them names its change, instead of failing somewhere inside a calculation."""
    index = ChangeIndex()
    for change in changes:
        try:
            value = check_value(change.key, change.value)
        except DomainError as exc:
            raise DomainError(f"参数修改记录{change.id}（{label(change.key)}）无效：{exc.message}") from None
        entry = Entry(Period(change.start, change.end, value, change.note), change)
        if change.key in CONVERTERS:
            index.fields.setdefault((change.province, change.key), []).append(entry)
        elif change.key == "minimum_wage":
            index.minimum_wage.setdefault(change.region, []).append(entry)
        elif change.year is not None:
            index.social_average_wage.setdefault((change.region, change.year), []).append(entry)
    return index


def latest(entries: Sequence[Entry], day: date) -> Entry | None:
    """The change in force on `day`: the latest start wins, then the latest entered (a
    correction of a planned change is a new change from the same day)."""
    covering = [e for e in entries if e.period.covers(day)]
    return max(covering, key=lambda e: (e.period.start, e.change.id)) if covering else None
