"""Lanes are roles: the lane a human task sits in decides whose inbox it lands in.

Process owners name lanes in Chinese in the modeler; these are the names we know.
A diagram with any other lane name is refused at registration with a clear message.
"""

from __future__ import annotations

LANE_ROLES: dict[str, str] = {
    "用人单位": "employer",
    "残联业务人员": "reviewer",
    "业务主管": "supervisor",
    "系统": "system",
}

ROLE_NAMES: dict[str, str] = {role: name for name, role in LANE_ROLES.items()}


def role_of_lane(lane: str | None) -> str:
    """The role for a lane name; tasks outside any lane belong to the system."""
    if not lane:
        return "system"
    try:
        return LANE_ROLES[lane]
    except KeyError:
        raise ValueError(lane) from None


def unknown_lanes(lanes) -> list[str]:
    return [lane for lane in lanes if lane and lane not in LANE_ROLES]
