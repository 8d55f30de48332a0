"""Running the simulator: the command line (`python -m adapters.simulator`) and a
background server for test suites that need the systems over real sockets."""

from __future__ import annotations

import argparse
import threading
from dataclasses import dataclass
from typing import Any

from flask import Flask
from waitress import serve
from waitress.server import create_server

from adapters.simulator.app import create_simulator

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
    host: str = "127.0.0.1",
    port: int = 0,
    threads: int = MIN_THREADS,
    app: Flask | None = None,
) -> BackgroundSimulator:
    """Start on `port` (0 = any free port) and return once the socket is listening."""
    app = app or create_simulator(seed)
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
    parser.add_argument("--threads", type=int, default=MIN_THREADS, help="at least 8")
    args = parser.parse_args(argv)
    app = create_simulator(args.seed)
    print(f"simulator seed={args.seed} on http://{args.host}:{args.port}", flush=True)
    serve(app, host=args.host, port=args.port, threads=max(args.threads, MIN_THREADS))
