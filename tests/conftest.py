"""Shared fixtures: the simulator over real HTTP, and systems on SQLite and PostgreSQL.

PostgreSQL (127.0.0.1:5432) and Redis (127.0.0.1:6379) are the machine's own servers.
Each test run creates its own PostgreSQL database and drops it afterwards. When a server
is unreachable the tests that need it are skipped locally, but fail under CI=true.
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from adapters.simulator import BackgroundSimulator, serve_in_background  # noqa: E402

# Every system a test builds starts its engine clock at this instant (a Wednesday, 10:00
# China time), whatever the machine's date: no result depends on the day the suite runs.
# Tests that need another moment move the clock themselves.
TEST_START = "2026-04-15T10:00:00+08:00"
os.environ["QUOTACERT_CLOCK_START"] = TEST_START
# argon2's cheapest profile for every password the suite hashes (casework.accounts says
# why); tests/web/test_auth.py checks that the product's own default stays the slow one.
os.environ["QUOTACERT_TEST_FAST_HASH"] = "1"

PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
IN_CI = os.environ.get("CI", "").lower() == "true"


def unavailable(what: str, why: str) -> None:
    """Skip locally; under CI a missing server is a failure, not a silent skip."""
    message = f"{what} unreachable: {why}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--machine-date",
        default="",
        help="run the whole suite with the machine's date faked at this ISO instant "
        "(time-machine, ticking from there); scripts/test-dates uses it",
    )


def pytest_configure(config) -> None:
    """With --machine-date, every clock read in this process starts at that instant:
    datetime.now(), date.today() and time.time() (monotonic time and sleeps stay real)."""
    instant = config.getoption("--machine-date", default="")
    if instant:
        import time_machine

        config._machine_date = time_machine.travel(instant, tick=True)
        config._machine_date.start()


def pytest_report_header(config) -> str | None:
    instant = config.getoption("--machine-date", default="")
    return f"machine date faked at {instant}" if instant else None


@pytest.fixture(scope="session")
def simulator() -> Iterator[BackgroundSimulator]:
    running = serve_in_background(seed=2025)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def simulator_url(simulator: BackgroundSimulator) -> str:
    return simulator.url


@pytest.fixture(scope="session")
def population(simulator: BackgroundSimulator):
    return simulator.app.extensions["simulator"]["population"]


@pytest.fixture
def sim_control(simulator_url: str):
    """`sim_control(outage=["pension"])`; the switches are reset afterwards."""
    import httpx

    def post(**body):
        response = httpx.post(f"{simulator_url}/_control", json=body, timeout=5)
        response.raise_for_status()
        return response.json()

    post(reset=True)
    yield post
    post(reset=True)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """Admin URL of the PostgreSQL server, checked once."""
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3):
            pass
    except Exception as exc:  # pragma: no cover - depends on the machine
        unavailable("PostgreSQL", str(exc))
    return PG_ADMIN_URL


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    import psycopg

    name = f"quotacert_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(pg_server, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


@pytest.fixture
def redis_url() -> Iterator[str]:
    """Redis database 15, flushed before and after (RQ's own test habit)."""
    try:
        from redis import Redis

        conn = Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        conn.ping()
    except Exception as exc:  # pragma: no cover - depends on the machine
        unavailable("Redis", str(exc))
    conn.flushdb()
    yield REDIS_URL
    conn.flushdb()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """Each test using this runs twice: on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'quotacert.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def system(tmp_path, database_url, simulator_url, sim_control):
    """A whole system (database, engine, real script functions, the simulator over HTTP)
    with the demo units and staff. Jobs run when a test calls `system.drain()`."""
    from casework.demo import load_demo
    from casework.settings import Settings
    from casework.system import build_system

    settings = Settings(
        var_dir=tmp_path, database_url=database_url, simulator_url=simulator_url,
        job_runner="manual", adapter_timeout=5.0,
    )
    built = build_system(settings, create_schema=True)
    with built.transaction() as session:
        load_demo(session)
    yield built
    built.close()


@pytest.fixture
def employer(system):
    """The first demo employer (a unit under 鞍山, 210302): (unit, user)."""
    from sqlalchemy import select

    from casework.models import Unit, User

    with system.transaction() as session:
        unit = session.scalars(select(Unit).order_by(Unit.id)).first()
        user = session.scalar(select(User).where(User.unit_id == unit.id))
        return unit, user


@pytest.fixture
def staff(system):
    """`staff("reviewer_anshan")`: a demo staff user."""
    from sqlalchemy import select

    from casework.models import User

    def get(login: str):
        with system.transaction() as session:
            return session.scalar(select(User).where(User.login == login))

    return get
