"""POST /api/v1/auth/password: the page's command over the API. Every token of the user
ends, the one used included (the answer carries its replacement), and every web session."""

from __future__ import annotations

from sqlalchemy import select

from casework.models import AuditEntry, User
from tests.web.conftest import PASSWORD, api_token, csrf_from, login

NEW = "Neues2026pw"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def change(client, token: str, current: str = PASSWORD, new: str = NEW):
    return client.post(
        "/api/v1/auth/password",
        headers=bearer(token),
        json={"current_password": current, "new_password": new},
    )


def test_password_change_ends_every_token_and_session(app, employer, db):
    used = api_token(app.test_client(), employer["login"])
    other = api_token(app.test_client(), employer["login"])
    browser = app.test_client()
    login(browser, employer["login"])
    assert browser.get("/unit").status_code == 200
    client = app.test_client(use_cookies=False)

    response = change(client, used)

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["tokens_revoked"] == 2 and body["sessions_ended"] == 1
    for old in (used, other):
        refused = client.get("/api/v1/auth/me", headers=bearer(old))
        assert refused.status_code == 401
    assert browser.get("/unit").status_code in (302, 401)
    assert client.get("/api/v1/auth/me", headers=bearer(body["token"])).status_code == 200
    assert api_token(app.test_client(), employer["login"], NEW)
    with db() as session:
        actions = [e.action for e in session.scalars(select(AuditEntry))]
        assert "password.change" in actions and "token.revoke_all" in actions


def test_wrong_current_password_is_a_chinese_400_and_changes_nothing(app, employer, db):
    token = api_token(app.test_client(), employer["login"])
    with db() as session:
        before = session.get(User, employer["user_id"]).password_hash
    client = app.test_client(use_cookies=False)

    response = change(client, token, current="Wrong2025pw")

    assert response.status_code == 400
    assert response.get_json()["fields"] == {"current_password": "当前密码不正确"}
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200
    with db() as session:
        assert session.get(User, employer["user_id"]).password_hash == before
        assert "password.change" not in [e.action for e in session.scalars(select(AuditEntry))]


def test_weak_new_password_gives_the_rule(app, employer):
    token = api_token(app.test_client(), employer["login"])
    client = app.test_client(use_cookies=False)
    for weak in ("short1", "onlyletters", "1234567890"):
        response = change(client, token, new=weak)
        assert response.status_code == 400
        assert response.get_json()["fields"] == {
            "new_password": "密码须为8至64位，且同时包含字母和数字"
        }
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200


def test_wrong_types_are_refused(app, employer):
    token = api_token(app.test_client(), employer["login"])
    client = app.test_client(use_cookies=False)
    response = client.post(
        "/api/v1/auth/password",
        headers=bearer(token),
        json={"current_password": PASSWORD, "new_password": 12345678},
    )
    assert response.status_code == 400 and "new_password" in response.get_json()["fields"]


def test_cookie_session_keeps_itself_under_a_new_id(app, employer):
    browser = app.test_client()
    login(browser, employer["login"])
    elsewhere = app.test_client()
    login(elsewhere, employer["login"])
    csrf = csrf_from(browser, "/notices")
    response = browser.post(
        "/api/v1/auth/password",
        headers={"X-CSRFToken": csrf},
        json={"current_password": PASSWORD, "new_password": NEW},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["token"] is None and response.get_json()["sessions_ended"] == 1
    assert browser.get("/unit").status_code == 200
    assert elsewhere.get("/unit").status_code in (302, 401)


def test_password_change_is_documented(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = doc["paths"]["/api/v1/auth/password"]["post"]
    assert "令牌" in operation["description"]
    assert "PasswordChangeInput" in doc["components"]["schemas"]
