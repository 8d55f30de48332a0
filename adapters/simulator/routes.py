"""The outside-system routes the HTTP clients call. Wire shapes come from adapters.wire.

GET  /cdpf/persons/<id>                -> person JSON (404 {"error": "no_record"} when unknown)
GET  /veterans/certificates/<id>       -> {"id_number", "certificates": [...]}
GET  /pension/<id>?year=YYYY           -> {"id_number", "year", "months": [{month, unit_code, amount}]}
GET  /medical/<id>?year=YYYY           -> same
GET  /wage/<id>?year=YYYY              -> same, amount in yuan
GET  /placement/<id>?year=YYYY         -> {"id_number", "year", "placements": [{month, unit_code}]}
GET  /units/<credit_code>              -> {credit_code, name, region, nature, address} (404 no_record)
POST /tax/results                      -> receipt (201 first time, 200 replay, 409 key reuse)
GET  /tax/results                      -> {"results": [{"receipt", "payload"}]}
GET  /tax/confirmations                -> {"confirmations": [...]} (一致/不一致, sent to callback_url)
GET|POST /tax/settings                 -> delay_seconds, callback_url/token, inconsistent units, counts
Malformed ID numbers, codes or years answer 400.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request

from adapters import wire
from adapters.simulator.population import Population
from adapters.simulator.tax import TaxInbox, TaxRejected
from adapters.wire import NO_RECORD
from domain.credit_code import is_valid_credit_code
from domain.id_number import is_valid_id_number, normalize


def _bad(message: str) -> tuple[Any, int]:
    return jsonify({"error": "bad_request", "message": message}), 400


def _no_record(message: str) -> tuple[Any, int]:
    """The system looked and found nothing (clients map this, and only this, 404 to None)."""
    return jsonify({"error": NO_RECORD, "message": message}), 404


def _year() -> int | None:
    raw = request.args.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else None


def register_system_routes(app: Flask, population: Population, tax: TaxInbox) -> None:
    def rows(kind: str, id_number: str) -> Any:
        number = normalize(id_number)
        if not is_valid_id_number(number):
            return _bad("身份证号格式不正确")
        year = _year()
        if year is None:
            return _bad("参数 year 须为四位年份")
        person = population.person(number)
        payments = getattr(person, kind).get(year, ()) if person else ()
        return jsonify(
            {
                "id_number": number,
                "year": year,
                "months": [wire.payment_to_json(p) for p in payments],
            }
        )

    @app.get("/cdpf/persons/<id_number>")
    def cdpf_person(id_number: str) -> Any:
        number = normalize(id_number)
        if not is_valid_id_number(number):
            return _bad("身份证号格式不正确")
        person = population.person(number)
        if person is None or not person.in_registry:
            return _no_record("残疾人证信息库中未查询到该身份证号")
        return jsonify(wire.person_to_json(person.person))

    @app.get("/veterans/certificates/<id_number>")
    def veteran_certificates(id_number: str) -> Any:
        number = normalize(id_number)
        if not is_valid_id_number(number):
            return _bad("身份证号格式不正确")
        person = population.person(number)
        certs = person.veteran_certificates if person else ()
        return jsonify(
            {"id_number": number, "certificates": [wire.certificate_to_json(c) for c in certs]}
        )

    @app.get("/pension/<id_number>")
    def pension(id_number: str) -> Any:
        return rows("pension", id_number)

    @app.get("/medical/<id_number>")
    def medical(id_number: str) -> Any:
        return rows("medical", id_number)

    @app.get("/wage/<id_number>")
    def wage(id_number: str) -> Any:
        return rows("wages", id_number)

    @app.get("/placement/<id_number>")
    def placement(id_number: str) -> Any:
        number = normalize(id_number)
        if not is_valid_id_number(number):
            return _bad("身份证号格式不正确")
        year = _year()
        if year is None:
            return _bad("参数 year 须为四位年份")
        person = population.person(number)
        found = person.placements.get(year, ()) if person else ()
        return jsonify(
            {
                "id_number": number,
                "year": year,
                "placements": [wire.placement_to_json(p) for p in found],
            }
        )

    @app.get("/units/<credit_code>")
    def unit(credit_code: str) -> Any:
        code = credit_code.strip().upper()
        if not is_valid_credit_code(code):
            return _bad("统一社会信用代码格式不正确")
        found = population.unit(code)
        if found is None:
            return _no_record("市场监管登记中未查询到该单位")
        return jsonify(wire.unit_to_json(found.to_fact()))

    @app.post("/tax/results")
    def tax_push() -> Any:
        try:
            status, receipt = tax.submit(
                request.get_json(silent=True), request.headers.get("Idempotency-Key")
            )
        except TaxRejected as exc:
            error = "conflict" if exc.status == 409 else "bad_request"
            return jsonify({"error": error, "message": exc.message}), exc.status
        return jsonify(receipt), status

    @app.get("/tax/results")
    def tax_list() -> Any:
        return jsonify({"results": tax.all()})

    @app.get("/tax/confirmations")
    def tax_confirmations() -> Any:
        return jsonify({"confirmations": tax.confirmations()})

    @app.route("/tax/settings", methods=["GET", "POST"])
    def tax_settings() -> Any:
        try:
            return jsonify(tax.settings(request.get_json(silent=True) if request.method == "POST" else None))
        except TaxRejected as exc:
            return jsonify({"error": "bad_request", "message": exc.message}), exc.status
