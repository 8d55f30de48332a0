"""With REDIS_URL the sessions and the used captchas live in Redis (db 15); the same
guarantees hold: logout and password change end sessions, a captcha_id is one use."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.web.conftest import CAPTCHA, PASSWORD, csrf_from, employer_app, login

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_app(tmp_path, redis_url):
    with employer_app(tmp_path, f"sqlite:///{tmp_path}/r.db", redis_url) as built:
        yield built


def test_sessions_are_in_redis_and_end_on_logout(redis_app):
    from redis import Redis

    from webapp.sessions import RedisSessions

    app, code = redis_app
    assert isinstance(app.session_interface, RedisSessions)
    client = app.test_client()
    assert login(client, code).status_code == 302
    captured = client.get_cookie("session").value
    redis = Redis.from_url(app.extensions["quotacert"].settings.redis_url)
    assert redis.exists(f"quotacert:session:{captured}")
    client.post("/logout", data={"csrf_token": csrf_from(client, "/notices")})
    assert not redis.exists(f"quotacert:session:{captured}")
    replay = app.test_client()
    replay.set_cookie("session", captured)
    assert replay.get("/unit").status_code == 302


def test_idle_expiry_and_password_change_with_redis(redis_app):
    app, code = redis_app
    first, second = app.test_client(), app.test_client()
    login(first, code)
    login(second, code)
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.runtime.clock.advance(session, timedelta(minutes=20))
    response = first.post(
        "/password",
        data={
            "csrf_token": csrf_from(first, "/password"),
            "current_password": PASSWORD,
            "new_password": "NewPassw0rd9",
            "confirm_password": "NewPassw0rd9",
        },
    )
    assert response.status_code == 302
    assert second.get("/unit").status_code == 302
    assert first.get("/unit").status_code == 200
    with system.transaction() as session:
        system.runtime.clock.advance(session, timedelta(minutes=31))
    assert first.get("/unit").status_code == 302


def test_captcha_id_is_one_use_with_redis(redis_app):
    app, code = redis_app
    client = app.test_client(use_cookies=False)
    captcha = client.get("/api/v1/auth/captcha").get_json()
    body = {"login": code, "captcha_id": captcha["captcha_id"], "captcha": CAPTCHA}
    assert (
        client.post("/api/v1/auth/login", json={**body, "password": "Wrong12345"}).status_code
        == 401
    )
    again = client.post("/api/v1/auth/login", json={**body, "password": PASSWORD})
    assert again.status_code == 400 and "失效" in again.get_json()["fields"]["captcha"]
