"""Throttling password guesses without handing anyone a way to lock a unit out.

Employer logins are public credit codes, so a per-account lock after 5 wrong passwords
let anyone shut any employer out. Instead:

- failures are counted per (login, source address): 5 within 15 minutes lock that pair
  for 15 minutes. A locked pair is told so on a wrong password, but the right password
  (with a freshly solved captcha, which every attempt needs) still gets in: the lock
  costs the account's holder nothing, wherever they sign in from.
- what limits online guessing, then: every attempt needs a newly solved, one-use
  captcha; each source address may try 10 times a minute (the web layer's rate limit);
  and failures per login from all sources are counted too: past
  `LOGIN_MAX_FAILURES` within an hour, that login gets at most one password check every
  `LOGIN_SPACING_SECONDS` seconds from anywhere (a check refused for spacing is not
  counted and says how long to wait). At most 360 guesses an hour then reach any one
  account, each behind a solved captcha, while its holder waits seconds, not minutes.
- the account's holder is told at the next successful login how many failures there
  were and the last source (`take_notice`).

Times come from the caller (the engine clock). The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.models import LoginGuard
from engine.db import as_utc

PAIR_MAX_FAILURES = 5
PAIR_WINDOW = timedelta(minutes=15)
LOCK_MINUTES = 15
LOGIN_MAX_FAILURES = 20
LOGIN_WINDOW = timedelta(hours=1)
LOGIN_SPACING_SECONDS = 10


@dataclass(frozen=True)
class Notice:
    """Failed attempts the account's holder has not been told about."""

    count: int
    last_ip: str
    last_at: datetime


def _norm(login: str) -> str:
    return (login or "").strip().upper()[:60]


def login_key(login: str) -> str:
    return f"login:{_norm(login)}"


def pair_key(login: str, ip: str) -> str:
    return f"pair:{_norm(login)}|{(ip or '')[:45]}"


def _row(session: Session, key: str, now: datetime) -> LoginGuard:
    """The row for `key`, created if missing (locked against concurrent updates)."""
    row = session.get(LoginGuard, key, with_for_update=True)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = LoginGuard(
                key=key, failures=0, window_start=now, unseen_failures=0, last_failure_ip=""
            )
            session.add(row)
    except IntegrityError:  # another process created it first
        row = session.get(LoginGuard, key, with_for_update=True, populate_existing=True)
    return row


def _roll_window(row: LoginGuard, now: datetime, window: timedelta) -> None:
    if now - as_utc(row.window_start) > window:
        row.failures = 0
        row.window_start = now


def wait_seconds(session: Session, login: str, now: datetime) -> int:
    """Seconds to wait before this login's password may be checked again (0: go ahead).

    Only non-zero once the login has had many failures from all sources; a check that
    goes ahead is stamped, so checks for that login are spaced out from then on.
    """
    row = session.get(LoginGuard, login_key(login), with_for_update=True)
    if row is None:
        return 0
    _roll_window(row, now, LOGIN_WINDOW)
    if row.failures >= LOGIN_MAX_FAILURES:
        last = as_utc(row.last_check_at)
        if last is not None:
            remaining = LOGIN_SPACING_SECONDS - (now - last).total_seconds()
            if remaining > 0:
                return int(remaining) + 1
    row.last_check_at = now
    return 0


def pair_locked(session: Session, login: str, ip: str, now: datetime) -> bool:
    row = session.get(LoginGuard, pair_key(login, ip))
    until = as_utc(row.locked_until) if row is not None else None
    return until is not None and until > now


def prune(session: Session, now: datetime) -> None:
    """Forget rows that no longer hold anything: pairs past their window and lock, logins
    past their window with nothing left to tell."""
    stale_pair = and_(
        LoginGuard.key.startswith("pair:"),
        LoginGuard.window_start < now - PAIR_WINDOW,
        or_(LoginGuard.locked_until.is_(None), LoginGuard.locked_until < now),
    )
    stale_login = and_(
        LoginGuard.key.startswith("login:"),
        LoginGuard.window_start < now - LOGIN_WINDOW,
        LoginGuard.unseen_failures == 0,
    )
    session.execute(delete(LoginGuard).where(or_(stale_pair, stale_login)))


def record_failure(session: Session, login: str, ip: str, now: datetime) -> bool:
    """Count one wrong password; True when the pair is (now) locked."""
    prune(session, now)
    pair = _row(session, pair_key(login, ip), now)
    _roll_window(pair, now, PAIR_WINDOW)
    pair.failures += 1
    pair.last_failure_at, pair.last_failure_ip = now, (ip or "")[:45]
    if pair.failures >= PAIR_MAX_FAILURES:
        pair.failures = 0
        pair.window_start = now
        pair.locked_until = now + timedelta(minutes=LOCK_MINUTES)
    whole = _row(session, login_key(login), now)
    _roll_window(whole, now, LOGIN_WINDOW)
    whole.failures += 1
    whole.unseen_failures += 1
    whole.last_failure_at, whole.last_failure_ip = now, (ip or "")[:45]
    session.flush()
    until = as_utc(pair.locked_until)
    return until is not None and until > now


def record_success(session: Session, login: str, ip: str) -> None:
    """The right password from this source: its pair starts afresh (the login-wide count
    stays, someone else may still be guessing)."""
    session.execute(delete(LoginGuard).where(LoginGuard.key == pair_key(login, ip)))


def take_notice(session: Session, login: str) -> Notice | None:
    """The failures since the holder was last told, once (the count is then cleared)."""
    row = session.get(LoginGuard, login_key(login), with_for_update=True)
    if row is None or not row.unseen_failures or row.last_failure_at is None:
        return None
    notice = Notice(row.unseen_failures, row.last_failure_ip, as_utc(row.last_failure_at))
    row.unseen_failures = 0
    return notice
