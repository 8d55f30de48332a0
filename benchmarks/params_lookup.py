"""What one province parameter look-up costs with the owners' changes laid over the files.

Each look-up asks the `ChangeSource` for its generation (the largest change id) to know
whether its layered store is stale. Two ways are measured, on SQLite and PostgreSQL:

- before: every look-up asks the database (what every look-up did before; what a look-up
  made outside any transaction still does);
- after: the look-ups are made inside a transaction of the application's sessions, which
  ask once per transaction (`casework.province_params.ask_once_per_transaction`).

A "look-up" is `params.params_for(region, day)` or `params.minimum_wage(region, y, m)`,
alternating, the way a month check asks them; the database holds a few owners' changes.
Figures are per look-up, in microseconds (p50 / p95 over --iterations look-ups), and per
"month check" of 24 look-ups in one transaction.

    python benchmarks/params_lookup.py [--iterations N] [--no-postgres]

PostgreSQL: a temporary database is created on 127.0.0.1:5432 and dropped afterwards.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

import casework.models  # noqa: E402, F401  (the tables)
import engine.locks  # noqa: E402, F401
from casework import province_params  # noqa: E402
from casework.models import ProvinceParamEntry  # noqa: E402
from domain import params  # noqa: E402
from engine.db import Base, make_engine, make_session_factory  # noqa: E402

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
NOW = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def look_up(i: int) -> None:
    month = i % 12 + 1
    if i % 2:
        params.params_for("330106", date(2026, month, 1))
    else:
        params.minimum_wage("330106", 2026, month)


def fill(factory) -> None:
    with factory() as session, session.begin():
        for i, (key, value, start) in enumerate([
            ("reward_base", "7000", date(2026, 6, 1)),
            ("quota_ratio", "0.016", date(2026, 7, 1)),
            ("upload_limit_mb", 20, date(2026, 5, 1)),
        ]):
            session.add(ProvinceParamEntry(
                province="330000", kind="set", field=key, region="", valid_from=start, value=value,
                note=f"bench {i}", created_by="bench", created_at=NOW,
            ))
        session.add(ProvinceParamEntry(
            province="330000", kind="set", field="minimum_wage", region="330100", valid_from=date(2026, 6, 1),
            value="2600", note="", created_by="bench", created_at=NOW,
        ))


def measure(label: str, url: str, iterations: int) -> None:
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    factory = make_session_factory(engine)
    fill(factory)
    source = province_params.install(engine, factory)
    assert source is not None
    try:
        for i in range(50):  # warm: files parsed, store built, pools filled
            look_up(i)

        def timed(run: Callable[[int], None], times: int = iterations) -> list[float]:
            samples = []
            for i in range(times):
                start = time.perf_counter()
                run(i)
                samples.append((time.perf_counter() - start) * 1e6)
            return samples

        before = timed(look_up)
        with factory() as session, session.begin():
            session.scalar(select(func.count(ProvinceParamEntry.id)))  # the transaction has begun
            after = timed(look_up)

        def month_check(_i: int) -> None:  # 24 look-ups in one short transaction
            with factory() as session, session.begin():
                session.scalar(select(func.count(ProvinceParamEntry.id)))
                for j in range(24):
                    look_up(j)

        def month_check_before(_i: int) -> None:
            for j in range(24):
                look_up(j)

        checks = max(20, iterations // 24)
        old_check = timed(month_check_before, checks)
        new_check = timed(month_check, checks)
    finally:
        source.close()
        engine.dispose()
    b50, b95 = percentiles(before)
    a50, a95 = percentiles(after)
    c50, c95 = percentiles(old_check)
    n50, n95 = percentiles(new_check)
    print(f"{label}: per look-up  before p50 {b50:7.1f} µs  p95 {b95:7.1f} µs | "
          f"after p50 {a50:7.1f} µs  p95 {a95:7.1f} µs")
    print(f"{label}: 24 look-ups  before p50 {c50 / 1000:6.2f} ms  p95 {c95 / 1000:6.2f} ms | "
          f"after (incl. BEGIN, one count query, COMMIT) p50 {n50 / 1000:6.2f} ms  p95 {n95 / 1000:6.2f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=5000)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        measure("SQLite    ", f"sqlite:///{tmp}/bench.db", args.iterations)
    if args.no_postgres:
        return
    import psycopg

    name = f"quotacert_bench_params_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        measure("PostgreSQL", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", args.iterations)
    finally:
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
