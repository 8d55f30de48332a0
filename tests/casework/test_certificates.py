"""The lifecycle of 审核认定书 records: issued 有效, replaced by a correction (已被更正, with a
link to the newer one), withdrawn (已撤回); the printed facts are frozen at issue."""

from __future__ import annotations

from datetime import timedelta

from casework import certificates
from casework.models import CertificationCase, IssuedCertificate, Placement, Unit
from casework.models.issued_certificate import SUPERSEDED, VALID, WITHDRAWN
from tests.certkit import add_certified_person, certified_case, declared, id_number


def _case_with_people(system, employer) -> int:
    unit, user = employer
    case_id = certified_case(system, unit.id, user)
    with system.transaction() as s:
        case = s.get(CertificationCase, case_id)
        add_certified_person(s, case, "王一", id_number(1), list(range(1, 13)))
        add_certified_person(s, case, "李二", id_number(2), [1, 2, 3, 7, 8], weight=2, shared=(7, 8))
        declared(case, system.runtime.clock.now())
    return case_id


def test_issue_snapshots_the_case(system, employer):
    case_id = _case_with_people(system, employer)
    now = system.runtime.clock.now()
    with system.transaction() as s:
        case = s.get(CertificationCase, case_id)
        first = certificates.issue(s, case, now)
        unit = s.get(Unit, case.unit_id)
        assert (first.status, first.version, first.kind) == (VALID, 1, "annual")
        assert first.number == f"RDS-2025-{case.region_code}-{case.id:06d}-1"
        assert len(first.token) >= 32 and certificates.by_token(s, first.token) is first
        assert certificates.current(s, case) is first
        facts = first.facts
    assert facts["unit_name"] == unit.name and facts["credit_code"] == unit.credit_code
    assert facts["year"] == 2025 and facts["issuer"].endswith("残疾人联合会")
    assert facts["staff_count"] == unit.staff_last_year
    # 应安排人数 = ceil(staff × 1.5%) (辽宁: the national ratio)
    assert facts["quota_ratio"] == "0.015"
    assert facts["quota_persons"] == -(-unit.staff_last_year * 15 // 1000)
    wang, li = facts["people"]
    assert wang["certified_months"] == list(range(1, 13)) and wang["weight"] == 1
    assert wang["id_number"] == id_number(1)[:6] + "*****" + id_number(1)[11:]
    assert not wang["double_counted"]
    assert li["certified_months"] == [1, 2, 3, 7, 8] and li["weight"] == 2
    assert li["approved_months"] == 10
    assert li["double_counted"] and li["shared_months"] == [7, 8]
    assert facts["totals"] == {
        "people": 2, "confirmed_months": 17, "approved_months": 22, "actual_persons": "1.83",
        "double_counted": 1,
    }  # fmt: skip


def test_a_correction_supersedes_and_links(system, employer):
    case_id = _case_with_people(system, employer)
    now = system.runtime.clock.now()
    with system.transaction() as s:
        first = certificates.issue(s, s.get(CertificationCase, case_id), now)
        first_id = first.id
    later = now + timedelta(days=9)
    with system.transaction() as s:
        second = certificates.issue(s, s.get(CertificationCase, case_id), later)
        first = s.get(IssuedCertificate, first_id)
        assert (second.version, second.status) == (2, VALID)
        assert second.number.endswith("-2") and second.token != first.token
        assert second.facts["replaces"] == first.number
        assert first.status == SUPERSEDED and first.superseded_by_id == second.id
        assert first.status_reason == "已被更正后的认定书取代"
        assert first.status_changed_at is not None
        assert certificates.newer(s, first) is second
        assert certificates.current(s, s.get(CertificationCase, case_id)) is second
        public = certificates.public_facts(s, first)
    assert public["status"] == "superseded"
    assert public["superseded_by"] == {"number": second.number, "token": second.token}


def test_withdraw(system, employer):
    case_id = _case_with_people(system, employer)
    now = system.runtime.clock.now()
    with system.transaction() as s:
        case = s.get(CertificationCase, case_id)
        assert certificates.withdraw(s, case, now, "年审申报撤回") is None  # nothing issued yet
        issued = certificates.issue(s, case, now)
        withdrawn = certificates.withdraw(s, case, now + timedelta(days=2), "年审申报撤回")
        assert withdrawn is issued
        assert (issued.status, issued.status_reason) == (WITHDRAWN, "年审申报撤回")
        assert certificates.withdraw(s, case, now, "again") is None
        # declared again and released: a new version; the withdrawn one stays withdrawn
        again = certificates.issue(s, case, now + timedelta(days=5))
        assert (again.version, again.status, issued.status) == (2, VALID, WITHDRAWN)
        assert issued.superseded_by_id is None


def test_facts_do_not_follow_later_changes(system, employer):
    case_id = _case_with_people(system, employer)
    with system.transaction() as s:
        token = certificates.issue(s, s.get(CertificationCase, case_id), system.runtime.clock.now()).token
    with system.transaction() as s:
        case = s.get(CertificationCase, case_id)
        s.get(Unit, case.unit_id).name = "改名后的单位有限公司"
        for placement in s.query(Placement).filter_by(case_id=case_id):
            placement.name = "改名"
            placement.confirmed_months = 1
    with system.transaction() as s:
        facts = certificates.by_token(s, token).facts
    assert facts["unit_name"] != "改名后的单位有限公司"
    assert [p["name"] for p in facts["people"]] == ["王一", "李二"]
    assert facts["totals"]["confirmed_months"] == 17


def test_malformed_tokens_find_nothing(system):
    with system.transaction() as s:
        for token in ("", "x", "a" * 500, "有效证书" * 8, "abc\x00def" * 4, "../../etc/passwd", None):
            assert certificates.by_token(s, token) is None
