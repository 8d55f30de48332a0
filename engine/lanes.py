"""Lanes are roles: the lane a human task sits in decides whose inbox it lands in.

Process owners name lanes in Chinese in the modeler. One table (`lane_role`, kept in the
database so every process agrees) maps a lane name to a role code; a province that wants a
new kind of worker adds a row, and a diagram may then use that lane. The rows below are
the defaults every database starts with (migrations 0004 and 0010): 窗口受理人员 is the
county window's clerk of 003 (收受分离: receives a unit's paper materials, any unit's,
while the unit's own jurisdiction handles the case).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import LaneRole

SYSTEM_ROLE = "system"
EMPLOYER_ROLE = "employer"

DEFAULT_LANES: dict[str, tuple[str, bool]] = {
    # lane name: (role code, whether the role works a staff inbox)
    "用人单位": (EMPLOYER_ROLE, False),
    "残联业务人员": ("reviewer", True),
    "业务主管": ("supervisor", True),
    "窗口受理人员": ("window_clerk", True),
    "系统": (SYSTEM_ROLE, False),
}


@dataclass(frozen=True)
class LaneTable:
    """Lane name → role, and which roles work a staff inbox."""

    roles: Mapping[str, str] = field(default_factory=lambda: {k: v[0] for k, v in DEFAULT_LANES.items()})
    staff_roles: frozenset[str] = frozenset(role for role, is_staff in DEFAULT_LANES.values() if is_staff)

    def role_of(self, lane: str | None) -> str:
        """The role for a lane name; tasks outside any lane belong to the system."""
        if not lane:
            return SYSTEM_ROLE
        try:
            return self.roles[lane]
        except KeyError:
            raise ValueError(lane) from None

    def unknown(self, lanes: Iterable[str]) -> list[str]:
        return [lane for lane in lanes if lane and lane not in self.roles]

    def names(self) -> list[str]:
        return list(self.roles)

    def name_of(self, role: str) -> str:
        """The (first) lane name of a role: how the role is called in Chinese."""
        return next((lane for lane, r in self.roles.items() if r == role), role)


def load_lanes(session: Session) -> LaneTable:
    """The defaults, plus (and overridden by) the rows an administrator added."""
    table = {lane: (role, staff) for lane, (role, staff) in DEFAULT_LANES.items()}
    for row in session.scalars(select(LaneRole)):
        table[row.lane] = (row.role, row.staff)
    return LaneTable(
        roles={lane: role for lane, (role, _s) in table.items()},
        staff_roles=frozenset(role for role, staff in table.values() if staff),
    )


def add_lane(session: Session, lane: str, role: str, staff: bool = True) -> LaneRole:
    """Map a (new) lane name to a role code; a new code is a new role."""
    lane, role = lane.strip(), role.strip()
    if not lane or len(lane) > 50:
        raise ValueError("泳道名称须为1至50个字符")
    if not role or len(role) > 20 or not role.replace("_", "").isalnum() or not role.isascii():
        raise ValueError("角色代码须为1至20位字母、数字或下划线")
    if role in (SYSTEM_ROLE, EMPLOYER_ROLE) and staff:
        raise ValueError(f"角色“{role}”不是工作人员角色")
    row = session.get(LaneRole, lane)
    if row is None:
        row = LaneRole(lane=lane, role=role, staff=staff)
        session.add(row)
    else:
        row.role, row.staff = role, staff
    return row
