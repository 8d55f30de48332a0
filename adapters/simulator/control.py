"""Fault switches of the simulator: latency, random 500s and outages, per system or global.

They exist so that retries, timeouts and escalation paths of the service tasks can be
exercised over real HTTP. The data stays deterministic; only the injected errors draw
from a `random.Random` seeded once per process, so a rate of 0.3 really fails about 30%.
State lives in memory of one process (each waitress process has its own).
"""

from __future__ import annotations

import random
import threading
import time
from typing import Any

from adapters.errors import SYSTEM_LABELS, system_label

SYSTEMS: tuple[str, ...] = tuple(SYSTEM_LABELS)
ALL = "*"
MAX_LATENCY_MS = 600_000


class ControlError(ValueError):
    """A control request the simulator cannot apply (answered with 400)."""


class ControlState:
    def __init__(self, seed: int = 2025) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self.latency_ms: dict[str, float] = {}
        self.error_rate: dict[str, float] = {}
        self.outage: set[str] = set()

    def reset(self) -> None:
        with self._lock:
            self.latency_ms, self.error_rate, self.outage = {}, {}, set()

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {
                "latency_ms": dict(sorted(self.latency_ms.items())),
                "error_rate": dict(sorted(self.error_rate.items())),
                "outage": sorted(self.outage),
                "systems": list(SYSTEMS),
            }

    def update(self, body: Any) -> None:
        """Apply `{"reset"?, "latency_ms"?, "error_rate"?, "outage"?}`; all-or-nothing."""
        if not isinstance(body, dict):
            raise ControlError("请求体须为JSON对象")
        unknown = set(body) - {"reset", "latency_ms", "error_rate", "outage"}
        if unknown:
            raise ControlError(f"未知的控制项：{', '.join(sorted(unknown))}")
        latency = _per_system(body.get("latency_ms"), "latency_ms", 0, MAX_LATENCY_MS)
        errors = _per_system(body.get("error_rate"), "error_rate", 0, 1)
        outage = _systems(body["outage"]) if "outage" in body else None
        with self._lock:
            if body.get("reset"):
                self.latency_ms, self.error_rate, self.outage = {}, {}, set()
            self.latency_ms.update(latency)
            self.error_rate.update(errors)
            if outage is not None:
                self.outage = outage

    def disruption(self, system: str) -> tuple[int, dict[str, Any]] | None:
        """Sleep for the configured latency, then maybe answer 503 (outage) or 500 (error)."""
        with self._lock:
            delay = self.latency_ms.get(system, self.latency_ms.get(ALL, 0.0))
            down = system in self.outage or ALL in self.outage
            rate = self.error_rate.get(system, self.error_rate.get(ALL, 0.0))
            failed = rate > 0 and self._rng.random() < rate
        if delay:
            time.sleep(delay / 1000)
        label = system_label(system)
        if down:
            return 503, {
                "error": "outage",
                "system": system,
                "message": f"{label}正在维护，暂时无法提供服务（模拟停机）",
            }
        if failed:
            return 500, {
                "error": "injected",
                "system": system,
                "message": f"{label}内部错误（模拟故障）",
            }
        return None


def _per_system(value: Any, name: str, low: float, high: float) -> dict[str, float]:
    """A bare number means all systems ("*"); an object sets individual systems."""
    if value is None:
        return {}
    items = value.items() if isinstance(value, dict) else [(ALL, value)]
    out: dict[str, float] = {}
    for system, number in items:
        if system != ALL and system not in SYSTEMS:
            raise ControlError(f"{name} 中的系统名无效：{system}")
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise ControlError(f"{name} 须为数值")
        if not low <= number <= high:
            raise ControlError(f"{name} 须在 {low} 到 {high} 之间")
        out[system] = float(number)
    return out


def _systems(value: Any) -> set[str]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ControlError("outage 须为系统名数组")
    bad = [s for s in value if s != ALL and s not in SYSTEMS]
    if bad:
        raise ControlError(f"outage 中的系统名无效：{', '.join(bad)}")
    return set(value)
