"""Running the simulator: the command line (`python -m adapters.simulator`,
`quotacert simulator`) and a background server for test suites and the demo.

Both take the business year to serve; the command line defaults to the BUSINESS_YEAR
environment variable, the same one the web and job processes read, so that a simulator
started beside them serves the year they ask for.
"""

from __future__ import annotations

import argparse
import os
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask
from waitress import serve
from waitress.server import create_server

from adapters.simulator.app import create_simulator
from adapters.simulator.population import BUSINESS_YEAR, MAX_YEAR, MIN_YEAR

MIN_THREADS = 8


@dataclass
class BackgroundSimulator:
    """A simulator served by waitress in a daemon thread; `url` has no trailing slash."""

    app: Flask
    url: str
    _server: object
    _thread: threading.Thread

    def stop(self) -> None:
        """Close every socket from inside the server's own loop thread (closing them from
        here would race with the loop), so the loop ends even with keep-alive clients."""
        server: Any = self._server

        def close_all() -> None:
            for channel in list(server._map.values()):
                channel.close()

        server.trigger.pull_trigger(close_all)
        self._thread.join(timeout=5)
        server.task_dispatcher.shutdown(timeout=2)


def serve_in_background(
    seed: int = 2025,
    *,
    year: int = BUSINESS_YEAR,
    host: str = "127.0.0.1",
    port: int = 0,
    threads: int = MIN_THREADS,
    app: Flask | None = None,
) -> BackgroundSimulator:
    """Start on `port` (0 = any free port) for business `year` and return once the socket
    is listening."""
    app = app or create_simulator(seed, year=year)
    server = create_server(app, host=host, port=port, threads=max(threads, MIN_THREADS))
    thread = threading.Thread(target=server.run, name="simulator", daemon=True)
    thread.start()
    url = f"http://{host}:{server.effective_port}"  # type: ignore[union-attr]
    return BackgroundSimulator(app=app, url=url, _server=server, _thread=thread)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m adapters.simulator",
        description="Simulated outside systems (残联, 退役军人, 人社, 医保, 工资, 市场监管, 税务)",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument(
        "--year",
        default=os.environ.get("BUSINESS_YEAR") or str(BUSINESS_YEAR),
        help="business year served (with the year before it); default: $BUSINESS_YEAR or "
        f"{BUSINESS_YEAR}",
    )
    parser.add_argument("--threads", type=int, default=MIN_THREADS, help="at least 8")
    args = parser.parse_args(argv)
    year = _year(parser, args.year)
    app = create_simulator(args.seed, year=year)
    print(f"simulator seed={args.seed} year={year} on http://{args.host}:{args.port}", flush=True)
    serve(app, host=args.host, port=args.port, threads=max(args.threads, MIN_THREADS))


def _year(parser: argparse.ArgumentParser, raw: str) -> int:
    """The business year from --year / BUSINESS_YEAR, or exit with a Chinese message."""
    text = str(raw).strip()
    if not text.isdigit() or not MIN_YEAR <= int(text) <= MAX_YEAR:
        parser.error(f"业务年度须为 {MIN_YEAR}–{MAX_YEAR} 之间的四位年份，当前为：{raw}")
    return int(text)
