"""参数设置 on SQLite and PostgreSQL: a process owner's dated change is stored with who and
when (the engine clock), audited, and used by every calculation from its day on — not
before, even when the clock is moved there; wrong inputs are refused in Chinese with
nothing stored; only the province's own owner acts on it; another process (another
connection) sees a change at its next look-up."""

from __future__ import annotations

import threading
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from casework import province_params
from casework.models import AuditEntry, ProvinceParamEntry
from casework.scope import Forbidden, NotFound
from domain import params
from domain.declaration_period import declaration_period
from domain.errors import DomainError, FieldErrors
from domain.levy import rules_for
from domain.month_params import ShippedMonthParams
from engine.clock import CHINA_TZ, china_time
from engine.db import make_engine, make_session_factory, transaction


def add(system, user, **form):
    with system.transaction() as session:
        return province_params.add_change(
            session, user, form, today=system.today(), now=system.runtime.clock.now(), ip="10.0.0.1"
        )


def move_to(system, day: date) -> None:
    clock = system.runtime.clock
    with system.transaction() as session:
        clock.advance(session, datetime(day.year, day.month, day.day, 9, 0, tzinfo=CHINA_TZ) - clock.now())


def counts(system) -> tuple[int, int]:
    with system.transaction() as session:
        return (session.scalar(select(func.count(ProvinceParamEntry.id))),
                session.scalar(select(func.count(AuditEntry.id))))


def audit(system) -> list[tuple[str, str, str]]:
    with system.transaction() as session:
        rows = session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.target, e.actor) for e in rows if "参数" in e.action]


def test_a_future_change_is_stored_and_applies_on_its_day(system, staff):
    owner = staff("owner_zhejiang")
    assert system.today() == date(2026, 4, 15)
    entry = add(system, owner, field="declaration_window", start="03-01", end="11-30",
                concentrated_start="04-01", concentrated_end="06-30", valid_from="2026-05-01",
                note="浙残联发〔2026〕1号")
    add(system, owner, field="quota_ratio", value="1.8", valid_from="2026-05-01")
    with system.transaction() as session:
        stored = session.get(ProvinceParamEntry, entry.id)
        assert (stored.province, stored.field, stored.kind) == ("330000", "declaration_window", "set")
        assert stored.value == {"start": "03-01", "end": "11-30", "concentrated_start": "04-01",
                                "concentrated_end": "06-30"}
        assert stored.valid_from == date(2026, 5, 1) and stored.valid_to is None
        assert china_time(stored.created_at).strftime("%Y-%m-%d %H:%M") == "2026-04-15 10:00"  # engine clock
        assert "owner_zhejiang" in stored.created_by and stored.user_id == owner.id
    assert audit(system) == [
        ("修改省级参数", "declaration_window@330000", "浙江省残联 流程管理员"),
        ("修改省级参数", "quota_ratio@330000", "浙江省残联 流程管理员"),
    ]

    # before its day: the province file's window, the national ratio
    assert declaration_period("330106", 2025, system.today()).end == date(2026, 12, 31)
    assert params.params_for("330106", system.today()).quota_ratio == Decimal("0.015")
    move_to(system, date(2026, 4, 30))
    assert declaration_period("330106", 2025, system.today()).end == date(2026, 12, 31)
    # on its day, by the engine clock
    move_to(system, date(2026, 5, 1))
    assert system.today() == date(2026, 5, 1)
    assert declaration_period("330106", 2025, system.today()).end == date(2026, 11, 30)
    # the levy of each year takes the ratio in force at that year's end
    assert rules_for(2026, "330106").quota_ratio == Decimal("0.018")
    assert rules_for(2025, "330106").quota_ratio == Decimal("0.015")
    assert rules_for(2026, "210302").quota_ratio == Decimal("0.015"), "another province is untouched"


def test_a_minimum_wage_per_region_reaches_the_month_checks(system, staff):
    owner = staff("owner_zhejiang")
    add(system, owner, field="minimum_wage", region="330127", value="2400", valid_from="2026-06-01")
    checks = ShippedMonthParams()
    assert checks.minimum_wage("330127", 2026, 5) == 2260.0  # 淳安县, the file's figure
    assert checks.minimum_wage("330127", 2026, 6) == 2400.0
    assert checks.minimum_wage("330106", 2026, 6) == 2490.0  # 西湖区 keeps 杭州's figure
    add(system, owner, field="social_average_wage", region="330100", year="2025", value="145000",
        valid_from="2026-04-15", note="杭州市统计局公布")
    assert params.social_average_wage("330106", 2025, system.today()) == 145000.0
    with pytest.raises(DomainError, match="未维护浙江省杭州市西湖区2025年的社会平均工资"):
        params.social_average_wage("330106", 2025, date(2026, 4, 14))


BAD = [
    ({"field": "quota_ratio", "value": "abc", "valid_from": "2026-05-01"}, {"value": "请填写百分比数字"}),
    ({"field": "quota_ratio", "value": "150", "valid_from": "2026-05-01"}, {"value": "须大于0且小于100"}),
    ({"field": "quota_ratio", "value": "1.2", "valid_from": "2026-05-01"}, {"value": "不得低于1.5%"}),
    ({"field": "quota_ratio", "value": "1.5", "valid_from": "2026-04-14"}, {"valid_from": "不能早于今天"}),
    ({"field": "quota_ratio", "value": "1.6", "valid_from": "下周"}, {"valid_from": "格式应为年-月-日"}),
    ({"field": "quota_ratio", "value": "1.6"}, {"valid_from": "请填写生效日期"}),
    ({"field": "quota_ratio", "value": "1.6", "valid_from": "2026-06-01", "valid_to": "2026-05-01"},
     {"valid_to": "不能早于生效日期"}),
    ({"field": "quota_ratio", "value": "1.6", "valid_from": "2026-06-01", "note": "长" * 201}, {"note": "不能超过200字"}),
    ({"field": "quota_ratio", "value": "1.6", "valid_from": "2026-06-01", "note": "a\x00b"}, {"note": "控制字符"}),
    ({"field": "quota_ratio", "value": "1.5", "valid_from": "2026-06-01"}, {"value": "与该日起适用的值相同"}),
    ({"field": "upload_limit_mb", "value": "500", "valid_from": "2026-05-01"}, {"value": "不能超过100"}),
    ({"field": "upload_limit_mb", "value": "-3", "valid_from": "2026-05-01"}, {"value": "请填写正整数"}),
    ({"field": "declaration_window", "start": "3月1日", "end": "02-30", "valid_from": "2026-05-01"},
     {"start": "请按“月-日”填写", "end": "不是有效的月份和日期"}),
    ({"field": "declaration_window", "start": "05-01", "end": "03-01", "valid_from": "2026-05-01"},
     {"end": "申报期结束早于开始"}),
    ({"field": "declaration_window", "start": "03-01", "end": "12-31", "concentrated_start": "04-01",
      "valid_from": "2026-05-01"}, {"concentrated_end": "须同时填写开始和结束"}),
    ({"field": "time_limits", "window_acceptance": "3", "manual_review": "x", "feedback": "7",
      "send_to_tax": "999", "certificate_download_after": "", "valid_from": "2026-05-01"},
     {"manual_review": "请填写工作日天数", "send_to_tax": "不能超过250个工作日",
      "certificate_download_after": "请填写工作日天数"}),
    ({"field": "withdrawal_needs_supervisor", "value": "maybe", "valid_from": "2026-05-01"}, {"value": "请选择"}),
    ({"field": "female_retirement_track", "value": "teacher", "valid_from": "2026-05-01"}, {"value": "请选择一项"}),
    ({"field": "minimum_wage", "region": "210300", "value": "2000", "valid_from": "2026-05-01"},
     {"region": "请选择本省"}),
    ({"field": "minimum_wage", "region": "330100", "value": "0", "valid_from": "2026-05-01"}, {"value": "须为正数"}),
    ({"field": "minimum_wage", "region": "330100", "value": "99999999", "valid_from": "2026-05-01"},
     {"value": "金额过大"}),
    ({"field": "social_average_wage", "region": "330100", "year": "2030", "value": "1", "valid_from": "2026-05-01"},
     {"year": "2000年至2026年"}),
    ({"field": "levy_rule", "value": "{}", "valid_from": "2026-05-01"}, {"field": "由国家统一规定"}),
    ({"field": "wage_cap_multiple", "value": "3", "valid_from": "2026-05-01"}, {"field": "由国家统一规定"}),
    ({"field": "<script>", "value": "1"}, {"field": "请选择要修改的参数"}),
    ({}, {"field": "请选择要修改的参数"}),
]


def test_wrong_inputs_are_refused_in_chinese_and_nothing_is_stored(system, staff):
    """One system for all the cases (building one per case would cost minutes)."""
    owner = staff("owner_zhejiang")
    before = counts(system)
    wrong = []
    for form, expected in BAD:
        try:
            add(system, owner, **form)
        except FieldErrors as exc:
            wrong += [(form, name, exc.errors) for name, fragment in expected.items()
                      if fragment not in exc.errors.get(name, "")]
        else:
            wrong.append((form, "accepted", {}))
    assert wrong == []
    assert counts(system) == before


def test_a_change_from_today_is_allowed_and_in_force_at_once(system, staff):
    owner = staff("owner_nmg")
    add(system, owner, field="withdrawal_needs_supervisor", value="0", valid_from="2026-04-15")
    assert params.params_for("150100", system.today()).withdrawal_needs_supervisor is False
    assert params.params_for("150100", date(2026, 4, 14)).withdrawal_needs_supervisor is True


def test_only_the_province_owner_acts(system, staff):
    zhejiang, nmg = staff("owner_zhejiang"), staff("owner_nmg")
    entry = add(system, zhejiang, field="upload_limit_mb", value="20", valid_from="2026-06-01")
    with pytest.raises(Forbidden):
        add(system, staff("supervisor_zhejiang"), field="upload_limit_mb", value="30", valid_from="2026-06-01")
    with system.transaction() as session, pytest.raises(NotFound):
        province_params.cancel_change(session, nmg, entry.id, today=system.today(), now=system.runtime.clock.now())
    with system.transaction() as session, pytest.raises(Forbidden):
        province_params.confirm_figures(session, nmg, "minimum_wage", "330100", now=system.runtime.clock.now())
    assert params.params_for("330106", date(2026, 6, 1)).upload_limit_mb == 20
    assert params.params_for("150100", date(2026, 6, 1)).upload_limit_mb == 100


def test_a_pending_change_can_be_withdrawn_one_in_force_cannot(system, staff):
    owner = staff("owner_zhejiang")
    pending = add(system, owner, field="reward_base", value="7000", valid_from="2026-06-01")
    in_force = add(system, owner, field="reward_coefficient", value="2", valid_from="2026-04-15")
    assert params.params_for("330106", date(2026, 12, 31)).reward_base == Decimal("7000")

    def cancel(entry_id: int):
        with system.transaction() as session:
            return province_params.cancel_change(
                session, owner, entry_id, today=system.today(), now=system.runtime.clock.now()
            )

    cancel(pending.id)
    assert params.params_for("330106", date(2026, 12, 31)).reward_base == Decimal("6600")
    with pytest.raises(DomainError, match="已撤销"):
        cancel(pending.id)
    with pytest.raises(DomainError, match="已生效，不能撤销"):
        cancel(in_force.id)
    for bad in (0, -1, 2**40, 10**6):
        with pytest.raises(NotFound):
            cancel(bad)
    assert [a for a, _, _ in audit(system)] == ["修改省级参数", "修改省级参数", "撤销省级参数修改"]


def test_demo_wage_figures_are_confirmed_once_per_region(system, staff):
    owner = staff("owner_zhejiang")
    with system.transaction() as session:
        assert not province_params.is_confirmed(province_params.confirmations(session, "330000"), "minimum_wage", "330100")
        province_params.confirm_figures(session, owner, "minimum_wage", "330100", now=system.runtime.clock.now())
    with system.transaction() as session:
        confirmed = province_params.confirmations(session, "330000")
        assert province_params.is_confirmed(confirmed, "minimum_wage", "330100")
        assert not province_params.is_confirmed(confirmed, "social_average_wage", "330100")
        assert confirmed[("minimum_wage", "330100")] == [["2021-08-01", None, "2280"], ["2025-01-01", None, "2490"]]
    with system.transaction() as session, pytest.raises(DomainError, match="已核实"):
        province_params.confirm_figures(session, owner, "minimum_wage", "330100", now=system.runtime.clock.now())
    with system.transaction() as session, pytest.raises(DomainError, match="没有待核实"):
        province_params.confirm_figures(session, owner, "minimum_wage", "330106", now=system.runtime.clock.now())
    with system.transaction() as session, pytest.raises(NotFound):
        province_params.confirm_figures(session, owner, "quota_ratio", "330100", now=system.runtime.clock.now())
    assert audit(system) == [("核实省级参数", "minimum_wage@330100", "浙江省残联 流程管理员")]
    assert params.minimum_wage("330106", 2026, 1) == 2490.0, "a confirmation changes no figure"


def test_another_process_sees_a_change_at_its_next_look_up(system, staff, database_url):
    """A worker has its own engine and its own cached store: no restart, no message."""
    worker = province_params.DatabaseChanges(make_engine(database_url))
    params.use_changes(worker)
    try:
        on = date(2026, 12, 31)
        assert params.params_for("330106", on).reward_base == Decimal("6600")
        cached = params.current_store()
        assert params.current_store() is cached, "nothing changed: the store is reused"
        add(system, staff("owner_zhejiang"), field="reward_base", value="8800", valid_from="2026-05-01")
        assert params.params_for("330106", on).reward_base == Decimal("8800")
        assert params.current_store() is not cached
        with system.transaction() as session:  # a look-up inside an open write transaction
            session.add(ProvinceParamEntry(province="330000", kind="confirm", field="minimum_wage", region="330000",
                                           note="", created_by="t", created_at=system.runtime.clock.now()))
            session.flush()
            assert params.params_for("330106", on).reward_base == Decimal("8800")
    finally:
        worker.close()
        params.use_changes(system.param_changes)


def largest_id_asked(source: province_params.DatabaseChanges) -> list[str]:
    """The `max(id)` queries `source` sends from this thread, as they are sent."""
    asked: list[str] = []
    me = threading.get_ident()

    def count(_conn, _cursor, statement, *_args) -> None:
        if "max(" in statement.lower() and threading.get_ident() == me:
            asked.append(statement)

    event.listen(source._engine, "before_cursor_execute", count)
    return asked


def test_one_transaction_asks_the_largest_change_id_once(system, staff, database_url):
    """A month check or a levy looks parameters up many times in one transaction: the
    database is asked whether they moved once, not at every look-up; a change committed
    by another process is seen by the next transaction, without a restart."""
    assert system.param_changes is not None
    asked = largest_id_asked(system.param_changes)
    on = date(2026, 12, 31)
    params.params_for("330106", on)
    params.params_for("330106", on)
    assert len(asked) == 2, "outside any transaction every look-up asks"

    asked.clear()
    with system.transaction() as session:
        session.scalar(select(func.count(ProvinceParamEntry.id)))  # the transaction has begun
        for month in range(1, 13):
            assert params.params_for("330106", date(2026, month, 1)).reward_base == Decimal("6600")
            params.minimum_wage("330106", 2026, month)
        assert len(asked) == 1

    # another process (its own engine, its own thread) commits a change
    other = make_engine(database_url)
    done: list[object] = []

    def other_process() -> None:
        with transaction(make_session_factory(other)) as theirs:
            done.append(province_params.add_change(
                theirs, staff("owner_zhejiang"), {"field": "reward_base", "value": "8800",
                                                  "valid_from": "2026-05-01"},
                today=system.today(), now=system.runtime.clock.now()))

    worker = threading.Thread(target=other_process)
    worker.start()
    worker.join(60)
    other.dispose()
    assert done, "the other process stored its change"

    asked.clear()
    with system.transaction() as session:
        session.scalar(select(func.count(ProvinceParamEntry.id)))
        assert params.params_for("330106", on).reward_base == Decimal("8800")
        assert params.params_for("330106", on).reward_base == Decimal("8800")
        assert len(asked) == 1


def test_a_commit_in_this_thread_is_seen_by_the_next_look_up(system, staff, database_url):
    """The owner's own save is seen at once by the look-ups that follow it, even in a
    session that had already asked; on PostgreSQL, so is a commit of another session of
    the same thread made while a transaction is open (SQLite lets no second writer in)."""
    owner = staff("owner_zhejiang")
    on = date(2026, 12, 31)
    with system.transaction() as session:
        session.scalar(select(func.count(ProvinceParamEntry.id)))
        assert params.params_for("330106", on).reward_base == Decimal("6600")
        province_params.add_change(session, owner, {"field": "reward_base", "value": "7700",
                                                    "valid_from": "2026-05-01"},
                                   today=system.today(), now=system.runtime.clock.now())
        session.commit()
        assert params.params_for("330106", on).reward_base == Decimal("7700")
        session.scalar(select(func.count(ProvinceParamEntry.id)))  # the session's next transaction
        assert params.params_for("330106", on).reward_base == Decimal("7700")
        if not database_url.startswith("sqlite"):
            add(system, owner, field="reward_base", value="9900", valid_from="2026-06-01")
            assert params.params_for("330106", on).reward_base == Decimal("9900")
