"""One declaration per input: the page form and the API operation that take the same
input give the same Chinese message for the same mistake, and the OpenAPI document lists
exactly the API's routes, with the bounds the app enforces."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import api_token, csrf_from, login, unit_fields


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("legal_phone", "12345"),
        ("name", "甲"),
        ("nature", "外星机构"),
        ("cdpf_region", "210300"),
        ("org_code", "12345678-9"),
        ("staff_last_year", "-3"),
        ("business_address", ""),
    ],
)
def test_unit_page_and_api_say_the_same(client, employer, field, value):
    login(client, employer["login"])
    token = csrf_from(client, "/unit")
    page = client.post("/unit", data={"csrf_token": token, **unit_fields(**{field: value})})
    assert page.status_code == 400
    api = client.application.test_client(use_cookies=False)
    headers = {"Authorization": f"Bearer {api_token(api, employer['login'])}"}
    body = unit_fields(**{field: value})
    if field == "staff_last_year":
        body[field] = int(value)
    answer = api.put("/api/v1/unit", headers=headers, json=body)
    assert answer.status_code == 400
    message = answer.get_json()["fields"][field]
    assert message in page.get_data(as_text=True), message


def test_openapi_documents_every_api_route_and_no_other(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method.upper()) for path, ops in doc["paths"].items() for method in ops}
    routed = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_json":
            continue
        path = re.sub(r"<(?:\w+(?:\([^)]*\))?:)?(\w+)>", r"{\1}", rule.rule)
        routed |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed == documented


def test_openapi_states_the_enforced_bounds(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, operations in doc["paths"].items():
        for operation in operations.values():
            for param in operation.get("parameters", []):
                if param["in"] == "path" and param["schema"].get("type") == "integer":
                    assert (param["schema"]["minimum"], param["schema"]["maximum"]) == (1, 2**31 - 1), path
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/placements"]["get"]["parameters"]}
    assert (params["page"]["minimum"], params["page"]["maximum"]) == (1, 2**31 - 1)
    assert (params["per_page"]["minimum"], params["per_page"]["maximum"]) == (1, 100)
    assert "超出范围返回400" in doc["info"]["description"]
    levy = doc["components"]["schemas"]["LevyEstimateInput"]["properties"]
    assert levy["staff_count"]["maximum"] == 10_000_000 and levy["avg_annual_wage"]["maximum"] == 1e9
    person = doc["components"]["schemas"]["PersonInput"]["properties"]
    assert person["name"]["type"] == "string" and person["name"]["maxLength"] == 30
