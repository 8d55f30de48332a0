"""Real HTTP clients, one per outside system, each implementing its Protocol.

They speak the routes documented in `adapters/simulator/app.py`; a real provincial
system with different routes gets its own client class with the same Protocol, and
`build_clients` can point each system at its own base URL.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from adapters import wire
from adapters.http_base import DEFAULT_TIMEOUT, JsonHttp, parse, path_segment
from adapters.protocols import (
    CertificateRegistry,
    MedicalInsurance,
    PensionInsurance,
    PlacementRegistry,
    TaxBureau,
    UnitFact,
    UnitRegistry,
    VeteranRegistry,
    WageData,
)
from domain.facts import CertificateFact, MonthlyPayment, OtherPlacement, PersonFact


class HttpCertificateRegistry:
    system = "cdpf"

    def __init__(self, http: JsonHttp) -> None:
        self.http = http

    def lookup_person(self, id_number: str) -> PersonFact | None:
        path = f"/cdpf/persons/{path_segment(id_number)}"
        body = self.http.find_json(self.system, path)
        return None if body is None else parse(self.system, wire.person_from_json, body)


class HttpVeteranRegistry:
    system = "veterans"

    def __init__(self, http: JsonHttp) -> None:
        self.http = http

    def certificates(self, id_number: str) -> list[CertificateFact]:
        path = f"/veterans/certificates/{path_segment(id_number)}"
        body = self.http.get_json(self.system, path)
        return parse(self.system, wire.certificates_from_json, body)


class _YearRows:
    """Shared GET /<system>/<id>?year= returning `{"months": [...]}` (empty: no record)."""

    system = ""

    def __init__(self, http: JsonHttp) -> None:
        self.http = http

    def _rows(self, id_number: str, year: int) -> list[MonthlyPayment]:
        path = f"/{self.system}/{path_segment(id_number)}"
        body = self.http.get_json(self.system, path, params={"year": year})
        return parse(self.system, wire.payments_from_json, body)


class HttpPensionInsurance(_YearRows):
    system = "pension"

    def payments(self, id_number: str, year: int) -> list[MonthlyPayment]:
        return self._rows(id_number, year)


class HttpMedicalInsurance(_YearRows):
    system = "medical"

    def payments(self, id_number: str, year: int) -> list[MonthlyPayment]:
        return self._rows(id_number, year)


class HttpWageData(_YearRows):
    system = "wage"

    def wages(self, id_number: str, year: int) -> list[MonthlyPayment]:
        return self._rows(id_number, year)


class HttpPlacementRegistry:
    system = "placement"

    def __init__(self, http: JsonHttp) -> None:
        self.http = http

    def placements(self, id_number: str, year: int) -> list[OtherPlacement]:
        path = f"/placement/{path_segment(id_number)}"
        body = self.http.get_json(self.system, path, params={"year": year})
        return parse(self.system, wire.placements_from_json, body)


class HttpUnitRegistry:
    system = "units"

    def __init__(self, http: JsonHttp) -> None:
        self.http = http

    def unit(self, credit_code: str) -> UnitFact | None:
        path = f"/units/{path_segment(credit_code.strip().upper())}"
        body = self.http.find_json(self.system, path)
        return None if body is None else parse(self.system, wire.unit_from_json, body)


class HttpTaxBureau:
    system = "tax"

    def __init__(self, http: JsonHttp) -> None:
        self.http = http

    def push_result(self, payload: dict[str, Any]) -> dict[str, Any]:
        """POST the result; the key travels in the body and the Idempotency-Key header so a
        retry after a timeout (when we cannot know whether the first push arrived) is safe."""
        key = payload.get("idempotency_key")
        if not isinstance(key, str) or not key.strip():
            raise ValueError("push_result needs a non-empty payload['idempotency_key']")
        body = self.http.post_json(
            self.system, "/tax/results", payload, headers={"Idempotency-Key": key}
        )
        return parse(self.system, _receipt, body)


def _receipt(body: dict[str, Any]) -> dict[str, Any]:
    if not isinstance(body.get("receipt_no"), str) or not body["receipt_no"]:
        raise wire.WireError("回执缺少 receipt_no")
    return body


@dataclass
class Clients:
    """One client per outside system, so a worker gets all of them from one factory call."""

    registry: CertificateRegistry
    veterans: VeteranRegistry
    pension: PensionInsurance
    medical: MedicalInsurance
    wages: WageData
    placements: PlacementRegistry
    units: UnitRegistry
    tax: TaxBureau

    def close(self) -> None:
        """Close the underlying connection pools (each distinct JsonHttp once)."""
        seen: set[int] = set()
        for f in fields(self):
            http = getattr(getattr(self, f.name), "http", None)
            if isinstance(http, JsonHttp) and id(http) not in seen:
                seen.add(id(http))
                http.close()

    def __enter__(self) -> Clients:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


_CLASSES: dict[str, tuple[str, type]] = {
    "registry": ("cdpf", HttpCertificateRegistry),
    "veterans": ("veterans", HttpVeteranRegistry),
    "pension": ("pension", HttpPensionInsurance),
    "medical": ("medical", HttpMedicalInsurance),
    "wages": ("wage", HttpWageData),
    "placements": ("placement", HttpPlacementRegistry),
    "units": ("units", HttpUnitRegistry),
    "tax": ("tax", HttpTaxBureau),
}


def build_clients(
    base_url: str,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    overrides: Mapping[str, str] | None = None,
    timeouts: Mapping[str, float] | None = None,
) -> Clients:
    """All clients against one base URL (the simulator); `overrides`/`timeouts` are keyed by
    system name (cdpf, veterans, pension, medical, wage, placement, units, tax) for a
    deployment where some systems live elsewhere or answer more slowly."""
    overrides = overrides or {}
    timeouts = timeouts or {}
    unknown = (set(overrides) | set(timeouts)) - {s for s, _ in _CLASSES.values()}
    if unknown:
        raise ValueError(f"unknown systems: {sorted(unknown)}")
    shared = JsonHttp(base_url, timeout=timeout)  # one connection pool for the base URL
    built: dict[str, Any] = {}
    for attr, (system, cls) in _CLASSES.items():
        if system in overrides or system in timeouts:
            http = JsonHttp(overrides.get(system, base_url), timeout=timeouts.get(system, timeout))
        else:
            http = shared
        built[attr] = cls(http)
    return Clients(**built)
