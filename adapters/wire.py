"""JSON wire format of the outside systems, shared by the HTTP clients and the simulator.

Keeping both directions in one module means the simulator can never drift from what the
clients parse. Dates travel as ISO strings. Parsers are strict: a missing key, a wrong
type or an impossible value raises `WireError`, which the client turns into BadResponse.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from adapters.protocols import UnitFact
from domain.facts import (
    CertificateFact,
    CertificateKind,
    ContractFact,
    MonthlyPayment,
    OtherPlacement,
    PersonFact,
)

# A 404 only means "no such person/unit" when the body says `{"error": "no_record"}`; a
# bare 404 means a wrong base URL or route, which must never read as "no certificate".
NO_RECORD = "no_record"


class WireError(ValueError):
    """A payload does not have the agreed shape."""


def _str(data: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key, None if required else "")
    if not isinstance(value, str):
        raise WireError(f"字段 {key} 应为字符串")
    return value


def _int(data: dict[str, Any], key: str, low: int, high: int) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise WireError(f"字段 {key} 应为 {low}–{high} 之间的整数")
    return value


def _date(data: dict[str, Any], key: str) -> date:
    try:
        return date.fromisoformat(_str(data, key))
    except ValueError:
        raise WireError(f"字段 {key} 应为 ISO 日期") from None


def _amount(data: dict[str, Any], key: str) -> float:
    value = data.get(key, 0)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise WireError(f"字段 {key} 应为非负金额")
    return float(value)


def object_list(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise WireError(f"字段 {key} 应为对象数组")
    return value


def certificate_to_json(cert: CertificateFact) -> dict[str, Any]:
    return {
        "number": cert.number,
        "kind": cert.kind.value,
        "category": cert.category,
        "grade": cert.grade,
        "valid_from": cert.valid_from.isoformat(),
        "valid_to": cert.valid_to.isoformat(),
    }


def certificate_from_json(data: dict[str, Any], source: str = "registry") -> CertificateFact:
    try:
        kind = CertificateKind(_str(data, "kind"))
    except ValueError:
        raise WireError("未知的证件类型") from None
    top = 4 if kind is CertificateKind.DISABLED else 8
    return CertificateFact(
        number=_str(data, "number"),
        kind=kind,
        category=_str(data, "category"),
        grade=_int(data, "grade", 1, top),
        valid_from=_date(data, "valid_from"),
        valid_to=_date(data, "valid_to"),
        source=source,
    )


def certificates_from_json(
    data: dict[str, Any], key: str = "certificates"
) -> list[CertificateFact]:
    return [certificate_from_json(c) for c in object_list(data, key)]


def person_to_json(person: PersonFact) -> dict[str, Any]:
    return {
        "id_number": person.id_number,
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "household_region": person.household_region,
        "household_address": person.household_address,
        "phone": person.phone,
        "certificates": [certificate_to_json(c) for c in person.certificates],
    }


def person_from_json(data: dict[str, Any]) -> PersonFact:
    sex = _str(data, "sex")
    if sex not in ("男", "女"):
        raise WireError("字段 sex 应为 男 或 女")
    return PersonFact(
        id_number=_str(data, "id_number"),
        name=_str(data, "name"),
        sex=sex,
        birth_date=_date(data, "birth_date"),
        household_region=_str(data, "household_region"),
        household_address=_str(data, "household_address"),
        phone=_str(data, "phone", required=False),
        certificates=tuple(certificate_from_json(c) for c in object_list(data, "certificates")),
    )


def payment_to_json(payment: MonthlyPayment) -> dict[str, Any]:
    return {"month": payment.month, "unit_code": payment.unit_code, "amount": payment.amount}


def payment_from_json(data: dict[str, Any]) -> MonthlyPayment:
    return MonthlyPayment(
        month=_int(data, "month", 1, 12),
        unit_code=_str(data, "unit_code"),
        amount=_amount(data, "amount"),
    )


def payments_from_json(data: dict[str, Any], key: str = "months") -> list[MonthlyPayment]:
    return [payment_from_json(row) for row in object_list(data, key)]


def placement_to_json(placement: OtherPlacement) -> dict[str, Any]:
    return {"month": placement.month, "unit_code": placement.unit_code}


def placement_from_json(data: dict[str, Any]) -> OtherPlacement:
    return OtherPlacement(month=_int(data, "month", 1, 12), unit_code=_str(data, "unit_code"))


def placements_from_json(data: dict[str, Any], key: str = "placements") -> list[OtherPlacement]:
    return [placement_from_json(p) for p in object_list(data, key)]


def contract_to_json(contract: ContractFact) -> dict[str, Any]:
    data = asdict(contract)
    data["start"] = contract.start.isoformat()
    data["end"] = contract.end.isoformat()
    return data


def contract_from_json(data: dict[str, Any]) -> ContractFact:
    dispatched = data.get("dispatched")
    if not isinstance(dispatched, bool):
        raise WireError("字段 dispatched 应为布尔值")
    return ContractFact(
        start=_date(data, "start"),
        end=_date(data, "end"),
        dispatched=dispatched,
        relation=_str(data, "relation"),
        monthly_wage=_amount(data, "monthly_wage"),
        pension_unit=_str(data, "pension_unit"),
        medical_unit=_str(data, "medical_unit"),
        wage_unit=_str(data, "wage_unit"),
        agency_unit=_str(data, "agency_unit", required=False),
    )


def unit_to_json(unit: UnitFact) -> dict[str, Any]:
    return asdict(unit)


def unit_from_json(data: dict[str, Any]) -> UnitFact:
    region = _str(data, "region")
    if len(region) != 6 or not region.isdigit():
        raise WireError("字段 region 应为6位行政区划代码")
    return UnitFact(
        credit_code=_str(data, "credit_code"),
        name=_str(data, "name"),
        region=region,
        nature=_str(data, "nature"),
        address=_str(data, "address", required=False),
    )
