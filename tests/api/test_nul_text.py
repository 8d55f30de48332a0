"""A NUL byte in any text is refused by the declaration, on every database: PostgreSQL
refuses NUL in text, which schemathesis found as a 500 on /api/v1/notices?q=%00."""

from __future__ import annotations

import pytest

from tests.api.conftest import api_login


@pytest.mark.parametrize("path", ["/api/v1/notices", "/api/v1/tasks", "/api/v1/placements"])
def test_a_nul_byte_in_a_search_is_a_chinese_400(app, path):
    client = app.test_client()
    checked = 0
    for login in ("91210302052118596L", "reviewer_anshan"):
        headers = api_login(client, login)
        response = client.get(path, headers=headers, query_string={"q": "\x00鞍山"})
        if response.status_code == 403:
            continue  # not this role's list
        assert response.status_code == 400, response.get_json()
        assert "不能识别的字符" in response.get_json()["fields"]["q"]
        checked += 1
    assert checked
