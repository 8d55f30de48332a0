"""Timers on the settable engine clock, counted in Chinese working days; a year the
holiday calendar does not know yet gives a visible warning, never a crash."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from domain.workdays import HolidayTable
from engine.clock import CHINA_TZ
from engine.runtime import Runtime
from engine.script_engine import QuotaScriptEngine


def aware(dt):
    return None if dt is None else (dt if dt.tzinfo else dt.replace(tzinfo=UTC))


def _to_review(env) -> int:
    iid = env.start("engine_flow", data={"value": "x"})
    env.complete(iid, "fill", {"value": "x"})
    env.executor.run(env.jobs(iid)[0].task_id)
    return iid


def _set(env, when: datetime) -> None:
    with env.tx() as s:
        env.clock.set_now(s, when)


def test_ten_working_days_from_friday_26_september_2025(env):
    _set(env, datetime(2025, 9, 26, 10, 0, tzinfo=CHINA_TZ))
    iid = _to_review(env)
    due = aware(env.instance(iid).next_timer_at)
    expected = datetime(2025, 10, 16, 10, 0, tzinfo=CHINA_TZ)
    assert abs(due - expected) < timedelta(seconds=5), due.astimezone(CHINA_TZ)
    assert abs(aware(env.task(iid, "approve").due_at) - expected) < timedelta(seconds=5)

    # a minute before the deadline nothing fires ...
    _set(env, expected - timedelta(minutes=1))
    assert env.executor.due_timer_instances() == []
    assert env.executor.fire_timers() == 0
    with env.tx() as s:
        assert env.runtime.fire_due_timers(s, iid) is False
    assert [t.task_name for t in env.inbox(iid)] == ["approve"]

    # ... a minute after, the review escalates to the supervisor
    _set(env, expected + timedelta(minutes=1))
    assert env.executor.due_timer_instances() == [iid]
    assert env.executor.fire_timers() == 1
    assert [(t.task_name, t.role) for t in env.inbox(iid)] == [("escalated", "supervisor")]
    assert [e.kind for e in env.events(iid)] == ["start", "human", "service", "timer"]
    assert env.instance(iid).next_timer_at is None
    assert env.executor.fire_timers() == 0  # fired once only

    env.complete(iid, "escalated", {"ok": True}, actor="supervisor_anshan")
    assert env.instance(iid).status == "completed"


def test_the_clock_offset_is_shared_through_the_database(env):
    _set(env, datetime(2025, 9, 26, 10, 0, tzinfo=CHINA_TZ))
    from engine.clock import Clock

    other = Clock()
    with env.tx() as s:
        other.load(s)
    assert abs(other.now() - env.clock.now()) < timedelta(seconds=1)
    assert other.local_now().date() == date(2025, 9, 26)


def test_duration_timer_runs_on_the_engine_clock(env):
    iid = env.start("engine_parallel")
    for job in env.jobs(iid):
        env.executor.run(job.task_id)
    due = aware(env.instance(iid).next_timer_at)
    assert abs(due - (env.clock.now() + timedelta(hours=1))) < timedelta(seconds=5)
    with env.tx() as s:
        env.clock.advance(s, timedelta(minutes=59))
    assert env.executor.fire_timers() == 0
    with env.tx() as s:
        env.clock.advance(s, timedelta(minutes=2))
    assert env.executor.fire_timers() == 1
    assert [t.task_name for t in env.inbox(iid)] == ["handle_timeout"]


def test_a_deadline_crossing_into_2027_warns_and_falls_back_to_weekdays(env):
    _set(env, datetime(2026, 12, 24, 10, 0, tzinfo=CHINA_TZ))  # a Thursday
    iid = _to_review(env)

    assert env.instance(iid).status == "running"
    # Fri 25, Mon 28 – Thu 31 Dec 2026 (5), then 2027 counted Monday–Friday: Fri 1 Jan
    # (not known as a holiday yet), Mon 4 – Thu 7 Jan: the tenth working day is 7 Jan.
    expected = datetime(2027, 1, 7, 10, 0, tzinfo=CHINA_TZ)
    assert abs(aware(env.task(iid, "approve").due_at) - expected) < timedelta(seconds=5)
    warnings = env.events(iid, "warning")
    assert len(warnings) == 1
    assert "2027年节假日安排尚未维护" in warnings[0].title
    assert warnings[0].at is not None


def test_a_maintained_2027_holiday_table_is_used_without_warning(env):
    holidays = HolidayTable(years={2027}, holidays={date(2027, 1, 1)})
    engine = QuotaScriptEngine(env.clock, holidays)
    env.runtime = Runtime(env.registry, env.clock, engine)
    env.executor.runtime = env.runtime
    _set(env, datetime(2026, 12, 24, 10, 0, tzinfo=CHINA_TZ))
    iid = _to_review(env)
    expected = datetime(2027, 1, 8, 10, 0, tzinfo=CHINA_TZ)  # 1 Jan is a holiday now
    assert abs(aware(env.task(iid, "approve").due_at) - expected) < timedelta(seconds=5)
    assert env.events(iid, "warning") == []
