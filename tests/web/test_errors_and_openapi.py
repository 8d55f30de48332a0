"""Chinese error pages, JSON errors under /api/, the OpenAPI document, jurisdiction helpers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.models import Unit
from casework.scope import is_within_jurisdiction, region_prefix, within_jurisdiction
from tests.web.conftest import csrf_from, login


def test_404_page_and_json(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404
    text = page.get_data(as_text=True)
    assert "页面不存在" in text and 'lang="zh-CN"' in text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.is_json and "error" in api.get_json()


def test_405_is_chinese(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "不支持的请求方式" in response.get_data(as_text=True)
    api = client.delete("/api/v1/levy/estimate")
    assert api.status_code == 405 and api.get_json()["error"] == "该地址不支持此请求方式。"


def test_500_never_shows_a_traceback(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    @app.get("/api/v1/boom-json")
    def boom_json():
        raise RuntimeError("secret internals")

    client = app.test_client()
    page = client.get("/boom")
    assert page.status_code == 500
    text = page.get_data(as_text=True)
    assert "系统繁忙" in text and "Traceback" not in text and "secret internals" not in text
    api = client.get("/api/v1/boom-json")
    assert api.status_code == 500 and api.get_json() == {
        "error": "系统暂时无法处理您的请求，请稍后重试。如多次出现，请联系当地残联。"
    }


def test_csrf_failure_on_a_page_form(client, employer):
    login(client, employer["login"])
    response = client.post("/logout", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert "页面已过期，请刷新后重试" in response.get_data(as_text=True)


def test_rate_limit_page_is_chinese_429(client, employer):
    token = csrf_from(client, "/login")
    for _ in range(10):
        client.post("/login", data={"csrf_token": token})
    response = client.post("/login", data={"csrf_token": token})
    assert response.status_code == 429
    assert "操作过于频繁" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


def test_openapi_lists_my_paths(client):
    document = client.get("/api/v1/openapi.json").get_json()
    paths = document["paths"]
    expected = {
        "/api/v1/auth/captcha": {"get"},
        "/api/v1/auth/login": {"post"},
        "/api/v1/auth/me": {"get"},
        "/api/v1/regions": {"get"},
        "/api/v1/unit": {"get", "put"},
        "/api/v1/unit/related-units": {"get", "post"},
        "/api/v1/unit/related-units/{related_id}": {"put", "delete"},
        "/api/v1/unit/attachments": {"post"},
        "/api/v1/units/{unit_id}": {"get"},
        "/api/v1/levy/estimate": {"post"},
        "/api/v1/notices": {"get"},
        "/api/v1/notices/{notice_id}": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    levy = paths["/api/v1/levy/estimate"]["post"]
    assert levy["security"] == []
    request_schema = levy["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit(
        "/", 1
    )[-1]
    response_schema = levy["responses"]["200"]["content"]["application/json"]["schema"][
        "$ref"
    ].rsplit("/", 1)[-1]
    schemas = document["components"]["schemas"]
    assert set(schemas[response_schema]["required"]) == {
        "quota", "actual", "wage_base", "levy_full", "rate", "levy_due", "exempt"
    }  # fmt: skip
    assert "ratio" in schemas[request_schema]["properties"]


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("210000", "21"), ("210300", "2103"), ("210302", "210302"), ("110101", "110101"), ("", "")],
)
def test_region_prefix(code, prefix):
    assert region_prefix(code) == prefix


def test_jurisdiction_checks(db, employer, other_employer):
    assert is_within_jurisdiction("210302", "210000")
    assert is_within_jurisdiction("210302", "210300")
    assert not is_within_jurisdiction("210302", "210303")
    assert not is_within_jurisdiction("330106", "210000")
    assert is_within_jurisdiction("330106", "")
    with db() as session:

        def names(region):
            return sorted(
                session.scalars(
                    select(Unit.name).where(within_jurisdiction(Unit.cdpf_region, region))
                )
            )

        assert names("210300") == ["鞍山示范科技有限公司"]
        assert names("330000") == ["杭州另一家公司"]
        assert names("") == ["杭州另一家公司", "鞍山示范科技有限公司"]
        assert names("210303") == []


def test_logged_in_pages_carry_csrf_meta(client, employer):
    login(client, employer["login"])
    assert csrf_from(client, "/unit")
