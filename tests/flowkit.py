"""Helpers shared by the flow tests: the inputs that register a simulator person through
the casework services (person, contract) and a stand-in attachment row."""

from __future__ import annotations

from casework import cases, placements, registration
from casework.models import Attachment, Unit


def person_data(p) -> dict:
    """安置登记 step 1 for a simulator person (`DemoPerson`)."""
    return {
        "id_number": p.id_number,
        "name": p.person.name,
        "phone": "13812345678",
        "household_type": "本市户籍",
        "household_region": "210302",
        "household_address": "鞍山市铁东区示范路1号",
    }


def contract_data(p) -> dict:
    """合同管理 for the person's current contract as the simulator knows it."""
    c = p.contracts[-1]
    return {
        "dispatched": c.dispatched,
        "relation": c.relation,
        "contract_type": "劳务派遣" if c.dispatched else "固定期限",
        "start": c.start.isoformat(),
        "end": c.end.isoformat(),
        "position": "装配工",
        "monthly_wage": str(c.monthly_wage),
        "agency_unit": c.agency_unit,
        "pension_unit": c.pension_unit,
        "medical_unit": c.medical_unit,
        "wage_unit": c.wage_unit,
    }


def attachment(session, unit_id: int, kind: str = "contract") -> Attachment:
    """An attachment row (the file itself is irrelevant to the flow)."""
    att = Attachment(unit_id=unit_id, sha256="0" * 64, size=10, mime="application/pdf", original_name="a.pdf", kind=kind)
    session.add(att)
    session.flush()
    return att


def add_person(system, unit_id: int, user, p, year: int = 2025) -> int:
    """添加残疾人 + 合同 through the services (the register task is then READY)."""
    with system.transaction() as s:
        unit = s.get(Unit, unit_id)
        case = cases.open_case(s, system, unit, year, user.login)
        placement = placements.add_placement(s, system, user, case, person_data(p))
        data = contract_data(p)
        data["attachment_ids"] = [attachment(s, unit.id).id]
        registration.save_contract(s, user, case, placement, data)
        return placement.id
