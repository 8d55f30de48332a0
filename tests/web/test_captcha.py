"""Captcha: one answer buys one attempt (replayed cookie, resent captcha_id, another
process); legible image; 换一张 without inline script; the arithmetic alternative."""

from __future__ import annotations

import re
from io import BytesIO

from PIL import Image
from sqlalchemy import select

from casework import captcha as captcha_service
from casework.models import AuditEntry
from tests.web.conftest import CAPTCHA, PASSWORD, csrf_from

COOKIE = "session"


def password_attempts(db) -> int:
    """Attempts that reached the password check (success or failure)."""
    with db() as session:
        return sum(
            1
            for e in session.scalars(select(AuditEntry))
            if e.action == "login" or e.action == "login.failed"
        )


def test_replayed_cookie_after_one_solved_captcha_buys_no_second_attempt(app, employer, db):
    client = app.test_client()
    token = csrf_from(client, "/login")
    client.get("/captcha.png")
    saved = client.get_cookie(COOKIE).value  # the cookie right after loading the image
    data = {"csrf_token": token, "login": employer["login"], "captcha": CAPTCHA}
    first = client.post("/login", data={**data, "password": "Wrong12345"})
    assert "统一社会信用代码或密码错误" in first.get_data(as_text=True)
    assert password_attempts(db) == 1
    for password in ("Wrong23456", PASSWORD):  # replay the saved cookie, same answer
        replay = app.test_client()
        replay.set_cookie(COOKIE, saved)
        again = replay.post("/login", data={**data, "password": password})
        assert again.status_code == 400
        assert "验证码" in again.get_data(as_text=True)
    assert password_attempts(db) == 1


SECOND_PROCESS = """
import json, sys
from datetime import datetime

import time_machine

# the second process runs at this process's machine time (faked by --machine-date or not),
# as a second web process of one deployment would: the engine clock's stored offset then
# means the same instant in both
time_machine.travel(datetime.fromisoformat(sys.argv[3]), tick=True).start()
from casework.settings import Settings
from webapp import create_app

url, body = sys.argv[1], json.loads(sys.argv[2])
settings = Settings(database_url=url, job_runner="manual", simulator_url="http://127.0.0.1:9")
app = create_app(settings, test_config={"TESTING": True, "CAPTCHA_TEXT": lambda: "AB12"})
response = app.test_client(use_cookies=False).post("/api/v1/auth/login", json=body)
print(json.dumps({"status": response.status_code, "body": response.get_json()}))
app.extensions["quotacert"].close()
"""


def test_captcha_id_is_one_use_across_processes(app, employer, tmp_path):
    """The captcha_id checked here is refused by a second web process on the same database."""
    import json
    import os
    import subprocess
    import sys
    from datetime import UTC, datetime
    from pathlib import Path

    client = app.test_client(use_cookies=False)
    captcha = client.get("/api/v1/auth/captcha").get_json()
    body = {
        "login": employer["login"],
        "password": "Wrong12345",
        "captcha_id": captcha["captcha_id"],
        "captcha": CAPTCHA,
    }
    assert client.post("/api/v1/auth/login", json=body).status_code == 401
    settings = app.extensions["quotacert"].settings
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "QUOTACERT_VAR": str(settings.var_dir), "PYTHONPATH": str(root)}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SECOND_PROCESS,
            settings.database_url,
            json.dumps({**body, "password": PASSWORD}),
            datetime.now(UTC).isoformat(),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["status"] == 400, answer
    # "已失效…换一张": the id was read (same secret) and found used, not merely unreadable
    assert answer["body"]["fields"]["captcha"].startswith("验证码已失效，请点击“换一张”")


def test_a_wrong_answer_uses_the_captcha_up_too(app, employer):
    client = app.test_client(use_cookies=False)
    captcha = client.get("/api/v1/auth/captcha").get_json()
    body = {"login": employer["login"], "password": PASSWORD, "captcha_id": captcha["captcha_id"]}
    wrong = client.post("/api/v1/auth/login", json={**body, "captcha": "ZZZZ"})
    assert wrong.get_json()["fields"]["captcha"] == "验证码错误"
    right = client.post("/api/v1/auth/login", json={**body, "captcha": CAPTCHA})
    assert right.status_code == 400 and "失效" in right.get_json()["fields"]["captcha"]


def test_image_is_larger_with_four_glyphs_from_an_unambiguous_alphabet(client):
    response = client.get("/captcha.png")
    image = Image.open(BytesIO(response.data))
    assert image.size == (160, 60)
    assert response.headers["Cache-Control"].startswith("no-store")
    assert captcha_service.LENGTH == 4
    for a, b in ("0O", "1I", "1L", "2Z", "5S", "8B", "6G", "UV", "0D", "9P"):
        assert not (a in captcha_service.ALPHABET and b in captcha_service.ALPHABET), (a, b)


def test_image_glyphs_are_dark_on_light(client):
    """The stock generator painted dark glyphs pale (its mask was the colour's lightness)."""
    image = Image.open(BytesIO(client.get("/captcha.png").data)).convert("L")
    histogram = image.histogram()
    dark = sum(histogram[:120])
    assert dark > sum(histogram) * 0.05  # solid strokes, not a faint wash


def test_login_page_has_a_refresh_button_and_no_inline_script(client):
    page = client.get("/login").get_data(as_text=True)
    assert "换一张" in page and "data-captcha-renew" in page
    assert 'src="/static/login.js"' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # no inline script
    assert not re.search(r"\son[a-z]+=", page)  # no inline event handlers
    assert client.get("/static/login.js").status_code == 200


def test_arithmetic_question_on_the_page(make_app, employer):
    app = make_app(CAPTCHA_ARITHMETIC=lambda: (7, 5))
    client = app.test_client()
    page = client.get("/login?captcha=arithmetic").get_data(as_text=True)
    assert "7 加 5 等于几？" in page and "改用图形验证码" in page
    assert 'inputmode="numeric"' in page
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post(
        "/login?captcha=arithmetic",
        data={
            "csrf_token": token,
            "login": employer["login"],
            "password": PASSWORD,
            "captcha": "１２",  # full-width digits from a Chinese input method count too
        },
    )
    assert response.status_code == 302


def test_arithmetic_wrong_answer_shows_a_new_question(make_app, employer):
    app = make_app(CAPTCHA_ARITHMETIC=lambda: (3, 4))
    client = app.test_client()
    page = client.get("/login?captcha=arithmetic").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    data = {"csrf_token": token, "login": employer["login"], "password": PASSWORD}
    wrong = client.post("/login?captcha=arithmetic", data={**data, "captcha": "8"})
    assert wrong.status_code == 400
    text = wrong.get_data(as_text=True)
    assert "验证码错误" in text and "3 加 4 等于几？" in text
    assert (
        client.post("/login?captcha=arithmetic", data={**data, "captcha": "7"}).status_code == 302
    )


def test_image_page_offers_the_arithmetic_alternative(client):
    page = client.get("/login").get_data(as_text=True)
    assert "/login?captcha=arithmetic" in page and "改用算术题" in page


def test_question_refresh_endpoint(make_app):
    app = make_app(CAPTCHA_ARITHMETIC=lambda: (2, 6))
    response = app.test_client().get("/captcha/question")
    assert response.get_json() == {"question": "2 加 6 等于几？"}
    assert response.headers["Cache-Control"].startswith("no-store")


def test_api_arithmetic_captcha(make_app, employer):
    app = make_app(CAPTCHA_ARITHMETIC=lambda: (7, 5))
    client = app.test_client(use_cookies=False)
    captcha = client.get("/api/v1/auth/captcha?kind=arithmetic").get_json()
    assert captcha["kind"] == "arithmetic" and captcha["question"] == "7 加 5 等于几？"
    assert "image" not in captcha
    # the id carries only the nonce, the time and the HMAC: the answer is in no field
    # (a plain substring check failed whenever the random id happened to contain "12")
    _signed, payload = captcha_service._serializer(app.secret_key).loads_unsafe(
        captcha["captcha_id"]
    )
    assert set(payload) == {"n", "h", "t"} and "12" not in map(str, payload.values())
    response = client.post(
        "/api/v1/auth/login",
        json={
            "login": employer["login"],
            "password": PASSWORD,
            "captcha_id": captcha["captcha_id"],
            "captcha": "12",
        },
    )
    assert response.status_code == 200
    bad = client.get("/api/v1/auth/captcha?kind=audio")
    assert bad.status_code == 400 and "kind" in bad.get_json()["fields"]


def test_arithmetic_questions_are_small_sums():
    for _ in range(50):
        a, b = captcha_service.random_operands()
        question, answer = captcha_service.arithmetic_question(a, b)
        assert 1 <= a <= 9 and 1 <= b <= 9 and answer == str(a + b)
        assert question.endswith("等于几？")
