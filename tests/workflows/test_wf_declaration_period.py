"""完成申报 and the 申报期 (issue 13): the diagram's 检查申报条件 refuses a unit's
declaration outside its province's window, with the dates, on the engine clock's China
date; 残联 staff declaring for the unit at a window are not held to it."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from wfkit import advance, case_row, confirmed_person, declare, inbox_row

from casework import cases
from casework.models import CertificationCase, Placement, Unit, User
from domain.errors import DomainError, NotFound
from engine.clock import CHINA_TZ

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ANSHAN_REFUSAL = "不在申报期内：辽宁省2025年度按比例就业情况申报期为2026年3月1日至2026年10月31日"


def _move_to(system, moment: datetime) -> None:
    advance(system, moment - system.runtime.clock.now())


def _ready_case(system, unit, user, population) -> int:
    pid = confirmed_person(system, unit, user, population)
    with system.transaction() as s:
        return s.get(Placement, pid).case_id


def test_anshan_unit_is_refused_after_october_and_a_window_reviewer_declares_for_it(
    system, employer, population, staff
):
    unit, user = employer
    assert unit.cdpf_region.startswith("2103")
    case_id = _ready_case(system, unit, user, population)
    iid = case_row(system, case_id).instance_id

    # 00:30 on Nov 1 in China is still Oct 31 in UTC: the China date decides
    _move_to(system, datetime(2026, 11, 1, 0, 30, tzinfo=CHINA_TZ))
    with pytest.raises(DomainError) as refused:
        declare(system, user, case_id)
    assert refused.value.message == ANSHAN_REFUSAL

    _move_to(system, datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ))
    with pytest.raises(DomainError, match="2026年3月1日至2026年10月31日"):
        declare(system, user, case_id)
    case = case_row(system, case_id)
    assert (case.locked, case.declared_at) == (False, None)
    assert inbox_row(system, iid, "declare").form == "case_declare"

    # a reviewer of another province may not; 鞍山's reviewer may, on the same day
    with system.transaction() as s, pytest.raises(NotFound):
        cases.complete_declaration(
            s, system, staff("reviewer_hangzhou"), s.get(CertificationCase, case_id), pledge_read=True
        )
    declare(system, staff("reviewer_anshan"), case_id)
    case = case_row(system, case_id)
    assert case.locked and case.declared_at is not None


def test_zhejiang_unit_still_declares_on_2026_11_02(system, population):
    with system.transaction() as s:
        unit = s.scalar(select(Unit).where(Unit.cdpf_region == "330106").order_by(Unit.id))
        user = s.scalar(select(User).where(User.unit_id == unit.id))
    case_id = _ready_case(system, unit, user, population)
    _move_to(system, datetime(2026, 11, 2, 10, 0, tzinfo=CHINA_TZ))
    declare(system, user, case_id)
    assert case_row(system, case_id).locked
