"""Opaque API tokens: random, stored hashed, expiring, revocable, listed per user."""

from __future__ import annotations

import base64
import hashlib
from datetime import timedelta

from sqlalchemy import select

from casework.models import ApiToken, AuditEntry, User
from tests.web.conftest import CAPTCHA, PASSWORD, api_token


def advance(app, **delta) -> None:
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        system.runtime.clock.advance(session, timedelta(**delta))


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_token_is_opaque_and_only_its_hash_is_stored(app, employer, db):
    token = api_token(app.test_client(), employer["login"])
    assert len(token) >= 40
    padded = token + "=" * (-len(token) % 4)
    decoded = base64.urlsafe_b64decode(padded)
    assert b"uid" not in decoded and b"pw" not in decoded and b"argon" not in decoded
    with db() as session:
        row = session.scalar(select(ApiToken))
        user = session.get(User, employer["user_id"])
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in row.token_hash and row.user_id == employer["user_id"]
        assert user.password_hash[-16:] not in token


def test_login_answer_has_expiry_and_id(app, employer):
    client = app.test_client(use_cookies=False)
    captcha = client.get("/api/v1/auth/captcha").get_json()
    body = client.post(
        "/api/v1/auth/login",
        json={
            "login": employer["login"],
            "password": PASSWORD,
            "captcha_id": captcha["captcha_id"],
            "captcha": CAPTCHA,
            "label": "对接程序",
        },
    ).get_json()
    assert body["token_id"] and body["expires_at"] and body["failed_attempts"] is None
    listed = client.get("/api/v1/auth/tokens", headers=bearer(body["token"])).get_json()
    assert [t["label"] for t in listed["items"]] == ["对接程序"]


def test_token_expires_after_12_hours(app, employer):
    token = api_token(app.test_client(), employer["login"])
    client = app.test_client(use_cookies=False)
    advance(app, hours=11, minutes=59)
    assert client.get("/api/v1/auth/me", headers=bearer(token)).status_code == 200
    advance(app, minutes=2)
    response = client.get("/api/v1/auth/me", headers=bearer(token))
    assert response.status_code == 401 and response.get_json()["error"] == "登录已失效，请重新登录"


def test_logout_revokes_the_current_token_only(app, employer, db):
    first = api_token(app.test_client(), employer["login"])
    second = api_token(app.test_client(), employer["login"])
    client = app.test_client(use_cookies=False)
    response = client.post("/api/v1/auth/logout", headers=bearer(first))
    assert response.status_code == 200
    assert client.get("/api/v1/auth/me", headers=bearer(first)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=bearer(second)).status_code == 200
    with db() as session:
        assert "token.revoke" in [e.action for e in session.scalars(select(AuditEntry))]


def test_list_never_shows_the_secret(app, employer):
    first = api_token(app.test_client(), employer["login"])
    second = api_token(app.test_client(), employer["login"])
    client = app.test_client(use_cookies=False)
    advance(app, minutes=5)
    client.get("/api/v1/auth/me", headers=bearer(first))  # marks it used
    body = client.get("/api/v1/auth/tokens", headers=bearer(second)).get_json()
    items = body["items"]
    assert len(items) == 2
    text = str(body)
    assert first not in text and second not in text
    assert hashlib.sha256(first.encode()).hexdigest() not in text
    current = [t for t in items if t["current"]]
    assert len(current) == 1 and current[0]["active"]
    used = [t for t in items if not t["current"]][0]
    assert used["last_used_at"] is not None
    assert set(items[0]) == {
        "id",
        "label",
        "ip",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
        "active",
        "current",
    }


def test_revoke_one_of_ones_own_tokens(app, employer, other_employer):
    mine = api_token(app.test_client(), employer["login"])
    spare = api_token(app.test_client(), employer["login"])
    theirs = api_token(app.test_client(), other_employer["login"])
    client = app.test_client(use_cookies=False)
    items = client.get("/api/v1/auth/tokens", headers=bearer(mine)).get_json()["items"]
    spare_id = next(t["id"] for t in items if not t["current"])
    their_id = client.get("/api/v1/auth/tokens", headers=bearer(theirs)).get_json()["items"][0][
        "id"
    ]
    # someone else's token: not found, and it keeps working
    other = client.delete(f"/api/v1/auth/tokens/{their_id}", headers=bearer(mine))
    assert other.status_code == 404 and other.get_json()["error"] == "令牌不存在"
    assert client.get("/api/v1/auth/me", headers=bearer(theirs)).status_code == 200
    huge = client.delete("/api/v1/auth/tokens/1180591620717411303424", headers=bearer(mine))
    assert huge.status_code == 404
    response = client.delete(f"/api/v1/auth/tokens/{spare_id}", headers=bearer(mine))
    assert response.status_code == 200 and response.get_json()["active"] is False
    assert client.get("/api/v1/auth/me", headers=bearer(spare)).status_code == 401
    assert client.get("/api/v1/auth/me", headers=bearer(mine)).status_code == 200


def test_cookie_session_may_list_but_logout_needs_a_token(client, employer):
    from tests.web.conftest import csrf_from, login

    login(client, employer["login"])
    assert client.get("/api/v1/auth/tokens").status_code == 200
    csrf = csrf_from(client, "/notices")
    response = client.post("/api/v1/auth/logout", headers={"X-CSRFToken": csrf})
    assert response.status_code == 400 and "未使用令牌" in response.get_json()["error"]


def test_token_endpoints_are_documented(app):
    doc = app.test_client().get("/api/v1/openapi.json").get_json()
    assert "post" in doc["paths"]["/api/v1/auth/logout"]
    assert "get" in doc["paths"]["/api/v1/auth/tokens"]
    assert "delete" in doc["paths"]["/api/v1/auth/tokens/{token_id}"]
    assert "ApiToken" in doc["components"]["schemas"]
