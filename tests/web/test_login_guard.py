"""Lockout that cannot be used as a weapon: per (login, address), the right password
still gets in, a login-wide spacing after many failures, and the holder is told."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from casework import accounts, login_guard
from tests.web.conftest import CAPTCHA, PASSWORD, csrf_from

NOTICE_RE = re.compile(
    r"最近有(\d+)次失败的登录尝试，最近一次来自 IP ([0-9.]+) 于 "
    r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}（北京时间）"
)


def page_login(client, login_name: str, password: str, address: str):
    environ = {"REMOTE_ADDR": address}
    token = csrf_from(client, "/login")
    client.get("/captcha.png", environ_base=environ)
    return client.post(
        "/login",
        data={"csrf_token": token, "login": login_name, "password": password, "captcha": CAPTCHA},
        environ_base=environ,
    )


def test_an_attacker_cannot_lock_the_unit_out(app, employer):
    attacker = app.test_client()
    for _ in range(6):
        page_login(attacker, employer["login"], "Guess12345", "203.0.113.66")
    assert "登录失败次数过多" in page_login(
        attacker, employer["login"], "Guess12345", "203.0.113.66"
    ).get_data(as_text=True)
    # the unit, from its own address, is not locked at all
    unit = app.test_client()
    assert page_login(unit, employer["login"], PASSWORD, "198.51.100.20").status_code == 302


def test_right_password_and_solved_captcha_pass_even_from_the_locked_pair(app, employer):
    client = app.test_client()
    for _ in range(5):
        page_login(client, employer["login"], "Guess12345", "198.51.100.20")
    with app.extensions["quotacert"].transaction() as session:
        now = app.extensions["quotacert"].runtime.clock.now()
        assert login_guard.pair_locked(session, employer["login"], "198.51.100.20", now)
    assert page_login(client, employer["login"], PASSWORD, "198.51.100.20").status_code == 302


def test_many_failures_from_everywhere_space_the_checks_out(db, employer):
    now = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)
    code = employer["login"]
    with db() as session:
        for i in range(login_guard.LOGIN_MAX_FAILURES):
            with pytest.raises(accounts.LoginFailed):
                accounts.authenticate(session, code, "Guess12345", now, ip=f"203.0.113.{i // 4}")
        # the next check within 10 seconds is refused unchecked, even the right password
        with pytest.raises(accounts.LoginFailed, match=r"请\d+秒后再试"):
            accounts.authenticate(session, code, PASSWORD, now + timedelta(seconds=3), ip="1.2.3.4")
        # once the spacing has passed, the right password gets in
        later = now + timedelta(seconds=login_guard.LOGIN_SPACING_SECONDS + 1)
        assert accounts.authenticate(session, code, PASSWORD, later, ip="1.2.3.4")
        # and the next guess right after is spaced out again
        with pytest.raises(accounts.LoginFailed, match="秒后再试"):
            accounts.authenticate(session, code, "Guess12345", later, ip="5.6.7.8")
        # after an hour without failures the spacing is gone
        quiet = later + timedelta(hours=1, minutes=1)
        with pytest.raises(accounts.LoginFailed, match="统一社会信用代码或密码错误"):
            accounts.authenticate(session, code, "Guess12345", quiet, ip="5.6.7.8")


def test_the_unit_is_told_about_failed_attempts_at_its_next_login(app, employer):
    attacker = app.test_client()
    for address in ("203.0.113.7", "203.0.113.7", "203.0.113.8"):
        page_login(attacker, employer["login"], "Guess12345", address)
    unit = app.test_client()
    response = page_login(unit, employer["login"], PASSWORD, "198.51.100.20")
    assert response.status_code == 302
    landing = unit.get(response.headers["Location"]).get_data(as_text=True)
    found = NOTICE_RE.search(landing)
    assert found, landing
    assert found.group(1) == "3" and found.group(2) == "203.0.113.8"
    # told once
    unit.post("/logout", data={"csrf_token": csrf_from(unit, "/notices")})
    again = page_login(unit, employer["login"], PASSWORD, "198.51.100.20")
    assert not NOTICE_RE.search(unit.get(again.headers["Location"]).get_data(as_text=True))


def test_api_login_reports_failed_attempts(app, employer):
    client = app.test_client(use_cookies=False)

    def attempt(password: str):
        captcha = client.get("/api/v1/auth/captcha").get_json()
        return client.post(
            "/api/v1/auth/login",
            json={
                "login": employer["login"],
                "password": password,
                "captcha_id": captcha["captcha_id"],
                "captcha": CAPTCHA,
            },
            environ_base={"REMOTE_ADDR": "203.0.113.9"},
        )

    assert attempt("Guess12345").status_code == 401
    body = attempt(PASSWORD).get_json()
    assert body["failed_attempts"]["count"] == 1
    assert body["failed_attempts"]["last_ip"] == "203.0.113.9"
    assert attempt(PASSWORD).get_json()["failed_attempts"] is None


def test_stale_rows_are_forgotten(db, employer):
    from sqlalchemy import select

    from casework.models import LoginGuard

    now = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)
    with db() as session:
        for address in ("203.0.113.1", "203.0.113.2"):
            with pytest.raises(accounts.LoginFailed):
                accounts.authenticate(session, employer["login"], "Guess12345", now, ip=address)
        assert len(session.scalars(select(LoginGuard)).all()) == 3  # two pairs, one login
        later = now + timedelta(hours=2)
        with pytest.raises(accounts.LoginFailed):
            accounts.authenticate(session, "91210302000000099X", "Guess12345", later, ip="1.1.1.1")
        keys = sorted(row.key for row in session.scalars(select(LoginGuard)))
    # the employer's login row stays: its holder has not been told yet
    assert keys == sorted(
        [
            "login:91210302000000099X",
            f"login:{employer['login']}",
            "pair:91210302000000099X|1.1.1.1",
        ]
    )
