"""Helpers for the 审核认定书 tests: a case with people already 已审核确认 (rows written
directly, the month grid counted by the flow's own `recount`), and real uploads."""

from __future__ import annotations

from datetime import datetime

from casework import cases, uploads
from casework.flow_functions import recount
from casework.models import Attachment, CertificationCase, MonthCheck, Placement, Unit
from casework.models.placement import CONFIRMED
from domain.id_number import check_character


def id_number(n: int) -> str:
    """A valid 18-digit 身份证号 (born 1985-01-01 + n days of the month, Anshan)."""
    first17 = f"21030219850{1 + n // 28:01d}{1 + n % 28:02d}{100 + n:03d}"[:17]
    return first17 + check_character(first17)


def certified_case(system, unit_id: int, user, year: int = 2025) -> int:
    """The unit's case of `year` (opened through the service), its id."""
    with system.transaction() as s:
        return cases.open_case(s, system, s.get(Unit, unit_id), year, user.login).id


def add_certified_person(
    session, case: CertificationCase, name: str, number: str, months: list[int],
    weight: int = 1, shared: tuple[int, ...] = (),
) -> Placement:  # fmt: skip
    """A person 已审核确认 for `months` (ticked, passed); `shared` months are counted
    by another unit too (无其他单位安置 failed) and were found 有效 by a reviewer."""
    placement = Placement(case_id=case.id, id_number=number, name=name, status=CONFIRMED, weight=weight)
    for month in range(1, 13):
        ticked = month in months
        other = month in shared
        placement.months.append(MonthCheck(
            month=month, wage=True, pension=True, medical=True, certificate=True, working_age=True,
            contract=True, certificate_type=True, no_other_unit=not other, passed=not other,
            weight=weight, selected=ticked, claimed=ticked and other,
            decision="有效" if ticked and other else "",
        ))  # fmt: skip
    recount(placement)
    session.add(placement)
    session.flush()
    return placement


def declared(case: CertificationCase, at: datetime) -> None:
    case.locked = True
    case.declared_at = at
    case.certificate_ready_at = at


def upload(session, settings, case: CertificationCase, placement: Placement, data: bytes, name: str) -> Attachment:
    """A real stored upload (checked and cleaned as the pages do) as the person's claim material."""
    attachment = uploads.store_upload(
        session, settings, unit_id=case.unit_id, user_id=None, filename=name, data=data,
        kind="wage_proof", limit_bytes=10 * 1024 * 1024,
    )  # fmt: skip
    attachment.placement_id = placement.id
    session.flush()
    return attachment
