"""Sessions, tokens, used captchas and login throttling on SQLite and on PostgreSQL: the
same flows as the SQLite-only tests, over each database's own SQL (row locks, savepoints,
timezone-aware times)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.conftest import CAPTCHA, PASSWORD, api_token, csrf_from, employer_app, login


@pytest.fixture
def db_app(tmp_path, database_url):
    with employer_app(tmp_path, database_url) as built:
        yield built


def advance(app, **delta) -> None:
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.runtime.clock.advance(session, timedelta(**delta))


def test_session_lifecycle(db_app):
    app, code = db_app
    client = app.test_client()
    assert login(client, code).status_code == 302
    captured = client.get_cookie("session").value
    other = app.test_client()
    other.set_cookie("session", captured)
    assert other.get("/unit").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client, "/notices")})
    assert other.get("/unit").status_code == 302
    login(client, code)
    advance(app, minutes=31)
    assert client.get("/unit").status_code == 302


def test_password_change_and_tokens(db_app):
    app, code = db_app
    browser, second = app.test_client(), app.test_client()
    login(browser, code)
    login(second, code)
    token = api_token(app.test_client(), code)
    api = app.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {token}"}
    advance(app, minutes=2)
    assert api.get("/api/v1/auth/me", headers=headers).status_code == 200
    listed = api.get("/api/v1/auth/tokens", headers=headers).get_json()["items"]
    assert len(listed) == 1 and listed[0]["last_used_at"]
    response = browser.post(
        "/password",
        data={
            "csrf_token": csrf_from(browser, "/password"),
            "current_password": PASSWORD,
            "new_password": "NewPassw0rd9",
            "confirm_password": "NewPassw0rd9",
        },
    )
    assert response.status_code == 302
    assert browser.get("/unit").status_code == 200
    assert second.get("/unit").status_code == 302
    assert api.get("/api/v1/auth/me", headers=headers).status_code == 401
    fresh = api_token(app.test_client(), code, "NewPassw0rd9")
    huge = api.delete(
        "/api/v1/auth/tokens/3000000000", headers={"Authorization": f"Bearer {fresh}"}
    )
    assert huge.status_code == 404


def test_captcha_once_and_throttling(db_app):
    app, code = db_app
    client = app.test_client(use_cookies=False)

    def attempt(password: str, address: str, captcha_id: str | None = None):
        captcha_id = captcha_id or client.get("/api/v1/auth/captcha").get_json()["captcha_id"]
        response = client.post(
            "/api/v1/auth/login",
            json={
                "login": code,
                "password": password,
                "captcha_id": captcha_id,
                "captcha": CAPTCHA,
            },
            environ_base={"REMOTE_ADDR": address},
        )
        return response, captcha_id

    response, used = attempt("Guess12345", "203.0.113.1")
    assert response.status_code == 401
    replay, _ = attempt(PASSWORD, "203.0.113.1", used)
    assert replay.status_code == 400
    for _ in range(4):
        response, _ = attempt("Guess12345", "203.0.113.1")
    assert "登录失败次数过多" in response.get_json()["error"]
    body = attempt(PASSWORD, "203.0.113.1")[0].get_json()
    assert body["failed_attempts"]["count"] == 5
    assert body["failed_attempts"]["last_ip"] == "203.0.113.1"
