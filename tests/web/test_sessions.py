"""Server-side sessions: a captured cookie is dead after logout, after a password change,
after the idle time and after the absolute lifetime; cookie flags; a new id on login."""

from __future__ import annotations

from datetime import timedelta

from flask import request
from sqlalchemy import func, select

from casework.models import AuditEntry, WebSession
from tests.web.conftest import PASSWORD, api_token, csrf_from, login

COOKIE = "session"


def advance(app, **delta) -> None:
    """Move the engine clock (every security duration is measured on it)."""
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.runtime.clock.advance(session, timedelta(**delta))


def cookie_of(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None, "no session cookie"
    return cookie.value


def replay(app, value: str):
    """A second browser that only has the captured cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, value)
    return other


def rows(db) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(WebSession))


def test_session_data_is_on_the_server_the_cookie_is_only_an_id(client, employer, db):
    assert login(client, employer["login"]).status_code == 302
    value = cookie_of(client)
    assert "." not in value and len(value) >= 40  # no signed payload, just a random id
    with db() as session:
        row = session.scalar(select(WebSession))
        assert row.user_id == employer["user_id"]
        assert row.session_id.endswith(value)


def test_logout_ends_the_session_for_a_captured_cookie(app, client, employer, db):
    login(client, employer["login"])
    captured = cookie_of(client)
    assert replay(app, captured).get("/unit").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_from(client, "/notices")})
    response = replay(app, captured).get("/unit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    with db() as session:
        ids = [r.session_id for r in session.scalars(select(WebSession))]
    assert not any(i.endswith(captured) for i in ids)


def test_login_gives_a_new_session_id(client, employer):
    client.get("/captcha.png")  # an anonymous session (it holds the captcha)
    before = cookie_of(client)
    login(client, employer["login"])
    after = cookie_of(client)
    assert before != after


def test_fixation_a_planted_session_id_is_not_the_one_logged_in(app, employer):
    attacker = app.test_client()
    attacker.get("/captcha.png")
    planted = cookie_of(attacker)
    victim = replay(app, planted)
    login(victim, employer["login"])
    assert cookie_of(victim) != planted
    assert replay(app, planted).get("/unit").status_code == 302


def test_idle_session_ends_after_30_minutes(app, client, employer):
    login(client, employer["login"])
    advance(app, minutes=29)
    assert client.get("/unit").status_code == 200  # activity keeps it alive
    advance(app, minutes=29)
    assert client.get("/unit").status_code == 200
    advance(app, minutes=31)
    response = client.get("/unit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "登录已超时" in page


def test_absolute_lifetime_ends_even_an_active_session(app, client, employer):
    login(client, employer["login"])
    for _ in range(12 * 3):  # a request every 20 minutes for 12 hours
        advance(app, minutes=20)
        if client.get("/unit").status_code != 200:
            break
    else:
        raise AssertionError("the session outlived its 12 hours")
    assert client.get("/unit").status_code == 302


def test_idle_time_is_a_setting(make_app):
    settings = make_app().extensions["quotacert"].settings
    assert settings.session_idle_minutes == 30 and settings.session_lifetime_hours == 12


def test_cookie_flags(make_app):
    plain = make_app()
    response = plain.test_client().get("/captcha.png")
    header = response.headers["Set-Cookie"]
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Secure" not in header
    assert "Expires" not in header  # ends with the browser; the server decides the rest
    secure = make_app(SESSION_COOKIE_SECURE=True)
    header = secure.test_client().get("/captcha.png").headers["Set-Cookie"]
    assert "Secure" in header


def test_secure_cookie_setting_from_the_environment(monkeypatch):
    from casework.settings import Settings

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("SESSION_IDLE_MINUTES", "10")
    settings = Settings.from_env(database_url="sqlite://")
    assert settings.session_cookie_secure is True and settings.session_idle_minutes == 10


def test_requests_that_do_not_use_the_session_store_nothing(client, db):
    client.get("/api/v1/openapi.json")
    client.get("/static/app.css")
    assert rows(db) == 0
    client.get("/login")  # the page's CSRF token lives in the session
    assert rows(db) == 1


def test_password_change_ends_other_sessions_and_tokens(app, client, employer, db):
    login(client, employer["login"])
    other_browser = app.test_client()
    login(other_browser, employer["login"])
    api = app.test_client(use_cookies=False)
    token = api_token(app.test_client(), employer["login"])
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/auth/me", headers=headers).status_code == 200
    captured = cookie_of(client)

    page = client.get("/password").get_data(as_text=True)
    assert "修改密码" in page and "当前密码" in page
    response = client.post(
        "/password",
        data={
            "csrf_token": csrf_from(client, "/password"),
            "current_password": PASSWORD,
            "new_password": "NewPassw0rd9",
            "confirm_password": "NewPassw0rd9",
        },
    )
    assert response.status_code == 302
    assert client.get("/unit").status_code == 200  # this browser stays signed in
    assert cookie_of(client) != captured  # on a new id
    assert replay(app, captured).get("/unit").status_code == 302
    assert other_browser.get("/unit").status_code == 302
    assert api.get("/api/v1/auth/me", headers=headers).status_code == 401
    with db() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry))]
    assert "password.change" in actions and "token.revoke_all" in actions
    # the new password works, the old one does not
    fresh = app.test_client()
    assert login(fresh, employer["login"], PASSWORD).status_code == 400
    assert login(fresh, employer["login"], "NewPassw0rd9").status_code == 302


def test_password_change_refusals_change_nothing(client, employer, db):
    login(client, employer["login"])

    def attempt(current, new, confirm=None):
        return client.post(
            "/password",
            data={
                "csrf_token": csrf_from(client, "/password"),
                "current_password": current,
                "new_password": new,
                "confirm_password": new if confirm is None else confirm,
            },
        )

    wrong = attempt("Wrong12345", "NewPassw0rd9")
    assert wrong.status_code == 400 and "当前密码不正确" in wrong.get_data(as_text=True)
    weak = attempt(PASSWORD, "short")
    assert weak.status_code == 400 and "密码须为8至64位" in weak.get_data(as_text=True)
    mismatch = attempt(PASSWORD, "NewPassw0rd9", "NewPassw0rd8")
    assert mismatch.status_code == 400 and "两次输入的新密码不一致" in mismatch.get_data(
        as_text=True
    )
    same = attempt(PASSWORD, PASSWORD)
    assert same.status_code == 400 and "不能与当前密码相同" in same.get_data(as_text=True)
    with db() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry))]
    assert "password.change" not in actions
    assert client.get("/unit").status_code == 200


def test_password_page_needs_login_and_header_links_it(client, employer):
    assert client.get("/password").status_code == 302
    login(client, employer["login"])
    assert 'href="/password"' in client.get("/notices").get_data(as_text=True)


def test_secure_cookie_from_the_settings(tmp_path):
    from casework.settings import Settings
    from webapp import create_app

    settings = Settings(
        var_dir=tmp_path,
        database_url=f"sqlite:///{tmp_path}/s.db",
        job_runner="manual",
        session_cookie_secure=True,
    )
    app = create_app(settings, test_config={"TESTING": True, "CREATE_SCHEMA": True})
    try:
        header = app.test_client().get("/captcha.png").headers["Set-Cookie"]
        assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
    finally:
        app.extensions["quotacert"].close()


def test_a_request_running_during_logout_cannot_bring_the_session_back(app, client, employer):
    """A slow request that read the session before the logout saves its copy afterwards."""
    login(client, employer["login"])
    captured = cookie_of(client)
    store = app.session_interface
    with app.test_request_context("/unit", headers={"Cookie": f"{COOKIE}={captured}"}):
        stale = store.open_session(app, request)
        assert stale.get("_user_id") == str(employer["user_id"])
        client.post("/logout", data={"csrf_token": csrf_from(client, "/notices")})
        stale["_seen"] = 0.0  # e.g. the once-a-minute touch: the copy is saved
        store.save_session(app, stale, app.response_class())
    assert replay(app, captured).get("/unit").status_code == 302
