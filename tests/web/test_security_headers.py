"""Security headers on every response: every GET route of the URL map (as anonymous, employer
and reviewer), a POST, error pages, a static file and a file download. A download keeps its
own sandbox policy; HSTS only over HTTPS; FORCE_HTTPS redirects plain HTTP."""

from __future__ import annotations

import pytest
from flask import url_for
from werkzeug.routing import IntegerConverter

from casework import uploads
from tests.web.conftest import csrf_from, login

PAGE_POLICY_PARTS = (
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
)


def assert_secure(response, where: str, *, sandbox: bool = False) -> None:
    """The headers every response carries (the page policy, or a download's sandbox one)."""
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    if sandbox:
        assert policy.startswith("default-src 'none'"), (where, policy)
    else:
        for part in PAGE_POLICY_PARTS:
            assert part in policy, (where, part, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, (where, policy)
    assert headers.get("X-Frame-Options") == "DENY", where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy") == "same-origin", where
    assert "Strict-Transport-Security" not in headers, where  # plain HTTP here


def get_urls(app, attachment_id: int) -> list[tuple[str, str]]:
    """(endpoint, URL) of every GET route, with dummy arguments (a 404 is fine)."""
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods:
                continue
            values: dict[str, object] = {}
            for name in rule.arguments:
                converter = rule._converters[name]
                values[name] = 1 if isinstance(converter, IntegerConverter) else "x"
            if rule.endpoint == "static":
                values = {"filename": "app.css"}
            elif rule.endpoint == "units.attachment":
                values = {"attachment_id": attachment_id}
            urls.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return urls


@pytest.fixture
def attachment_id(db, settings, employer, pdf_bytes) -> int:
    with db() as session:
        found = uploads.store_upload(
            session, settings, unit_id=employer["unit_id"], user_id=None,
            filename="合同.pdf", data=pdf_bytes, kind="contract", limit_bytes=10 << 20,
        )
        return found.id


@pytest.mark.parametrize("who", ["anonymous", "employer", "staff"])
def test_every_get_route_sends_the_headers(app, client, employer, staff, attachment_id, who):
    if who == "employer":
        assert login(client, employer["login"]).status_code == 302
    elif who == "staff":
        assert login(client, staff["anshan"], staff=True).status_code == 302
    urls = get_urls(app, attachment_id)
    assert len(urls) >= 40  # the walk really covers the URL map
    statuses = {}
    for endpoint, url in urls:
        response = client.get(url)
        statuses[endpoint] = response.status_code
        downloaded = endpoint == "units.attachment" and response.status_code == 200
        assert_secure(response, f"{who} GET {url} -> {response.status_code}", sandbox=downloaded)
    assert statuses["static"] == 200
    if who == "anonymous":
        assert statuses["home.index"] == 302 and statuses["auth.login"] == 200
    else:
        assert statuses["units.attachment"] == 200  # the download kept its sandbox policy


def test_posts_errors_and_https(make_app, employer):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/_test_boom")
    def boom():
        raise RuntimeError("an unexpected failure")

    client = app.test_client()
    assert_secure(client.post("/api/v1/levy/estimate", json={}), "POST levy estimate")
    assert_secure(client.post("/login", data={}), "POST login without CSRF token")
    missing = client.get("/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.get_data(as_text=True)
    assert_secure(missing, "404 page")
    assert_secure(client.get("/api/v1/no-such-thing"), "404 JSON")
    assert_secure(client.delete("/calculator"), "405")
    failed = client.get("/_test_boom")
    assert failed.status_code == 500
    assert_secure(failed, "500 page")

    login(client, employer["login"])
    token = csrf_from(client, "/unit")
    logout = client.post("/logout", data={"csrf_token": token})
    assert_secure(logout, "POST logout")

    over_https = client.get("/login", base_url="https://localhost")
    assert over_https.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    behind_proxy = client.get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in behind_proxy.headers
    assert client.get("/login").status_code == 200  # no redirect by default


def test_force_https_setting_redirects_plain_http(make_app):
    client = make_app(FORCE_HTTPS=True).test_client()
    response = client.get("/calculator")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("https://")
    assert client.get("/calculator", base_url="https://localhost").status_code == 200


@pytest.mark.parametrize(
    "page",
    [
        "review/send_tax.html",
        "placements/declare.html",
        "placements/index.html",
        "placements/detail.html",
        "placements/import.html",
        "home/index.html",
        "base.html",
    ],
)
def test_templates_have_no_inline_script_handlers_or_styles(app, page):
    """The policy forbids them; a browser would ignore them silently (see tests/browser)."""
    import re

    source = app.jinja_env.loader.get_source(app.jinja_env, page)[0]
    assert not re.search(r"\son[a-z]+\s*=", source), page
    assert not re.search(r"<script(?![^>]*\ssrc=)", source), page
    assert not re.search(r"\sstyle\s*=", source), page
