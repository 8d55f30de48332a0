"""A system (engine, database, adapters) with demo units, driven without the web layer."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework.demo import load_demo
from casework.models import Unit, User
from casework.settings import Settings
from casework.system import build_system


@pytest.fixture
def system(tmp_path, database_url, simulator_url):
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
    """The first demo employer: (unit, user)."""
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
