"""残疾人安置管理 (001 第二步): add a person, edit the person while registering, list,
re-register, delete. Every command checks the case is open, validates everything first,
writes, and records an audit entry; the flow itself moves in placement_review.bpmn."""

from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from adapters.errors import AdapterError
from casework import labels
from casework.audit import record
from casework.cases import ensure_open
from casework.models import Certificate, CertificationCase, Placement, PlacementEnd
from casework.models.placement import CONFIRMED, INCOMPLETE, PARTLY_REJECTED, STATUSES
from casework.paging import Page, contains
from casework.system import System
from casework.task_forms import EMPLOYER, TaskForm, register_form, require_form
from domain.certificate import category_name
from domain.errors import DomainError, NotFound
from domain.facts import PersonFact
from domain.id_number import parse_id_number
from engine.models import InboxTask, OutboxJob, ProcessInstance
from engine.stages import Stage

FORM_REGISTER = register_form(TaskForm(
    key="placement_register", title="安置登记", roles=EMPLOYER, subject="placement", writes=(),
    page="placements.detail", api="POST /api/v1/placements/{id}/submit",
    help="填写基本信息、合同管理和残疾证管理，点击“保存，下一步”进入自动核验",
)).key
FORM_MONTHS = register_form(TaskForm(
    key="placement_months", title="人员信息校验", roles=EMPLOYER, subject="placement",
    writes=("months_action", "selected_months", "claimed_months"),
    page="placements.detail", api="POST /api/v1/placements/{id}/months",
    help="勾选安置登记月份；勾选未通过核验的“×”月份须上传相应材料，提交残联审核",
)).key

FORM_RESULT = register_form(TaskForm(
    key="placement_result", title="审核结果", roles=EMPLOYER, subject="placement", writes=("result_action",),
    page="placements.detail", api="POST /api/v1/placements/{id}/reregister, /acceptance",
    help="审核完成：可重新登记；部分审核不通过时也可接受审核结果",
)).key
PROCESS = "placement_review"  # the diagram each person's registration runs on
# the message the diagram's 删除安置人员 path waits for
REMOVE_MESSAGE = "remove_placement"

HOUSEHOLD_TYPES = ("本市户籍", "本省外市户籍", "外省户籍")
EDUCATION = ("小学及以下", "初中", "高中", "中专/技校", "大专", "本科", "研究生")


def list_placements(
    session: Session, case: CertificationCase, *, q: str = "", status: str = "", page: int = 1, per_page: int = 20
) -> Page:
    """安置人员列表 with search by 姓名 or 身份证号 and a status filter."""
    query = select(Placement).where(Placement.case_id == case.id, Placement.removed.is_(False))
    q = (q or "").strip()
    if q:
        query = query.where(or_(contains(Placement.name, q), contains(Placement.id_number, q.upper())))
    if status in STATUSES:
        query = query.where(Placement.status == status)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = max(1, int(page or 1))
    items = session.scalars(
        query.options(selectinload(Placement.certificates))  # each row shows the first one
        .order_by(Placement.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return Page(list(items), total, page, per_page)


def people_of(session: Session, case_id: int) -> list[Placement]:
    """Every person of a case (removed ones excluded) in the order they were added."""
    return list(
        session.scalars(
            select(Placement)
            .where(Placement.case_id == case_id, Placement.removed.is_(False))
            .order_by(Placement.id)
        )
    )


def get_placement(session: Session, case: CertificationCase, placement_id: int) -> Placement:
    placement = session.get(Placement, placement_id)
    if placement is None or placement.case_id != case.id or placement.removed:
        raise NotFound("未找到该安置人员")
    return placement


def current_task(session: Session, placement: Placement) -> InboxTask | None:
    """The READY human task of the person's review instance, if any."""
    if placement.instance_id is None:
        return None
    return session.scalar(select(InboxTask).where(InboxTask.instance_id == placement.instance_id))


def verifying(session: Session, placement: Placement) -> OutboxJob | None:
    """The auto-verify job while the worker asks the outside systems ("pending"), or one
    that gave up ("failed", waiting for 残联 staff to retry it)."""
    if placement.instance_id is None:
        return None
    return session.scalar(
        select(OutboxJob).where(
            OutboxJob.instance_id == placement.instance_id, OutboxJob.status.in_(("pending", "failed"))
        )
    )


def lookup_person(system: System, id_number: str) -> PersonFact | None:
    """身份证号 autofill from the 残疾人证 registry (a read-only look-up)."""
    number = parse_id_number(id_number).number
    try:
        return system.clients.registry.lookup_person(number)
    except AdapterError as exc:
        raise DomainError("残疾人证信息系统暂时无法访问，请手动填写带*的内容", "id_number") from exc


def _person_values(data: dict) -> dict:
    """The person's fields by the declaration the API validates with (`PersonInput`);
    the wizard page's text is read leniently ("1" for true)."""
    from casework.schemas import parse
    from casework.schemas.placements import PersonInput

    values = parse(PersonInput, data, strict=False).model_dump()
    values["id_number"] = parse_id_number(values["id_number"])
    id_info = values.pop("id_number")
    values.update(id_number=id_info.number, sex=id_info.sex, birth_date=id_info.birth_date)
    return values


def add_placement(
    session: Session, system: System, user, case: CertificationCase, data: dict, ip: str = ""
) -> Placement:
    """添加残疾人: step 安置登记; registry certificates are copied in when found."""
    ensure_open(case)
    values = _person_values(data)
    duplicate = session.scalar(
        select(Placement.id).where(
            Placement.case_id == case.id,
            Placement.id_number == values["id_number"],
            Placement.removed.is_(False),
        )
    )
    if duplicate:
        raise DomainError("该人员已在本年度安置人员列表中", "id_number")
    try:
        found = system.clients.registry.lookup_person(values["id_number"])
    except AdapterError:
        found = None  # the employer adds the certificate by hand; a reviewer checks it
    placement = Placement(case_id=case.id, status=INCOMPLETE, **values)
    for cert in found.certificates if found else ():
        placement.certificates.append(
            Certificate(
                number=cert.number,
                kind=str(cert.kind),
                category=category_name(cert.category) if cert.category.isdigit() else cert.category,
                grade=cert.grade,
                valid_from=cert.valid_from,
                valid_to=cert.valid_to,
                source="registry",
            )
        )
    session.add(placement)
    session.flush()
    _start_review(session, system, user, case, placement)
    record(session, user, "添加残疾人", case_id=case.id, target=f"placement:{placement.id}", ip=ip)
    return placement


def stages(session: Session, system: System, case: CertificationCase, placement: Placement | None = None) -> list[Stage]:
    """The wizard's step bar (001: 安置登记 → 人员信息校验 → … → 完成登记), read from the
    person's diagram version: the stages its tasks name, and where the person is."""
    if placement is not None and placement.instance_id is not None:
        instance = session.get(ProcessInstance, placement.instance_id)
        if instance is not None:
            return system.runtime.stages(session, instance)
    names = system.runtime.stage_names(session, PROCESS, case.region_code)
    return [Stage(name, "current" if i == 0 else "todo") for i, name in enumerate(names)]


# what the placement diagram is given when a person's review starts
START_DATA = ("placement_id", "case_id")


def _start_review(session: Session, system: System, user, case: CertificationCase, placement: Placement) -> None:
    instance = system.runtime.start(
        session,
        PROCESS,
        case_ref=case.ref,
        region_code=case.region_code,
        subject_ref=f"placement:{placement.id}",
        case_id=case.id,
        subject_id=placement.id,
        case_label=labels.case_label(case.unit),
        subject_label=labels.subject_label(placement),
        data=dict(zip(START_DATA, (placement.id, case.id), strict=True)),
        actor=user.login,
    )
    placement.instance_id = instance.id


def require_task(session: Session, placement: Placement, form_key: str, message: str) -> InboxTask:
    """The person's open task that uses `form_key` (whatever the diagram calls the task)."""
    return require_form(session, placement.instance_id, form_key, message)


def update_person(
    session: Session, user, case: CertificationCase, placement: Placement, data: dict, ip: str = ""
) -> None:
    ensure_open(case)
    require_task(session, placement, FORM_REGISTER, "当前步骤不能修改人员基本信息")
    values = _person_values(data)
    if values["id_number"] != placement.id_number:
        raise DomainError("身份证号不能修改；如需更换人员，请删除后重新添加", "id_number")
    for key, value in values.items():
        setattr(placement, key, value)
    labels.refresh_person(session, placement)
    record(session, user, "修改安置人员信息", case_id=case.id, target=f"placement:{placement.id}", ip=ip)


def end_holds(session: Session, people: list[Placement]) -> dict[int, str]:
    """Of `people`, those a 单位注销安置登记 holds, with why (Chinese): ended (its months
    from then on no longer count) or with a request under review, for the person or the
    whole unit. 重新登记 or 删除 would rewrite or drop the months that request is about."""
    holds = {p.id: f"已自{p.ended_from_month}月起注销安置登记" for p in people if p.ended_from_month is not None}
    case_ids = {p.case_id for p in people}
    if not case_ids:
        return holds
    pending = session.execute(
        select(PlacementEnd.case_id, PlacementEnd.placement_id).where(
            PlacementEnd.case_id.in_(case_ids), PlacementEnd.open_key.is_not(None)
        )
    ).all()
    for case_id, placement_id in pending:
        for p in people:
            if p.id not in holds and p.case_id == case_id and placement_id in (None, p.id):
                holds[p.id] = "注销安置登记申请正在审核"
    return holds


def _refuse_if_held(session: Session, placement: Placement, action: str) -> None:
    held = end_holds(session, [placement]).get(placement.id)
    if held:
        raise DomainError(f"{placement.name}{held}，不能{action}")


def re_register(session: Session, system: System, user, case: CertificationCase, placement: Placement, ip: str = "") -> None:
    """重新登记: the 审核结果 step's choice; the diagram takes the person back to 安置登记."""
    ensure_open(case)
    _refuse_if_held(session, placement, "重新登记")
    task = require_task(session, placement, FORM_RESULT, "只有审核完成的人员才能重新登记")
    system.runtime.complete_task(session, task.task_id, {"result_action": "re_register"}, actor=user.login)
    record(session, user, "重新登记", case_id=case.id, target=f"placement:{placement.id}", ip=ip)


def accept_result(session: Session, system: System, user, case: CertificationCase, placement: Placement, ip: str = "") -> None:
    """接受审核结果: a 部分审核不通过 person counts with the months found valid."""
    ensure_open(case)
    task = require_task(session, placement, FORM_RESULT, "只有审核完成的人员才能接受审核结果")
    if placement.status != PARTLY_REJECTED:
        raise DomainError("只有“部分审核不通过”的人员需要接受审核结果")
    system.runtime.complete_task(session, task.task_id, {"result_action": "accept"}, actor=user.login)
    record(session, user, "接受审核结果", case_id=case.id, target=f"placement:{placement.id}", ip=ip)


def remove_placement(session: Session, system: System, user, case: CertificationCase, placement: Placement, ip: str = "") -> None:
    """删除: before 完成申报 only; the diagram's 删除安置人员 path removes the person (the
    row stays for the audit trail). Whether a person can be removed now is its call."""
    ensure_open(case)
    _refuse_if_held(session, placement, "删除")
    if placement.instance_id is None:
        placement.removed = True
    elif not system.runtime.send_message(session, placement.instance_id, REMOVE_MESSAGE, {}, actor=user.login):
        raise DomainError("当前步骤不能删除该人员")
    record(session, user, "删除安置人员", case_id=case.id, target=f"placement:{placement.id}", ip=ip)


def previous_year_people(session: Session, case: CertificationCase) -> list[Placement]:
    """导入上一年申报名单: last year's confirmed people not yet in this year's list, less
    those whose placement a 注销安置登记 ended (they left, retired or died)."""
    previous = session.scalar(
        select(CertificationCase).where(CertificationCase.unit_id == case.unit_id, CertificationCase.year == case.year - 1)
    )
    if previous is None:
        return []
    present = set(
        session.scalars(select(Placement.id_number).where(Placement.case_id == case.id, Placement.removed.is_(False)))
    )
    people = session.scalars(
        select(Placement)
        .where(Placement.case_id == previous.id, Placement.removed.is_(False), Placement.status == CONFIRMED,
               Placement.ended_from_month.is_(None))
        .order_by(Placement.id)
    ).all()
    return [p for p in people if p.id_number not in present]


def import_previous(
    session: Session, system: System, user, case: CertificationCase, id_numbers, ip: str = ""
) -> list[Placement]:
    """Copy the chosen people of last year's list into this year (资料待完善: contracts,
    certificates and months are registered and verified again for this year)."""
    ensure_open(case)
    wanted = {str(n).strip().upper() for n in (id_numbers or [])}
    if not wanted:
        raise DomainError("请选择需要导入的残疾人", "id_numbers")
    candidates = {p.id_number: p for p in previous_year_people(session, case)}
    unknown = wanted - set(candidates)
    if unknown:
        raise DomainError("所选人员不在上一年度已审核确认的名单中，或已在本年度列表中", "id_numbers")
    imported = []
    for number in sorted(wanted):
        old = candidates[number]
        placement = Placement(
            case_id=case.id,
            status=INCOMPLETE,
            **{
                key: getattr(old, key)
                for key in (
                    "id_number", "name", "sex", "birth_date", "household_type", "household_region",
                    "household_address", "phone", "education", "guardian_name", "guardian_phone", "is_graduate",
                )
            },
        )
        session.add(placement)
        session.flush()
        _start_review(session, system, user, case, placement)
        imported.append(placement)
    record(session, user, "导入上一年申报名单", case_id=case.id, target=case.ref, detail={"count": len(imported)}, ip=ip)
    return imported
