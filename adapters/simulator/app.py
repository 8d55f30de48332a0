"""The simulator web app: every outside system over real HTTP, plus control routes.

It serves one business year (and the year before it) of one seed's population: start it
with the business year of the system that calls it (`year=`, `--year`, BUSINESS_YEAR).

Control and inspection routes (never used by production clients):
GET  /_health                                   -> {"status": "ok", "seed", "year", "people", "units"}
GET  /_control                                  -> {"latency_ms", "error_rate", "outage", "systems"}
POST /_control  {"reset"?: true, "latency_ms"?: n | {system: n}, "error_rate"?: r | {system: r},
                 "outage"?: [system | "*"]}     -> the new state (400 on an invalid request)
GET  /_units                                    -> {"units": [unit + role, parent, people]}
GET  /_scenarios                                -> {"scenarios": {name: 中文说明}}
GET  /_people?unit=&scenario=&year=&limit=&offset= -> {"total", "people": [...]}
Fault switches apply to the system routes only (first path segment = system name).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request

from adapters import wire
from adapters.simulator.control import SYSTEMS, ControlError, ControlState
from adapters.simulator.population import (
    BUSINESS_YEAR,
    SCENARIOS,
    DemoPerson,
    Population,
    generate_population,
)
from adapters.simulator.routes import register_system_routes
from adapters.simulator.tax import TaxInbox


def create_simulator(
    seed: int = 2025, *, year: int = BUSINESS_YEAR, population: Population | None = None
) -> Flask:
    """The simulator for business `year` (ignored when a `population` is given)."""
    population = population or generate_population(seed, year)
    control = ControlState(seed)
    tax = TaxInbox()
    app = Flask("quotacert_simulator")
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions["simulator"] = {"population": population, "control": control, "tax": tax}

    @app.before_request
    def inject_faults() -> Any:
        system = request.path.strip("/").split("/", 1)[0]
        if system in SYSTEMS:
            hit = control.disruption(system)
            if hit is not None:
                status, body = hit
                return jsonify(body), status
        return None

    @app.errorhandler(404)
    def not_found(_: Exception) -> Any:
        return jsonify({"error": "not_found", "message": "未找到请求的资源"}), 404

    @app.errorhandler(405)
    def not_allowed(_: Exception) -> Any:
        return jsonify({"error": "method_not_allowed", "message": "不支持的请求方法"}), 405

    register_system_routes(app, population, tax)

    @app.get("/_health")
    def health() -> Any:
        return jsonify(
            {
                "status": "ok",
                "seed": population.seed,
                "year": population.year,
                "people": len(population.people),
                "units": len(population.units),
            }
        )

    @app.route("/_control", methods=["GET", "POST"])
    def control_route() -> Any:
        if request.method == "POST":
            body = request.get_json(silent=True)
            try:
                control.update(body)
            except ControlError as exc:
                return jsonify({"error": "bad_request", "message": str(exc)}), 400
            if isinstance(body, dict) and body.get("reset"):
                tax.clear()
        return jsonify(control.snapshot())

    @app.get("/_units")
    def units() -> Any:
        counts = {u.code: len(population.select(unit=u.code)) for u in population.units}
        return jsonify(
            {
                "units": [
                    {
                        **wire.unit_to_json(u.to_fact()),
                        "role": u.role,
                        "parent": u.parent,
                        "people": counts[u.code],
                    }
                    for u in population.units
                ]
            }
        )

    @app.get("/_scenarios")
    def scenarios() -> Any:
        return jsonify({"scenarios": SCENARIOS})

    @app.get("/_people")
    def people() -> Any:
        args = request.args
        scenario = args.get("scenario") or None
        if scenario is not None and scenario not in SCENARIOS:
            return jsonify({"error": "bad_request", "message": f"未知场景：{scenario}"}), 400
        try:
            year = int(args["year"]) if args.get("year") else None
            limit = max(0, int(args.get("limit", 1000)))
            offset = max(0, int(args.get("offset", 0)))
        except ValueError:
            return jsonify({"error": "bad_request", "message": "year、limit、offset 须为整数"}), 400
        unit = (args.get("unit") or "").strip().upper() or None
        found = population.select(unit=unit, scenario=scenario, year=year)
        return jsonify(
            {
                "total": len(found),
                "people": [person_summary(p, population) for p in found[offset : offset + limit]],
            }
        )

    return app


def person_summary(person: DemoPerson, population: Population) -> dict[str, Any]:
    """What the demo loader needs to declare a person: identity, contract, manual certificates."""
    unit = population.unit(person.unit_code)
    return {
        **wire.person_to_json(person.person),
        "unit_code": person.unit_code,
        "unit_name": unit.name if unit else "",
        "scenario": person.scenario,
        "scenario_label": SCENARIOS[person.scenario],
        "in_registry": person.in_registry,
        "years": [y for y in sorted(person.placements) if person.employed_in(y)],
        "contracts": [wire.contract_to_json(c) for c in person.contracts],
        "manual_certificates": [wire.certificate_to_json(c) for c in person.manual_certificates],
        "veteran_certificates": [wire.certificate_to_json(c) for c in person.veteran_certificates],
    }
