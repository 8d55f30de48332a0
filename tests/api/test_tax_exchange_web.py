"""The tax exchange over HTTP: the tax side's check results come in with the shared token
(nothing without it), a repeated delivery is answered but not processed twice, and staff
read what was sent (发送税务查询), only in their jurisdiction."""

from __future__ import annotations

import httpx
import pytest

from tests.api.conftest import api_login
from tests.api.test_case_requests_web import _declared
from tests.workflows.wfkit import tax_confirmations

sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
TOKEN = "tax-shared-secret-for-tests"


@pytest.fixture
def app_with_token(app):
    app.extensions["quotacert"].settings.tax_callback_token = TOKEN
    return app


def _send(client, jobs) -> None:
    staff = api_login(client, "reviewer_anshan")
    [task] = client.get("/api/v1/tasks?form=case_send_tax", headers=staff).get_json()["items"]
    assert client.post(f"/api/v1/tasks/{task['task_id']}/send-to-tax", headers=staff).status_code == 202
    jobs()


@sqlite_only
def test_check_results_come_in_with_the_token(app_with_token, jobs, population, simulator_url):
    app = app_with_token
    client, employer = _declared(app, jobs, population)
    _send(client, jobs)
    [check] = tax_confirmations(simulator_url, 1)

    assert client.post("/api/v1/tax/confirmations", json=check).status_code == 401
    wrong = client.post("/api/v1/tax/confirmations", json=check, headers={"X-Tax-Token": "nope"})
    assert wrong.status_code == 401 and "凭证" in wrong.get_json()["error"]
    bad = client.post("/api/v1/tax/confirmations", json={"idempotency_key": ""}, headers={"X-Tax-Token": TOKEN})
    assert bad.status_code == 400
    unknown = client.post("/api/v1/tax/confirmations", json={**check, "idempotency_key": "case-0-2025-v1"},
                          headers={"X-Tax-Token": TOKEN})
    assert unknown.status_code == 404

    ok = client.post("/api/v1/tax/confirmations", json=check, headers={"X-Tax-Token": TOKEN})
    assert ok.status_code == 200 and ok.get_json() == {"accepted": True}
    again = client.post("/api/v1/tax/confirmations", json=check, headers={"X-Tax-Token": TOKEN})
    assert again.get_json() == {"accepted": False}

    staff = api_login(client, "reviewer_anshan")
    page = client.get("/api/v1/tax/submissions", headers=staff).get_json()
    assert page["total"] == 1 and page["items"][0]["status"] == "confirmed" and page["items"][0]["version"] == 1
    assert client.get("/api/v1/tax/submissions?status=inconsistent", headers=staff).get_json()["total"] == 0
    assert client.get("/api/v1/tax/submissions?status=bogus", headers=staff).status_code == 400
    other = api_login(client, "reviewer_hangzhou")
    assert client.get("/api/v1/tax/submissions", headers=other).get_json()["total"] == 0
    assert client.get("/api/v1/tax/submissions", headers=employer).status_code == 403


@sqlite_only
def test_no_token_configured_accepts_nothing(app, jobs, population, simulator_url):
    client = app.test_client()
    body = {"idempotency_key": "case-1-2025-v1", "consistent": True}
    assert client.post("/api/v1/tax/confirmations", json=body, headers={"X-Tax-Token": ""}).status_code == 401


def test_the_simulator_sends_its_check_to_the_callback(simulator_url):
    """After its delay the simulator posts the check, with the shared token, to the
    receiving system (here a bare HTTP server standing in for ours)."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[tuple[str, dict]] = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.headers["X-Tax-Token"], json.loads(body)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"accepted": true}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/api/v1/tax/confirmations"
    httpx.post(f"{simulator_url}/_control", json={"reset": True}, timeout=5)
    try:
        assert httpx.post(f"{simulator_url}/tax/settings", json={"delay_seconds": -1}, timeout=5).status_code == 400
        httpx.post(f"{simulator_url}/tax/settings", json={"delay_seconds": 0, "callback_url": url, "callback_token": TOKEN,
                                                         "inconsistent": {"91210302052118596L": "人数不符"}}, timeout=5)
        payload = {"idempotency_key": "case-9-2025-v1", "unit_code": "91210302052118596L", "year": 2025}
        assert httpx.post(f"{simulator_url}/tax/results", json=payload, timeout=5).status_code == 201
        [check] = tax_confirmations(simulator_url, 1)
        for _ in range(100):
            if received:
                break
            threading.Event().wait(0.05)
        [(auth, body)] = received
        assert auth == TOKEN and body == check
        assert body["consistent"] is False and body["reason"] == "人数不符"
        assert httpx.get(f"{simulator_url}/tax/settings", timeout=5).json()["received"] == 1
    finally:
        server.shutdown()
        httpx.post(f"{simulator_url}/_control", json={"reset": True}, timeout=5)


@sqlite_only
def test_the_pages_show_the_tax_state(app_with_token, jobs, population, simulator_url):
    from tests.api.test_journey import UNIT
    from tests.api.test_pages import page_login

    app = app_with_token
    client, employer = _declared(app, jobs, population)
    _send(client, jobs)
    assert client.get("/api/v1/case", headers=employer).get_json()["tax"]["status"] == "sent"
    [check] = tax_confirmations(simulator_url, 1)
    inconsistent = {**check, "consistent": False, "reason": "在职职工人数不符"}
    assert client.post("/api/v1/tax/confirmations", json=inconsistent, headers={"X-Tax-Token": TOKEN}).get_json() == {"accepted": True}

    page = page_login(app, UNIT).get("/results/").get_data(as_text=True)
    assert "税务反馈不一致" in page and "在职职工人数不符" in page
    reviewer = page_login(app, "reviewer_anshan", staff=True)
    html = reviewer.get("/review/tax/").get_data(as_text=True)
    assert "发送税务查询" in html and "税务反馈不一致" in html and UNIT in html and "首次报送" in html
    assert "税务反馈不一致 <strong>1</strong> 条" in html
    assert reviewer.get("/review/tax/?status=confirmed").get_data(as_text=True).count("首次报送") == 0
    assert reviewer.get("/review/tax/?year=abc").status_code == 400
    export = reviewer.get("/review/tax/export.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    tasks = client.get("/api/v1/tasks?form=decision", headers=api_login(client, "reviewer_anshan")).get_json()["items"]
    assert [t["title"] for t in tasks] == ["税务反馈不一致处理"]
    assert page_login(app, UNIT).get("/review/tax/").status_code == 403
