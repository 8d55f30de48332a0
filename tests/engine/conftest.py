"""Engine fixtures: a database (SQLite and PostgreSQL, via `database_url`), our test-only
diagrams registered in it, a runtime and a job executor. No case model is involved."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from enginekit import SPANS, build_env  # noqa: E402


@pytest.fixture
def env(database_url):
    built = build_env(database_url)
    SPANS.reset()
    yield built
    SPANS.reset()
    built.factory.kw["bind"].dispose()
