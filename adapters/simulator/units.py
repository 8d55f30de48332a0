"""The demo units: six employers in real regions plus the agencies and related units they use.

Codes are derived from the unit name, not from the population seed, so documentation,
demo scripts and tests can name a unit by its code whatever seed the simulator runs with.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from adapters.protocols import UnitFact
from adapters.simulator.names import REGIONS, STREETS
from domain.credit_code import make_credit_code

EMPLOYER = "employer"
AGENCY = "agency"  # 劳务派遣单位
RELATED = "related"  # 关联单位 (上下级)


@dataclass(frozen=True)
class DemoUnit:
    code: str  # 统一社会信用代码
    name: str
    region: str
    nature: str  # 企业 / 事业单位
    role: str  # employer / agency / related
    parent: str = ""  # for a related unit: the employer it belongs to
    address: str = ""

    def to_fact(self) -> UnitFact:
        return UnitFact(self.code, self.name, self.region, self.nature, self.address)


# (role, registration prefix, region, name, nature, parent name)
# prefix "91" = 工商 企业, "12" = 机构编制 事业单位 (GB 32100-2015).
_SPECS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (EMPLOYER, "91", "210302", "鞍山市铁东区示范机械有限公司", "企业", ""),
    (EMPLOYER, "91", "210303", "鞍山市铁西区示范电子科技有限公司", "企业", ""),
    (EMPLOYER, "91", "330106", "杭州市西湖区示范网络科技有限公司", "企业", ""),
    (EMPLOYER, "12", "330106", "杭州市西湖区示范康复服务中心", "事业单位", ""),
    (EMPLOYER, "91", "150102", "呼和浩特市新城区示范乳业有限公司", "企业", ""),
    (EMPLOYER, "91", "150924", "兴和县示范农牧业发展有限公司", "企业", ""),
    (AGENCY, "91", "210302", "鞍山市示范人力资源服务有限公司", "企业", ""),
    (AGENCY, "91", "330106", "杭州市示范劳务派遣有限公司", "企业", ""),
    (AGENCY, "91", "150102", "呼和浩特市示范人力资源有限公司", "企业", ""),
    (RELATED, "91", "210302", "鞍山示范机械销售有限公司", "企业", "鞍山市铁东区示范机械有限公司"),
    (
        RELATED,
        "91",
        "330106",
        "杭州示范网络技术服务有限公司",
        "企业",
        "杭州市西湖区示范网络科技有限公司",
    ),
)

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def organization_code(name: str) -> str:
    """A 9-character 组织机构代码 (GB 11714 check digit) derived from the unit's name."""
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()
    body = "".join(str(int(c, 16) % 10) for c in digest[:8])
    check = 11 - sum(int(d) * w for d, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def _address(name: str, region: str) -> str:
    digest = hashlib.sha256(("地址" + name).encode("utf-8")).digest()
    return f"{REGIONS[region]}{STREETS[digest[0] % len(STREETS)]}{digest[1] % 300 + 1}号"


def build_units() -> tuple[DemoUnit, ...]:
    codes = {
        name: make_credit_code(prefix + region + organization_code(name))
        for _, prefix, region, name, _, _ in _SPECS
    }
    return tuple(
        DemoUnit(
            code=codes[name],
            name=name,
            region=region,
            nature=nature,
            role=role,
            parent=codes[parent] if parent else "",
            address=_address(name, region),
        )
        for role, _, region, name, nature, parent in _SPECS
    )
