"""`python -m adapters.simulator` starts a waitress server that answers over HTTP."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_command_line_server() -> None:
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "adapters.simulator",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--seed",
            "7",
        ],
        cwd=ROOT,
        # the year served follows BUSINESS_YEAR; this test is about the default one
        env={k: v for k, v in os.environ.items() if k != "BUSINESS_YEAR"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_health", timeout=1).json()
                break
            except httpx.TransportError:
                assert process.poll() is None, process.stdout.read() if process.stdout else ""
                assert time.monotonic() < deadline, "simulator did not start"
                time.sleep(0.1)
        assert health == {"status": "ok", "seed": 7, "year": 2025, "people": 300, "units": 11}
    finally:
        process.terminate()
        process.wait(timeout=10)
