"""Accounts: creating users, checking passwords, changing them.

Employers log in with their 统一社会信用代码, staff with a user name. Passwords are argon2
hashes. Failed attempts are throttled per (login, source address) and per login by
`casework.login_guard` (see there why a per-account lock is not used: it let anyone lock
an employer out). Error messages never say whether the account exists or the password
was wrong.

`authenticate` updates the failure counters and then raises, so the caller commits the
session whether it succeeds or not (together with the audit entry for the attempt).
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2 import profiles as argon2_profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import audit, login_guard, tokens
from casework.models import Unit, User
from casework.models.account import ROLE_NAMES
from domain import regions
from domain.credit_code import parse_credit_code
from domain.errors import DomainError
from engine.db import as_utc
from engine.lanes import load_lanes

LOCK_MINUTES = login_guard.LOCK_MINUTES
BAD_CREDENTIALS = "统一社会信用代码或密码错误"
BAD_STAFF_CREDENTIALS = "用户名或密码错误"
LOCKED = f"登录失败次数过多，请{LOCK_MINUTES}分钟后再试；如确认密码无误，输入新的验证码后仍可登录"
THROTTLED = "该账号近期登录失败次数过多，请{seconds}秒后再试"
PASSWORD_RULE = "密码须为8至64位，且同时包含字母和数字"
STAFF_LOGIN_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,60}$")

FAST_HASH_ENV = "QUOTACERT_TEST_FAST_HASH"


def _password_hasher() -> PasswordHasher:
    """argon2id with argon2-cffi's default parameters (RFC 9106's low-memory profile):
    deliberately about a fifth of a second per hash. The test suite alone sets
    QUOTACERT_TEST_FAST_HASH=1 for argon2's cheapest profile, the way Django's docs advise
    a fast hasher for tests: the same code paths and hash format, without thousands of
    slow hashes in every run. A hash made either way verifies either way."""
    if os.environ.get(FAST_HASH_ENV) == "1":
        return PasswordHasher.from_parameters(argon2_profiles.CHEAPEST)
    return PasswordHasher()


_hasher = _password_hasher()
# Verified against when the login is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("quotacert-no-such-user")


class LoginFailed(DomainError):
    """Wrong login or password, or a locked account; the message is safe to show."""


def check_password_rule(password: str, field: str = "password") -> None:
    """New passwords: 8–64 characters with at least one letter and one digit."""
    text = password or ""
    if not 8 <= len(text) <= 64:
        raise DomainError(PASSWORD_RULE, field)
    if not re.search(r"[A-Za-z]", text) or not re.search(r"\d", text):
        raise DomainError(PASSWORD_RULE, field)
    if text != text.strip():
        raise DomainError("密码首尾不能包含空格", field)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _normalize_login(login: str) -> str:
    return (login or "").strip()


def find_user(session: Session, login: str) -> User | None:
    text = _normalize_login(login)
    if not text:
        return None
    user = session.scalar(select(User).where(User.login == text))
    if user is None and text.upper() != text:  # credit codes are stored upper-case
        user = session.scalar(select(User).where(User.login == text.upper()))
    return user


def create_user(
    session: Session,
    login: str,
    password: str,
    role: str,
    region_code: str,
    unit_id: int | None = None,
    display_name: str = "",
) -> User:
    """Add a user (the caller commits). Employers need a unit and log in with its code."""
    if role not in ROLE_NAMES and role not in load_lanes(session).roles.values():
        raise DomainError("角色不存在", "role")
    text = _normalize_login(login)
    if role == "employer":
        text = parse_credit_code(text, "login")
        unit = session.get(Unit, unit_id) if unit_id is not None else None
        if unit is None:
            raise DomainError("用人单位账号须关联单位", "unit_id")
        if unit.credit_code != text:
            raise DomainError("登录名须为所关联单位的统一社会信用代码", "login")
        region_code = region_code or unit.cdpf_region
    else:
        if not STAFF_LOGIN_RE.match(text):
            raise DomainError("用户名须为3至60位字母、数字或_.@-", "login")
        if unit_id is not None:
            raise DomainError("工作人员账号不关联单位", "unit_id")
    if region_code or role in ("employer", "reviewer", "supervisor", "process_owner", "window_clerk"):
        regions.validate_region(region_code, field="region_code")
    check_password_rule(password)
    if find_user(session, text) is not None:
        raise DomainError("该账号已存在", "login")
    user = User(
        login=text,
        password_hash=hash_password(password),
        role=role,
        region_code=region_code or "",
        unit_id=unit_id,
        display_name=(display_name or "").strip()[:100],
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def authenticate(
    session: Session,
    login: str,
    password: str,
    now: datetime,
    *,
    staff: bool | None = None,
    ip: str = "",
) -> User:
    """The user whose password matches, else LoginFailed (the caller commits either way).

    `staff` restricts the portal: True only staff accounts, False only employers, None
    either. The right password gets in even while this (login, address) pair is locked;
    only the login-wide spacing (many failures from everywhere) refuses a check outright.
    Every attempt leaves an audit entry ("login" or "login.failed" with the reason).
    """
    now = as_utc(now) or datetime.now(UTC)
    generic = BAD_STAFF_CREDENTIALS if staff else BAD_CREDENTIALS
    user = find_user(session, login)

    def fail(message: str, reason: str) -> LoginFailed:
        target = f"user:{user.id}" if user is not None else f"login:{_normalize_login(login)[:40]}"
        audit.record(session, user, "login.failed", target=target, detail={"reason": reason}, ip=ip)
        session.flush()
        return LoginFailed(message)

    wait = login_guard.wait_seconds(session, login, now)
    if wait:
        raise fail(THROTTLED.format(seconds=wait), "throttled")
    if user is None or not user.active or not password:
        _safe_verify(_DUMMY_HASH, password or "")
        reason = "unknown" if user is None else "inactive" if not user.active else "empty_password"
        locked = login_guard.record_failure(session, login, ip, now)
        raise fail(LOCKED if locked else generic, reason)
    if not _safe_verify(user.password_hash, password):
        locked = login_guard.record_failure(session, login, ip, now)
        raise fail(
            LOCKED if locked else generic, "bad_password_locked" if locked else "bad_password"
        )
    if staff is not None and user.is_staff != staff:
        raise fail(generic, "wrong_portal")  # right password, wrong portal: say nothing more
    login_guard.record_success(session, login, ip)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    audit.record(session, user, "login", target=f"user:{user.id}", ip=ip)
    session.flush()
    return user


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    now: datetime,
    *,
    ip: str = "",
) -> int:
    """Set a new password after checking the current one; every API token of the user
    ends (the web layer ends the other sessions). Returns how many tokens were revoked.

    Raises DomainError on the field at fault; nothing changes then.
    """
    if not current or not _safe_verify(user.password_hash, current):
        raise DomainError("当前密码不正确", "current_password")
    check_password_rule(new, "new_password")
    if _safe_verify(user.password_hash, new):
        raise DomainError("新密码不能与当前密码相同", "new_password")
    user.password_hash = hash_password(new)
    revoked = tokens.revoke_all(session, user, now, ip=ip)
    audit.record(
        session,
        user,
        "password.change",
        target=f"user:{user.id}",
        detail={"tokens_revoked": revoked},
        ip=ip,
    )
    session.flush()
    return revoked


def user_dict(session: Session, user: User) -> dict:
    """The account as plain values (API), with the unit's name for employers."""
    unit = session.get(Unit, user.unit_id) if user.unit_id is not None else None
    region = regions.find(user.region_code) if user.region_code else None
    return {
        "id": user.id,
        "login": user.login,
        "role": user.role,
        "role_name": user.role_name,
        "display_name": user.display_name,
        "region_code": user.region_code,
        "region_name": regions.full_name(region.code)
        if region
        else ("全国" if not user.region_code else ""),
        "unit_id": user.unit_id,
        "unit_name": unit.name if unit else "",
    }


def _safe_verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
