"""The demo data gives every login something to see, and loading it twice adds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from casework.demo import SEED_UNITS, seed_people
from casework.models import Placement
from casework.models.placement import CONFIRMED, INCOMPLETE, PENDING
from engine.models import InboxTask

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_seeded_people_cover_the_flow(system, population):
    added = seed_people(system, population, 2025)
    assert added == len(SEED_UNITS) * 5
    with system.transaction() as s:
        statuses = dict(s.execute(select(Placement.status, func.count()).group_by(Placement.status)).all())
        assert statuses[CONFIRMED] >= 2 and statuses[PENDING] >= 1 and statuses[INCOMPLETE] >= 2
        assert s.scalar(select(func.count()).select_from(InboxTask).where(InboxTask.role == "reviewer")) >= 1
    assert seed_people(system, population, 2025) == 0
