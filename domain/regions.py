"""Administrative divisions (GB/T 2260, 6-digit codes) as a province / city / county tree.

Every user role has a jurisdiction that is a region subtree (a reviewer of 鞍山市 210300
covers 铁东区 210302), units choose their 残联主管部门 as "浙江省/杭州市/西湖区" (001 单位
信息维护管理), and the minimum wage is set per region. Districts of the municipalities
(北京、天津、上海) hang directly under the province: the statistical "市辖区" level is not
a place anyone picks. Revoked codes (310230 崇明县) stay, marked historical, because old
身份证号 still carry them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from domain.datafiles import load_data
from domain.errors import DomainError


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


LEVEL_NAMES = {
    RegionLevel.PROVINCE: "省级",
    RegionLevel.CITY: "市级",
    RegionLevel.COUNTY: "县级",
}


class InvalidRegion(DomainError):
    """A region code that is malformed or not in the table."""


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: RegionLevel
    parent: str | None  # code of the parent region, None for a province
    historical: bool = False
    successor: str | None = None  # current code that took over a historical one


def _level_of(code: str) -> RegionLevel:
    if code.endswith("0000"):
        return RegionLevel.PROVINCE
    if code.endswith("00"):
        return RegionLevel.CITY
    return RegionLevel.COUNTY


@dataclass(frozen=True)
class _Table:
    by_code: dict[str, Region]
    children: dict[str | None, tuple[str, ...]]


def _walk(node: dict[str, Any], parent: str | None) -> Iterator[Region]:
    code = node["code"]
    yield Region(
        code=code,
        name=node["name"],
        level=_level_of(code),
        parent=parent,
        historical=bool(node.get("historical", False)),
        successor=node.get("successor"),
    )
    for child in node.get("children", ()):
        yield from _walk(child, code)


@cache
def _table() -> _Table:
    regions = [r for p in load_data("regions.json")["provinces"] for r in _walk(p, None)]
    by_code = {r.code: r for r in regions}
    children: dict[str | None, list[str]] = {}
    for region in regions:
        children.setdefault(region.parent, []).append(region.code)
    return _Table(by_code, {k: tuple(sorted(v)) for k, v in children.items()})


def _check_format(code: str, field: str) -> str:
    text = (code or "").strip()
    if not text:
        raise InvalidRegion("请选择行政区划", field)
    if len(text) != 6 or not text.isdigit():
        raise InvalidRegion("行政区划代码应为6位数字", field)
    return text


def find(code: str) -> Region | None:
    """The region or None: for callers that treat an unknown code as "no match"."""
    return _table().by_code.get((code or "").strip())


def get(code: str, field: str = "region_code") -> Region:
    """The region with this code, or InvalidRegion "所选行政区划不存在"."""
    text = _check_format(code, field)
    region = _table().by_code.get(text)
    if region is None:
        raise InvalidRegion("所选行政区划不存在", field)
    return region


def children(code: str | None = None, include_historical: bool = False) -> list[Region]:
    """Direct children in code order; `None` lists the 31 provinces."""
    if code is not None:
        get(code)
    table = _table()
    found = [table.by_code[c] for c in table.children.get(code, ())]
    return [r for r in found if include_historical or not r.historical]


def path(code: str) -> list[Region]:
    """From the province down to the region itself."""
    chain = [get(code)]
    while chain[-1].parent is not None:
        chain.append(get(chain[-1].parent))
    return list(reversed(chain))


def full_name(code: str, separator: str = "/") -> str:
    """浙江省/杭州市/西湖区, as 001 shows 残联主管部门."""
    return separator.join(r.name for r in path(code))


def label(code: str | None) -> str:
    """The full name for display; the code itself when the table does not know it."""
    if not code:
        return ""
    try:
        return full_name(code)
    except InvalidRegion:
        return code


def province_of(code: str) -> Region:
    return path(code)[0]


def is_within(code: str, ancestor_code: str) -> bool:
    """Whether `code` is `ancestor_code` or lies below it (jurisdiction checks).

    Unknown codes are never within anything: a reviewer's scope must not widen because
    a unit typed a code the table does not know.
    """
    if find(code) is None or find(ancestor_code) is None:
        return False
    return any(r.code == ancestor_code for r in path(code))


def validate_region(code: str, level: RegionLevel | str | None = None, field: str = "region_code") -> Region:
    """Check a code chosen in a form: it exists, is current, and has the required level."""
    region = get(code, field)
    if region.historical:
        raise InvalidRegion(f"所选行政区划“{region.name}”已撤销，请选择现行行政区划", field)
    if level is not None and region.level != RegionLevel(level):
        raise InvalidRegion(f"请选择{LEVEL_NAMES[RegionLevel(level)]}行政区划", field)
    return region


def nearest_known(code: str) -> Region | None:
    """The region itself, else its city, else its province: for codes read from 身份证号.

    A household code printed on an old ID may be missing from the table; the person
    still belongs to the province (and perhaps city) the first digits name.
    """
    text = (code or "").strip()
    if len(text) != 6 or not text.isdigit():
        return None
    for candidate in (text, text[:4] + "00", text[:2] + "0000"):
        region = find(candidate)
        if region is not None:
            return region
    return None


def current_code(code: str) -> str:
    """The code in force today for a historical one (310230 → 310151), else unchanged."""
    region = get(code)
    return region.successor or region.code
