"""Fault switches of the simulator and how the clients classify failures.

Outages, injected 500s, timeouts and refused connections must all surface as
SystemUnavailable (the worker retries); the other side's 4xx and garbage as BadResponse.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from flask import Flask, Response, jsonify

from adapters.errors import AdapterError, BadResponse, SystemUnavailable
from adapters.http_clients import Clients, build_clients
from adapters.simulator import BackgroundSimulator, serve_in_background
from adapters.simulator.population import DemoPerson

Control = Callable[..., dict[str, Any]]
Pick = Callable[[str], DemoPerson]


def call_each(clients: Clients, number: str, unit_code: str) -> dict[str, Callable[[], Any]]:
    return {
        "cdpf": lambda: clients.registry.lookup_person(number),
        "veterans": lambda: clients.veterans.certificates(number),
        "pension": lambda: clients.pension.payments(number, 2025),
        "medical": lambda: clients.medical.payments(number, 2025),
        "wage": lambda: clients.wages.wages(number, 2025),
        "placement": lambda: clients.placements.placements(number, 2025),
        "units": lambda: clients.units.unit(unit_code),
        "tax": lambda: clients.tax.push_result(
            {"idempotency_key": "faults-1", "unit_code": unit_code, "year": 2025}
        ),
    }


@pytest.mark.parametrize(
    "system", ["cdpf", "veterans", "pension", "medical", "wage", "placement", "units", "tax"]
)
def test_outage_of_one_system(clients: Clients, control: Control, pick: Pick, system: str) -> None:
    demo = pick("clean")
    calls = call_each(clients, demo.id_number, demo.unit_code)
    control(outage=[system])
    with pytest.raises(SystemUnavailable) as caught:
        calls[system]()
    assert caught.value.system == system and caught.value.status == 503
    assert caught.value.retryable and "模拟停机" in caught.value.message
    other = "medical" if system == "pension" else "pension"
    calls[other]()  # the others keep answering


def test_outage_of_everything(clients: Clients, control: Control, pick: Pick) -> None:
    demo = pick("clean")
    control(outage=["*"])
    for call in call_each(clients, demo.id_number, demo.unit_code).values():
        with pytest.raises(SystemUnavailable):
            call()
    control(outage=[])
    assert clients.registry.lookup_person(demo.id_number) is not None


def test_error_rate_one_always_fails(clients: Clients, control: Control, pick: Pick) -> None:
    number = pick("clean").id_number
    control(error_rate={"wage": 1.0})
    for _ in range(3):
        with pytest.raises(SystemUnavailable) as caught:
            clients.wages.wages(number, 2025)
        assert caught.value.status == 500
    assert clients.pension.payments(number, 2025)  # per-system rate leaves others alone
    control(error_rate=1.0)  # global
    with pytest.raises(SystemUnavailable):
        clients.pension.payments(number, 2025)


def test_partial_error_rate_mixes_outcomes(clients: Clients, control: Control, pick: Pick) -> None:
    number = pick("clean").id_number
    control(error_rate={"medical": 0.5})
    outcomes = []
    for _ in range(60):
        try:
            clients.medical.payments(number, 2025)
            outcomes.append(True)
        except SystemUnavailable:
            outcomes.append(False)
    assert any(outcomes) and not all(outcomes)


def test_latency_longer_than_timeout(simulator_url: str, control: Control, pick: Pick) -> None:
    number = pick("clean").id_number
    control(latency_ms={"pension": 1500})
    with build_clients(simulator_url, timeout=0.3) as impatient:
        with pytest.raises(SystemUnavailable) as caught:
            impatient.pension.payments(number, 2025)
        assert "超时" in caught.value.message
        assert impatient.medical.payments(number, 2025)  # not slowed
    with build_clients(simulator_url, timeout=5.0) as patient:
        assert patient.pension.payments(number, 2025)  # slow but within the timeout


def test_control_state_and_validation(simulator_url: str, control: Control) -> None:
    state = control(latency_ms=50, error_rate={"tax": 0.25}, outage=["units"])
    assert state["latency_ms"] == {"*": 50.0}
    assert state["error_rate"] == {"tax": 0.25}
    assert state["outage"] == ["units"]
    assert httpx.get(f"{simulator_url}/_control").json() == state
    for bad in ({"error_rate": 2}, {"outage": ["nope"]}, {"latency_ms": {"x": 1}}, {"foo": 1}):
        response = httpx.post(f"{simulator_url}/_control", json=bad)
        assert response.status_code == 400 and response.json()["message"]
    assert control(reset=True)["outage"] == []
    # control routes themselves are never disrupted
    control(outage=["*"], error_rate=1.0)
    assert httpx.get(f"{simulator_url}/_health").status_code == 200


def test_refused_connection_is_unavailable(pick: Pick) -> None:
    with socket.socket() as sock:  # a port nobody listens on once closed
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    dead = build_clients(f"http://127.0.0.1:{port}", timeout=2)
    with dead, pytest.raises(SystemUnavailable) as caught:
        dead.registry.lookup_person(pick("clean").id_number)
    assert "无法连接" in caught.value.message


def _broken_app() -> Flask:
    """A real HTTP server that answers like a misbehaving provincial system."""
    app = Flask("broken")

    @app.get("/cdpf/persons/<number>")
    def not_json(number: str) -> Response:
        return Response("<html>网关错误页</html>", status=200, mimetype="text/html")

    @app.get("/pension/<number>")
    def bad_month(number: str) -> Any:
        return jsonify({"months": [{"month": 13, "unit_code": "x", "amount": 0}]})

    @app.get("/medical/<number>")
    def wrong_type(number: str) -> Any:
        return jsonify(["not", "an", "object"])

    @app.get("/wage/<number>")
    def throttled(number: str) -> Any:
        return jsonify({"message": "请求过于频繁"}), 429

    @app.get("/units/<code>")
    def forbidden(code: str) -> Any:
        return jsonify({"message": "无权访问"}), 403

    @app.get("/placement/<number>")
    def missing_key(number: str) -> Any:
        return jsonify({"rows": []})

    return app


@pytest.fixture(scope="module")
def broken() -> Iterator[BackgroundSimulator]:
    running = serve_in_background(app=_broken_app())
    yield running
    running.stop()


def test_malformed_answers(broken: BackgroundSimulator, pick: Pick) -> None:
    number = pick("clean").id_number
    with build_clients(broken.url) as clients:
        for call in (
            lambda: clients.registry.lookup_person(number),
            lambda: clients.pension.payments(number, 2025),
            lambda: clients.medical.payments(number, 2025),
            lambda: clients.placements.placements(number, 2025),
            lambda: clients.units.unit(pick("clean").unit_code),
            lambda: clients.veterans.certificates(number),  # route missing: bare 404
        ):
            with pytest.raises(BadResponse) as caught:
                call()
            assert not caught.value.retryable and caught.value.message
        with pytest.raises(SystemUnavailable):  # 429 is worth retrying
            clients.wages.wages(number, 2025)


def test_errors_share_a_base(clients: Clients, control: Control, pick: Pick) -> None:
    control(outage=["cdpf"])
    with pytest.raises(AdapterError) as caught:
        clients.registry.lookup_person(pick("clean").id_number)
    assert str(caught.value).startswith("[cdpf]")
