"""Demo data: the simulator's employer units with their 关联单位, staff accounts for each
jurisdiction, and (optionally) a few people already on their way through the flow.

The units come from `adapters.simulator.units` (codes derived from names, not from the
population seed), so the simulator and the demo database always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapters.simulator.units import AGENCY, EMPLOYER, RELATED, build_units
from casework.accounts import check_password_rule, hash_password
from casework.models import RelatedUnit, Unit, User

DEMO_PASSWORD = "Demo@2025"


@dataclass(frozen=True)
class DemoLogin:
    login: str
    role: str
    name: str
    region: str


STAFF = (
    # login, role, region, name
    ("reviewer_anshan", "reviewer", "210300", "鞍山市残疾人服务中心 审核员"),
    ("supervisor_anshan", "supervisor", "210300", "鞍山市残疾人服务中心 业务主管"),
    ("reviewer_hangzhou", "reviewer", "330100", "杭州市残联 审核员"),
    ("supervisor_zhejiang", "supervisor", "330000", "浙江省残联 业务主管"),
    ("reviewer_huhhot", "reviewer", "150100", "呼和浩特市残联 审核员"),
    ("reviewer_ulanqab", "reviewer", "150900", "乌兰察布市残联 审核员"),
    ("supervisor_nmg", "supervisor", "150000", "内蒙古自治区残联 业务主管"),
)

_ECONOMIC = {"企业": "私营企业", "事业单位": "国有全资"}
_INDUSTRY = ("制造业", "信息传输、软件和信息技术服务业", "卫生和社会工作", "农、林、牧、渔业")


def load_demo(session: Session, password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Create the demo units and accounts once (idempotent); return the logins."""
    logins: list[DemoLogin] = []
    check_password_rule(password)
    # One hash for the one published demo password: argon2 is deliberately slow, and
    # thirteen accounts would otherwise cost seconds on every demo start and test.
    hashed = hash_password(password)

    def account(login: str, role: str, region: str, unit_id: int | None, name: str) -> None:
        if session.scalar(select(User).where(User.login == login)) is None:
            session.add(User(login=login, password_hash=hashed, role=role, region_code=region, unit_id=unit_id, display_name=name))

    units = build_units()
    for i, demo in enumerate(u for u in units if u.role == EMPLOYER):
        unit = session.scalar(select(Unit).where(Unit.credit_code == demo.code))
        if unit is None:
            unit = Unit(
                credit_code=demo.code,
                name=demo.name,
                nature=demo.nature,
                economic_type=_ECONOMIC.get(demo.nature, "其他"),
                industry=_INDUSTRY[i % len(_INDUSTRY)],
                cdpf_region=demo.region,
                tax_region=demo.region,
                admin_region=demo.region,
                legal_name="张示范",
                legal_id_number="11010519491231002X",
                legal_phone="13800000000",
                phone="0412-5859923",
                contact_name="李经办",
                contact_phone="13900000000",
                business_address=demo.address,
                registered_address=demo.address,
                staff_last_year=120 + 40 * i,
            )
            for other in units:
                same_city = other.region[:4] == demo.region[:4]
                if (other.role == AGENCY and same_city) or (
                    other.role == RELATED and other.parent == demo.code
                ):
                    unit.related_units.append(
                        RelatedUnit(
                            region_code=other.region,
                            credit_code=other.code,
                            name=other.name,
                            address=other.address,
                            relation="劳务派遣单位" if other.role == AGENCY else "上下级",
                        )
                    )
            session.add(unit)
            session.flush()
        account(demo.code, "employer", demo.region, unit.id, demo.name)
        logins.append(DemoLogin(demo.code, "employer", demo.name, demo.region))
    for login, role, region, name in STAFF:
        account(login, role, region, None, name)
        logins.append(DemoLogin(login, role, name, region))
    return logins
