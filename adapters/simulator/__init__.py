"""A bundled simulator of every outside system, so each service task runs over real HTTP.

`create_simulator(seed)` builds the Flask app; `serve_in_background()` runs it for tests;
`python -m adapters.simulator --host 127.0.0.1 --port 8765` runs it stand-alone.
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
