"""合同管理 and 残疾证管理 (001 steps 2–3), and "保存，下一步" that hands the person to
auto-verify. Only while the person's `register` task is open."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from casework import inputs
from casework.audit import record
from casework.cases import ensure_open
from casework.models import Attachment, Certificate, CertificationCase, Contract, Placement, Unit
from casework.placements import FORM_REGISTER, require_task
from casework.system import System
from domain.certificate import category_name, needs_historical_certificate, parse_certificate_number
from domain.contract import RELATIONS, contract_rule_errors  # noqa: F401  (RELATIONS: the choices, read by pages)
from domain.credit_code import parse_credit_code
from domain.errors import DomainError, FieldErrors, NotFound
from domain.facts import CertificateFact, CertificateKind, ContractFact

CONTRACT_TYPES = ("固定期限", "无固定期限", "以完成一定工作任务为期限", "劳务派遣", "编制")


def _editable(session: Session, case: CertificationCase, placement: Placement) -> None:
    ensure_open(case)
    require_task(session, placement, FORM_REGISTER, "当前步骤不能修改合同或残疾证信息")


def _attachments(session: Session, unit_id: int, ids) -> list[int]:
    result = []
    for raw in ids or []:
        att = session.get(Attachment, int(raw))
        if att is None or att.unit_id != unit_id:
            raise DomainError("附件不存在或无权使用", "attachment_ids")
        result.append(att.id)
    return result


def _unit_code(session: Session, raw, field: str, label: str, allowed: set[str], required: bool = True) -> str:
    if not required and not str(raw or "").strip():
        return ""
    code = parse_credit_code(str(raw or ""), field)
    if code not in allowed:
        raise DomainError(f"{label}须为本单位或已登记的关联单位（请先在单位信息维护管理中添加）", field)
    return code


def contract_values(session: Session, unit: Unit, case: CertificationCase, data: dict) -> dict:
    allowed = {unit.credit_code} | {r.credit_code for r in unit.related_units}
    from casework.schemas import parse
    from casework.schemas.placements import ContractInput

    # the fields by the declaration the API validates with; then what needs the database
    declared = parse(ContractInput, {**data, "attachment_ids": data.get("attachment_ids") or []}, strict=False)
    dispatched = declared.dispatched
    values = inputs.collect(
        {
            "agency_unit": lambda: _unit_code(session, declared.agency_unit, "agency_unit", "劳务派遣单位", allowed, required=dispatched),
            "pension_unit": lambda: _unit_code(session, declared.pension_unit, "pension_unit", "社保参保单位", allowed),
            "medical_unit": lambda: _unit_code(session, declared.medical_unit, "medical_unit", "医保参保单位", allowed),
            "wage_unit": lambda: _unit_code(session, declared.wage_unit, "wage_unit", "工资发放单位", allowed),
            "attachment_ids": lambda: _attachments(session, unit.id, declared.attachment_ids),
        }
    )
    values.update(declared.model_dump(include={"relation", "contract_type", "start", "end", "position", "monthly_wage"}))
    values["dispatched"] = dispatched
    if values["end"] < values["start"]:
        raise FieldErrors({"end": "合同结束日期不能早于开始日期"})
    if values["end"] < date(case.year, 1, 1) or values["start"] > date(case.year, 12, 31):
        raise FieldErrors({"start": f"合同期限与业务年度{case.year}年没有重叠"})
    fact = ContractFact(
        start=values["start"],
        end=values["end"],
        dispatched=dispatched,
        relation=values["relation"],
        monthly_wage=float(values["monthly_wage"]),
        pension_unit=values["pension_unit"],
        medical_unit=values["medical_unit"],
        wage_unit=values["wage_unit"],
        agency_unit=values["agency_unit"],
    )
    problems = contract_rule_errors(fact, unit.credit_code)
    if problems:
        raise FieldErrors({"relation": "；".join(problems)})
    return values


def save_contract(
    session: Session, user, case: CertificationCase, placement: Placement, data: dict,
    contract_id: int | None = None, ip: str = "",
) -> Contract:
    _editable(session, case, placement)
    values = contract_values(session, case.unit, case, data)
    if contract_id is None:
        contract = Contract(**values)
        placement.contracts.append(contract)
    else:
        contract = _contract(placement, contract_id)
        for key, value in values.items():
            setattr(contract, key, value)
    session.flush()
    record(session, user, "保存合同", case_id=case.id, target=f"placement:{placement.id}", detail={"contract": contract.id}, ip=ip)
    return contract


def _contract(placement: Placement, contract_id: int) -> Contract:
    for contract in placement.contracts:
        if contract.id == int(contract_id):
            return contract
    raise NotFound("未找到该合同")


def delete_contract(session: Session, user, case: CertificationCase, placement: Placement, contract_id: int, ip: str = "") -> None:
    _editable(session, case, placement)
    contract = _contract(placement, contract_id)
    placement.contracts.remove(contract)
    record(session, user, "删除合同", case_id=case.id, target=f"placement:{placement.id}", detail={"contract": contract_id}, ip=ip)


def certificate_values(session: Session, unit: Unit, placement: Placement, data: dict) -> dict:
    from casework.schemas import parse
    from casework.schemas.placements import CertificateInput

    # the fields by the declaration the API validates with; then what needs the database
    declared = parse(CertificateInput, {**data, "attachment_ids": data.get("attachment_ids") or []}, strict=False)
    kind = declared.kind
    values = {
        "number": declared.number.upper(),
        "valid_from": declared.valid_from,
        "valid_to": declared.valid_to,
        "attachment_ids": _attachments(session, unit.id, declared.attachment_ids),
    }
    if values["valid_to"] < values["valid_from"]:
        raise FieldErrors({"valid_to": "有效期结束日期不能早于开始日期"})
    if kind == CertificateKind.DISABLED:
        info = parse_certificate_number(values["number"], placement.id_number)
        values.update(category=category_name(info.category), grade=info.grade)
    else:
        values.update(
            category="伤残",
            grade=inputs.integer(data.get("grade"), "grade", "伤残等级", minimum=1, maximum=8),
        )
    if not values["attachment_ids"]:
        raise FieldErrors({"attachment_ids": "手动添加的残疾证件须上传证件影像资料"})
    values["kind"] = kind
    return values


def add_certificate(session: Session, user, case: CertificationCase, placement: Placement, data: dict, ip: str = "") -> Certificate:
    """A historical certificate added by hand (001: 证件不足一年); a reviewer checks it."""
    _editable(session, case, placement)
    values = certificate_values(session, case.unit, placement, data)
    if any(c.number == values["number"] and c.valid_from == values["valid_from"] for c in placement.certificates):
        raise FieldErrors({"number": "该残疾证已在列表中"})
    cert = Certificate(source="manual", **values)
    placement.certificates.append(cert)
    session.flush()
    record(session, user, "添加残疾证", case_id=case.id, target=f"placement:{placement.id}", detail={"certificate": cert.id}, ip=ip)
    return cert


def delete_certificate(session: Session, user, case: CertificationCase, placement: Placement, certificate_id: int, ip: str = "") -> None:
    _editable(session, case, placement)
    for cert in placement.certificates:
        if cert.id == int(certificate_id):
            if cert.source != "manual":
                raise DomainError("系统获取的残疾证不能删除")
            placement.certificates.remove(cert)
            record(session, user, "删除残疾证", case_id=case.id, target=f"placement:{placement.id}", detail={"certificate": certificate_id}, ip=ip)
            return
    raise NotFound("未找到该残疾证")


def needs_history(case: CertificationCase, placement: Placement) -> bool:
    """001: the current certificate is new this year and no earlier one covers the rest."""
    facts = [
        CertificateFact(c.number, CertificateKind(c.kind), c.category, c.grade, c.valid_from, c.valid_to, c.source)
        for c in placement.certificates
    ]
    return bool(facts) and needs_historical_certificate(facts, case.year)


def submit_registration(session: Session, system: System, user, case: CertificationCase, placement: Placement, ip: str = "") -> None:
    """保存，下一步: the wizard's first steps are complete; auto-verify starts in a worker."""
    _editable(session, case, placement)
    errors = {}
    if not placement.contracts:
        errors["contracts"] = "请至少添加一份劳动合同或劳务派遣协议"
    elif any(not c.attachment_ids for c in placement.contracts):
        errors["contracts"] = "请为每份合同上传劳动合同或劳务派遣协议附件"
    if not placement.certificates:
        errors["certificates"] = "系统未获取到残疾证，请添加残疾证并上传证件影像资料"
    if errors:
        raise FieldErrors(errors)
    task = require_task(session, placement, FORM_REGISTER, "当前步骤不能提交")
    system.runtime.complete_task(session, task.task_id, {}, actor=user.login)
    record(session, user, "提交安置登记", case_id=case.id, target=f"placement:{placement.id}", ip=ip)
