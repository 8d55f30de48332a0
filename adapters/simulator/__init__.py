"""A bundled simulator of every outside system, so each service task runs over real HTTP.

`create_simulator(seed, year=)` builds the Flask app for a business year (data for it and
the year before); `serve_in_background()` runs it for tests and the demo;
`python -m adapters.simulator --host 127.0.0.1 --port 8765 [--year 2026]` runs it
stand-alone (the year defaults to $BUSINESS_YEAR, as in the web and job processes).
"""

from adapters.simulator.app import create_simulator
from adapters.simulator.population import Population, generate_population
from adapters.simulator.server import BackgroundSimulator, serve_in_background

__all__ = [
    "BackgroundSimulator",
    "Population",
    "create_simulator",
    "generate_population",
    "serve_in_background",
]
