"""法人登录 / 工作人员登录: captcha, lockout, rate limit, CSRF, audit; API sign-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from casework import accounts, login_guard
from casework import captcha as captcha_service
from casework.models import AuditEntry, LoginGuard
from domain.errors import DomainError
from tests.web.conftest import CAPTCHA, PASSWORD, api_token, csrf_from, login


def audit_actions(db) -> list[str]:
    with db() as session:
        return [e.action for e in session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def test_login_page_is_chinese_with_both_tabs(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert "法人登录" in page and "工作人员登录" in page
    assert "统一社会信用代码" in page and "验证码" in page
    assert 'name="csrf-token"' in page
    staff_page = client.get("/login?tab=staff").get_data(as_text=True)
    assert "用户名" in staff_page


def test_employer_login_success_lands_on_home_and_is_audited(client, employer, db):
    response = login(client, employer["login"])
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/")
    assert "login" in audit_actions(db)
    with client.session_transaction() as sess:
        assert "_user_id" in sess


def test_staff_login_lands_on_inbox(client, staff):
    response = login(client, staff["anshan"], staff=True)
    assert response.status_code == 302
    assert "review" in response.headers["Location"] or "inbox" in response.headers["Location"]


def test_wrong_password_and_unknown_account_say_the_same(client, employer, db):
    wrong = login(client, employer["login"], "Wrong12345")
    unknown = login(client, "91210302000000099X", "Wrong12345")
    for response in (wrong, unknown):
        assert response.status_code == 400
        assert "统一社会信用代码或密码错误" in response.get_data(as_text=True)
    assert audit_actions(db).count("login.failed") == 2


def test_employer_cannot_use_staff_portal(client, employer):
    response = login(client, employer["login"], staff=True)
    assert response.status_code == 400
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_five_failures_lock_the_pair_but_not_the_right_password(client, employer, db):
    for _ in range(4):
        assert "统一社会信用代码或密码错误" in login(
            client, employer["login"], "Wrong12345"
        ).get_data(as_text=True)
    fifth = login(client, employer["login"], "Wrong12345").get_data(as_text=True)
    assert "登录失败次数过多，请15分钟后再试" in fifth
    sixth = login(client, employer["login"], "Wrong12345")
    assert sixth.status_code == 400 and "登录失败次数过多" in sixth.get_data(as_text=True)
    # the holder of the right password gets in with a solved captcha, lock or not
    assert login(client, employer["login"], PASSWORD).status_code == 302


def test_lock_is_per_login_and_address_service_level(db, employer):
    now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    code = employer["login"]
    with db() as session:
        for _ in range(4):
            with pytest.raises(accounts.LoginFailed, match="统一社会信用代码或密码错误"):
                accounts.authenticate(session, code, "nope-1234", now, ip="203.0.113.9")
        with pytest.raises(accounts.LoginFailed, match="15分钟"):
            accounts.authenticate(session, code, "nope-1234", now, ip="203.0.113.9")
        assert login_guard.pair_locked(session, code, "203.0.113.9", now)
        # the same login from another address is not locked
        assert not login_guard.pair_locked(session, code, "198.51.100.7", now)
        with pytest.raises(accounts.LoginFailed, match="统一社会信用代码或密码错误"):
            accounts.authenticate(session, code, "nope-1234", now, ip="198.51.100.7")
        # the right password passes from the locked pair, and clears it
        assert accounts.authenticate(session, code, PASSWORD, now, ip="203.0.113.9")
        assert not login_guard.pair_locked(session, code, "203.0.113.9", now)
        later = now + timedelta(minutes=16)
        with pytest.raises(accounts.LoginFailed, match="统一社会信用代码或密码错误"):
            accounts.authenticate(session, code, "nope-1234", later, ip="203.0.113.9")


def test_wrong_captcha_is_refused_without_counting_a_failure(client, employer, db):
    response = login(client, employer["login"], captcha="ZZZZ")
    assert response.status_code == 400
    assert "验证码错误" in response.get_data(as_text=True)
    with db() as session:
        assert session.scalars(select(LoginGuard)).all() == []


def test_captcha_is_case_insensitive(client, employer):
    assert login(client, employer["login"], captcha=CAPTCHA.lower()).status_code == 302


def test_captcha_is_used_up_by_one_check(client, employer):
    token = csrf_from(client, "/login")
    client.get("/captcha.png")
    data = {
        "csrf_token": token,
        "login": employer["login"],
        "password": "Wrong12345",
        "captcha": CAPTCHA,
    }
    assert "统一社会信用代码或密码错误" in client.post("/login", data=data).get_data(as_text=True)
    # the same answer again without loading a new image
    again = client.post("/login", data={**data, "password": PASSWORD})
    assert again.status_code == 400
    assert "验证码已失效" in again.get_data(as_text=True)


def test_expired_captcha(client, employer):
    token = csrf_from(client, "/login")
    client.get("/captcha.png")
    with client.session_transaction() as sess:
        aged = dict(sess["captcha"])
        aged["t"] -= captcha_service.TTL_SECONDS + 5
        sess["captcha"] = aged
    response = client.post(
        "/login",
        data={
            "csrf_token": token,
            "login": employer["login"],
            "password": PASSWORD,
            "captcha": CAPTCHA,
        },
    )
    assert response.status_code == 400
    assert "验证码已过期" in response.get_data(as_text=True)


def test_captcha_answer_never_reaches_the_client(client):
    client.get("/captcha.png")
    with client.session_transaction() as sess:
        stored = dict(sess["captcha"])
    # only the random nonce, the time and the HMAC: no field is the answer (a substring
    # check of the whole dict failed whenever the random nonce happened to contain it)
    assert set(stored) == {"n", "h", "t"}
    assert all(str(value).upper() != CAPTCHA for value in stored.values())


def test_default_captcha_text_is_random_from_unambiguous_alphabet():
    texts = {captcha_service.random_text() for _ in range(20)}
    assert len(texts) > 1
    for text in texts:
        assert len(text) == 4 and set(text) <= set(captcha_service.ALPHABET)
        assert not set(text) & set("0O1IL")


def test_csrf_missing_on_login_form_is_a_friendly_400(client, employer):
    client.get("/captcha.png")
    response = client.post(
        "/login", data={"login": employer["login"], "password": PASSWORD, "captcha": CAPTCHA}
    )
    assert response.status_code == 400
    assert "页面已过期，请刷新后重试" in response.get_data(as_text=True)


def test_login_is_rate_limited_per_address(client, employer):
    statuses = []
    for _ in range(11):
        statuses.append(login(client, employer["login"], "Wrong12345").status_code)
    assert statuses[:10] == [400] * 10
    assert statuses[10] == 429
    page = login(client, employer["login"]).get_data(as_text=True)
    assert "操作过于频繁" in page
    # another address is not affected
    other = client.post("/login", environ_base={"REMOTE_ADDR": "10.1.2.3"}, data={})
    assert other.status_code == 400  # CSRF, not 429


def test_safe_next_only(client, employer):
    token = csrf_from(client, "/login")
    client.get("/captcha.png")
    evil = client.post(
        "/login?next=//evil.example/x",
        data={
            "csrf_token": token,
            "login": employer["login"],
            "password": PASSWORD,
            "captcha": CAPTCHA,
        },
    )
    assert evil.headers["Location"] == "/"
    client.post("/logout", data={"csrf_token": csrf_from(client, "/notices")})
    token = csrf_from(client, "/login")
    client.get("/captcha.png")
    good = client.post(
        "/login?next=/notices",
        data={
            "csrf_token": token,
            "login": employer["login"],
            "password": PASSWORD,
            "captcha": CAPTCHA,
        },
    )
    assert good.headers["Location"] == "/notices"


def test_logout_is_post_and_audited(client, employer, db):
    login(client, employer["login"])
    assert client.get("/logout").status_code == 405
    token = csrf_from(client, "/notices")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert "logout" in audit_actions(db)
    assert client.get("/notices").status_code == 302  # back to the login page


def test_pages_require_login(client):
    response = client.get("/unit")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_header_shows_unit_name_and_employer_nav(client, employer):
    login(client, employer["login"])
    page = client.get("/notices").get_data(as_text=True)
    assert "鞍山示范科技有限公司" in page
    for item in ("首页", "残疾人安置管理", "单位信息维护管理", "残保金计算器", "通知公告", "退出"):
        assert item in page
    assert "残疾人按比例就业业务网报系统" in page


def test_staff_header(client, staff):
    login(client, staff["anshan"], staff=True)
    page = client.get("/notices").get_data(as_text=True)
    assert "按比例联网认证申办系统" in page
    assert "鞍山审核员" in page and "残联业务人员" in page
    assert "待办任务" in page and "单位信息维护管理" not in page


# --- accounts service --------------------------------------------------------------------


def test_create_user_rules(db, employer):
    with db() as session:
        with pytest.raises(DomainError, match="密码须为8至64位"):
            accounts.create_user(session, "new_staff", "short1", "reviewer", "210300")
        with pytest.raises(DomainError, match="密码须为8至64位"):
            accounts.create_user(session, "new_staff", "lettersonly", "reviewer", "210300")
        with pytest.raises(DomainError, match="角色不存在"):
            accounts.create_user(session, "new_staff", PASSWORD, "boss", "210300")
        with pytest.raises(DomainError, match="已存在"):
            accounts.create_user(
                session, employer["login"], PASSWORD, "employer", "", employer["unit_id"]
            )
        with pytest.raises(DomainError, match="行政区划"):
            accounts.create_user(session, "new_staff", PASSWORD, "reviewer", "999999")
        user = accounts.create_user(session, "new_staff", PASSWORD, "reviewer", "210300")
        assert user.password_hash.startswith("$argon2")
        assert PASSWORD not in user.password_hash


# --- API ---------------------------------------------------------------------------------


def test_api_captcha_and_login(app, employer):
    client = app.test_client(use_cookies=False)
    body = client.get("/api/v1/auth/captcha").get_json()
    assert body["image"].startswith("data:image/png;base64,")
    assert CAPTCHA not in body["captcha_id"]
    response = client.post(
        "/api/v1/auth/login",
        json={
            "login": employer["login"],
            "password": PASSWORD,
            "captcha_id": body["captcha_id"],
            "captcha": "ab12",
        },
    )
    assert response.status_code == 200
    data = response.get_json()
    assert (
        data["user"]["role"] == "employer" and data["user"]["unit_name"] == "鞍山示范科技有限公司"
    )
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {data['token']}"})
    assert me.status_code == 200 and me.get_json()["login"] == employer["login"]
    # the same captcha_id cannot be used twice
    again = client.post(
        "/api/v1/auth/login",
        json={
            "login": employer["login"],
            "password": PASSWORD,
            "captcha_id": body["captcha_id"],
            "captcha": CAPTCHA,
        },
    )
    assert again.status_code == 400
    assert "captcha" in again.get_json()["fields"]


def test_api_login_failures(app, employer):
    client = app.test_client(use_cookies=False)

    def attempt(**overrides):
        captcha = client.get("/api/v1/auth/captcha").get_json()
        body = {
            "login": employer["login"],
            "password": PASSWORD,
            "captcha_id": captcha["captcha_id"],
            "captcha": CAPTCHA,
        }
        body.update(overrides)
        return client.post("/api/v1/auth/login", json=body)

    wrong_captcha = attempt(captcha="XXXX")
    assert (
        wrong_captcha.status_code == 400
        and wrong_captcha.get_json()["fields"]["captcha"] == "验证码错误"
    )
    bad_password = attempt(password="Wrong12345")
    assert (
        bad_password.status_code == 401
        and bad_password.get_json()["error"] == "统一社会信用代码或密码错误"
    )
    forged = attempt(captcha_id="not-a-signed-id")
    assert forged.status_code == 400
    # expired: the engine clock moves past the lifetime between fetching and answering
    captcha = client.get("/api/v1/auth/captcha").get_json()
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.runtime.clock.advance(session, timedelta(seconds=captcha_service.TTL_SECONDS + 10))
    expired = client.post(
        "/api/v1/auth/login",
        json={
            "login": employer["login"],
            "password": PASSWORD,
            "captcha_id": captcha["captcha_id"],
            "captcha": CAPTCHA,
        },
    )
    assert expired.status_code == 400 and "过期" in expired.get_json()["fields"]["captcha"]


def test_api_me_requires_token(app):
    client = app.test_client(use_cookies=False)
    assert client.get("/api/v1/auth/me").status_code == 401
    bad = client.get("/api/v1/auth/me", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401 and "error" in bad.get_json()


def test_api_token_helper_works_with_cookies(client, employer):
    assert api_token(client, employer["login"])


def test_passwords_are_hashed_with_argon2s_default_cost_outside_the_test_suite(monkeypatch):
    """The suite hashes with argon2's cheapest profile (tests/conftest.py); the product must
    not: without the switch the hasher is argon2id at RFC 9106's low-memory cost, and a
    cheap hash still verifies there and is marked for rehashing at the next login."""
    from argon2 import PasswordHasher

    cheap = accounts._hasher.hash(PASSWORD)
    monkeypatch.delenv(accounts.FAST_HASH_ENV)
    product = accounts._password_hasher()
    hashed = product.hash(PASSWORD)
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert product.verify(cheap, PASSWORD)
    assert product.check_needs_rehash(cheap)
    assert PasswordHasher().verify(hashed, PASSWORD)
