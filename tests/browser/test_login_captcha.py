"""The login page's 换一张 in Chromium: a new image or a new arithmetic question without
leaving the page, from static/login.js under the strict CSP (no violation logged)."""

from __future__ import annotations

import itertools
import re
import threading

import pytest

from casework import accounts
from casework import units as unit_service
from casework.settings import Settings
from tests.web.conftest import PASSWORD, credit_code

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture(scope="module")
def small_server(tmp_path_factory):
    """A bare app (one employer) behind waitress: no simulator or demo data needed."""
    from waitress.server import create_server

    from webapp import create_app

    var = tmp_path_factory.mktemp("login")
    settings = Settings(
        var_dir=var,
        database_url=f"sqlite:///{var / 'login.db'}",
        job_runner="manual",
        simulator_url="http://127.0.0.1:9",
    )
    sums = itertools.cycle([(2, 3), (4, 4), (6, 1)])
    app = create_app(
        settings,
        test_config={
            "CREATE_SCHEMA": True,
            "RATELIMIT_ENABLED": False,
            "CAPTCHA_ARITHMETIC": lambda: next(sums),
        },
    )
    with app.extensions["quotacert"].transaction() as session:
        unit = unit_service.create_unit(session, credit_code(1), "鞍山示范科技有限公司", "210302")
        accounts.create_user(session, unit.credit_code, PASSWORD, "employer", "210302", unit.id)
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    yield f"http://127.0.0.1:{server.effective_port}", unit.credit_code
    server.close()
    app.extensions["quotacert"].close()


@pytest.fixture
def watched(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    log: list[str] = []
    page.on(
        "console",
        lambda m: log.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.csp_log = log
    yield page
    context.close()


def violations(page) -> list[str]:
    return page.csp_log + page.evaluate("window.__csp || []")


def test_renew_image_in_place(small_server, watched, shots):
    base, _code = small_server
    page = watched
    page.goto(f"{base}/login")
    page.wait_for_load_state("networkidle")
    image = page.locator("img[data-captcha-image]")
    before = image.get_attribute("src")
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [160, 60]
    shots(page, "login-01-image")
    with page.expect_response(re.compile(r"/captcha\.png\?r=\d+")) as answer:
        page.click("[data-captcha-renew]")
    assert answer.value.status == 200
    assert image.get_attribute("src") != before
    assert page.url == f"{base}/login"  # no navigation
    assert violations(page) == []


def test_renew_question_in_place_and_answer_it(small_server, watched, shots):
    base, code = small_server
    page = watched
    page.goto(f"{base}/login?captcha=arithmetic")
    question = page.locator("[data-captcha-question]")
    first = question.inner_text()
    assert re.fullmatch(r"\d 加 \d 等于几？", first)
    page.click("[data-captcha-renew]")
    page.wait_for_function(
        "q => document.querySelector('[data-captcha-question]').textContent !== q", arg=first
    )
    renewed = question.inner_text()
    a, b = (int(n) for n in re.findall(r"\d", renewed))
    shots(page, "login-02-arithmetic")
    page.fill('input[name="login"]', code)
    page.fill('input[name="password"]', PASSWORD)
    page.fill('input[name="captcha"]', str(a + b))
    page.click('button[type="submit"]')
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, page.content()
    assert violations(page) == []
