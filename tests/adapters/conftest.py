"""Fixtures that run the simulator as a real HTTP server (waitress, background thread).

Every test in this folder talks to it over sockets; nothing HTTP is mocked. The server is
started once per session; tests that flip fault switches use the `control` fixture, which
resets the switches afterwards so other tests see a healthy simulator.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the project is not installed; make `adapters` importable
    sys.path.insert(0, str(ROOT))

from adapters.http_clients import Clients, build_clients  # noqa: E402
from adapters.simulator.population import DemoPerson, Population  # noqa: E402


@pytest.fixture
def clients(simulator_url: str) -> Iterator[Clients]:
    with build_clients(simulator_url, timeout=5.0) as built:
        yield built


@pytest.fixture
def control(sim_control: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """`control(outage=["pension"])` posts to /_control; switches are reset afterwards
    (the shared `sim_control` of tests/conftest.py, under this folder's name)."""
    return sim_control


@pytest.fixture
def pick(population: Population) -> Callable[[str], DemoPerson]:
    """The first person of a scenario."""

    def first(scenario: str) -> DemoPerson:
        found = population.select(scenario=scenario)
        assert found, f"no person with scenario {scenario}"
        return found[0]

    return first
