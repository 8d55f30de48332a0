"""Demo data: the simulator's employer units with their 关联单位, staff accounts for each
jurisdiction, and (optionally) a few people already on their way through the flow.

The units come from `adapters.simulator.units` (codes derived from names, not from the
population seed), so the simulator and the demo database always agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

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
    # 003 窗口受理 (收受分离): county service windows that receive any unit's papers
    ("window_xihu", "window_clerk", "330106", "杭州市西湖区残联服务窗口 窗口受理人员"),
    ("window_binjiang", "window_clerk", "330108", "杭州市滨江区残联服务窗口 窗口受理人员"),
    ("reviewer_huhhot", "reviewer", "150100", "呼和浩特市残联 审核员"),
    ("reviewer_ulanqab", "reviewer", "150900", "乌兰察布市残联 审核员"),
    ("supervisor_nmg", "supervisor", "150000", "内蒙古自治区残联 业务主管"),
    ("owner_nmg", "process_owner", "150000", "内蒙古自治区残联 流程管理员"),
    ("owner_zhejiang", "process_owner", "330000", "浙江省残联 流程管理员"),
)

_ECONOMIC = {"企业": "私营企业", "事业单位": "国有全资"}
_INDUSTRY = ("制造业", "信息传输、软件和信息技术服务业", "卫生和社会工作", "农、林、牧、渔业")


@lru_cache(maxsize=4)
def _demo_hash(password: str) -> str:
    """One hash for the one published demo password, kept for the process: argon2 is
    deliberately slow, and thirteen accounts, or a test suite building a demo system per
    test, would otherwise pay it again and again. Only demo accounts share it."""
    return hash_password(password)


def load_demo(session: Session, password: str = DEMO_PASSWORD) -> list[DemoLogin]:
    """Create the demo units and accounts once (idempotent); return the logins."""
    logins: list[DemoLogin] = []
    check_password_rule(password)
    hashed = _demo_hash(password)

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


# -- people on their way through the flow --------------------------------------------------
SEED_UNITS = ("91210302052118596L", "913301064149113062")  # 鞍山铁东, 杭州西湖
SEED_SCENARIOS = ("clean", "severe", "insurance_gap", "low_wage", "new_hire")


def _demo_pdf(title: str) -> bytes:
    from io import BytesIO

    from reportlab.pdfgen import canvas

    out = BytesIO()
    pdf = canvas.Canvas(out)
    pdf.drawString(72, 760, f"quotacert demo document: {title}")
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def seed_people(system, population, year: int) -> int:
    """Register a few simulator people per demo unit (once): some confirmed by the
    system, one with a claimed month waiting in the reviewer's inbox, one left at 安置登记,
    so each demo login has something to look at. Returns how many were added."""
    from casework import cases, placements, registration, verification
    from casework.models import CertificationCase, Placement
    from casework.uploads import store_upload

    added = 0
    for code in SEED_UNITS:
        with system.transaction() as session:
            unit = session.scalar(select(Unit).where(Unit.credit_code == code))
            user = session.scalar(select(User).where(User.login == code))
            if unit is None or user is None:
                continue
            case = cases.open_case(session, system, unit, year, user.login)
            if session.scalar(select(Placement.id).where(Placement.case_id == case.id)):
                continue  # already seeded
            ids = []
            for scenario in SEED_SCENARIOS:
                # Only people employed in the year: contracts end, and the year rolls over.
                found = population.select(unit=code, scenario=scenario, year=year)
                if not found:
                    continue
                p = found[0]
                placement = placements.add_placement(session, system, user, case, {
                    "id_number": p.id_number, "name": p.person.name, "phone": p.person.phone or "13800000000",
                    "household_type": "本市户籍", "household_region": unit.cdpf_region,
                    "household_address": p.person.household_address or unit.business_address,
                })
                added += 1
                if scenario == "new_hire":
                    continue  # left at 安置登记 (资料待完善)
                c = p.contracts[-1]
                contract = store_upload(session, system.settings, unit_id=unit.id, user_id=user.id, filename="劳动合同.pdf",
                                        data=_demo_pdf(f"labour contract {p.id_number}"), kind="contract", limit_bytes=10 << 20)
                registration.save_contract(session, user, case, placement, {
                    "dispatched": c.dispatched, "relation": c.relation, "contract_type": "劳务派遣" if c.dispatched else "固定期限",
                    "start": c.start.isoformat(), "end": c.end.isoformat(), "position": "普工", "monthly_wage": str(c.monthly_wage),
                    "agency_unit": c.agency_unit, "pension_unit": c.pension_unit, "medical_unit": c.medical_unit,
                    "wage_unit": c.wage_unit, "attachment_ids": [contract.id],
                })
                registration.submit_registration(session, system, user, case, placement)
                ids.append((placement.id, scenario))
        system.settle()  # auto-verify against the simulator now (or wait for the runner), so the grids are there
        with system.transaction() as session:
            case = session.scalar(select(CertificationCase).join(Unit).where(Unit.credit_code == code, CertificationCase.year == year))
            for pid, scenario in ids:
                placement = session.get(Placement, pid)
                if placements.current_task(session, placement) is None:
                    continue
                results = verification.grid(case, placement).results
                passed = [r.month for r in results if r.passed]
                failed = [r.month for r in results if not r.passed]
                if scenario == "insurance_gap" and failed:
                    chosen = passed + failed[:2]
                    _attach_materials(session, system, unit, user, case, placement, results, chosen)
                    verification.submit_months(session, system, user, case, placement, chosen)
                elif scenario in ("clean", "severe") and passed:
                    verification.submit_months(session, system, user, case, placement, passed)
                # low_wage stays at 人员信息校验 for the employer to decide
    return added


def _attach_materials(session, system, unit, user, case, placement, results, chosen) -> None:
    """Upload one demo PDF per material the claimed months need. Which checks fail depends
    on the business year and the simulator's data for it (a gap in pension only in one
    year, no wages at all in another), so the demo asks the rule instead of assuming."""
    from casework import verification
    from casework.models.attachment import MATERIAL_KINDS
    from casework.uploads import store_upload
    from domain.month_selection import required_materials

    for material in required_materials(results, chosen):
        proof = store_upload(
            session, system.settings, unit_id=unit.id, user_id=user.id, filename=f"{material}.pdf",
            data=_demo_pdf(MATERIAL_KINDS[material]), kind=MATERIAL_KINDS[material], limit_bytes=10 << 20,
        )
        verification.attach_claim_material(session, user, case, placement, proof, material)


def seed_previous_year(session, population, year: int, per_unit: int = 6) -> int:
    """Last year's certified results of the demo units, as an office would have them from
    the previous system (003: 归集上报 of earlier years): locked cases sent to tax, with
    confirmed people, so that 导入上一年申报名单 has something to offer."""
    from datetime import datetime

    from casework.models import CertificationCase, Placement
    from casework.models.case import STAGE_SENT
    from casework.models.placement import CONFIRMED
    from domain.id_number import parse_id_number

    added = 0
    previous = year - 1
    for unit in session.scalars(select(Unit).order_by(Unit.id)):
        exists = session.scalar(
            select(CertificationCase.id).where(CertificationCase.unit_id == unit.id, CertificationCase.year == previous)
        )
        if exists:
            continue
        declared = datetime(year, 5, 20, 10, 0)
        case = CertificationCase(
            unit_id=unit.id, year=previous, region_code=unit.cdpf_region, stage=STAGE_SENT, locked=True,
            declared_at=declared, certificate_ready_at=declared, sent_to_tax_at=declared, tax_receipt="历史数据",
        )
        session.add(case)
        session.flush()
        for p in population.select(unit=unit.credit_code, year=previous)[:per_unit]:
            info = parse_id_number(p.id_number)
            session.add(Placement(
                case_id=case.id, id_number=p.id_number, name=p.person.name, sex=info.sex, birth_date=info.birth_date,
                household_type="本市户籍", household_region=unit.cdpf_region,
                household_address=p.person.household_address or unit.business_address, phone=p.person.phone,
                status=CONFIRMED, confirmed_by="系统", registered_months=12, confirmed_months=12, approved_months=12,
                declared_at=declared, confirmed_at=declared,
            ))
            added += 1
    return added
