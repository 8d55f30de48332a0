"""A whole system (database, engine, real script functions, simulator over HTTP) with the
demo units and staff, driven through the casework services. Jobs run when a test calls
`system.drain()` (job_runner="manual"), timers when it advances the engine clock."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import select

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from casework.demo import load_demo  # noqa: E402
from casework.models import Unit, User  # noqa: E402
from casework.settings import Settings  # noqa: E402
from casework.system import build_system  # noqa: E402


@pytest.fixture
def system(tmp_path, database_url, simulator_url, sim_control):
    settings = Settings(
        var_dir=tmp_path,
        database_url=database_url,
        simulator_url=simulator_url,
        job_runner="manual",
        adapter_timeout=5.0,
    )
    built = build_system(settings, create_schema=True)
    with built.transaction() as session:
        load_demo(session)
    yield built
    built.close()


@pytest.fixture
def employer(system):
    """The first demo employer (a unit under 鞍山, 210302): (unit, user)."""
    with system.transaction() as session:
        unit = session.scalars(select(Unit).order_by(Unit.id)).first()
        user = session.scalar(select(User).where(User.unit_id == unit.id))
        return unit, user


@pytest.fixture
def staff(system):
    def get(login: str) -> User:
        with system.transaction() as session:
            return session.scalar(select(User).where(User.login == login))

    return get
