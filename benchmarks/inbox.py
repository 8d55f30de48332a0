"""The workbench inbox at national scale: 1,000,000 cases and 200,000 open tasks on
PostgreSQL, over the real region tree (every current county), read the way the workbench
reads it (`casework.review.inbox` and `tab_counts`) by a county, a city and a province
reviewer: the first page, page 200 and the tab counts, each without and with a search.

    python benchmarks/inbox.py [--database-url URL] [--cases N] [--tasks N] [--runs 30] [--keep]

Without --database-url a PostgreSQL database `quotacert_bench_inbox` is created on
127.0.0.1:5432 (filled once; --keep leaves it for the next run, otherwise it is dropped).
Prints p50 and p95 per query (target: p95 ≤ 50 ms for every one), and the EXPLAIN
(ANALYZE, BUFFERS) of the slowest.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import inspect, text  # noqa: E402

import casework.models  # noqa: E402, F401  (the tables)
import engine.locks  # noqa: E402, F401
from casework import review  # noqa: E402
from domain import regions  # noqa: E402
from engine.db import Base, make_engine, make_session_factory  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
BENCH_DB = "quotacert_bench_inbox"
NOW = datetime(2026, 4, 15, 2, 0, tzinfo=UTC)
TARGET_MS = 50.0


def counties() -> list[str]:
    found = []
    for province in regions.children(None):
        for city in regions.children(province.code):
            kids = regions.children(city.code)
            found.extend(k.code for k in kids if k.level == "county")
            if city.level == "county":
                found.append(city.code)
    return sorted(set(found))


def _defaults(table) -> dict[str, str]:
    """A SQL value for every NOT NULL column (the models' defaults are Python-side)."""
    values = {}
    for column in table.columns:
        if column.primary_key or column.nullable:
            continue
        kind = column.type.__class__.__name__
        values[column.name] = {
            "String": "''", "Text": "''", "Integer": "0", "Boolean": "false", "DateTime": "now()",
            "JSON": "'{}'", "Numeric": "0", "Date": "current_date",
        }.get(kind, "''")
    return values


def insert_select(conn, table: str, overrides: dict[str, str], source: str) -> None:
    t = Base.metadata.tables[table]
    values = {**_defaults(t), **overrides}
    columns = ", ".join(values)
    exprs = ", ".join(values.values())
    conn.execute(text(f"INSERT INTO {table} ({columns}) SELECT {exprs} FROM {source}"))


def fill(url: str, n_cases: int, n_tasks: int) -> None:
    engine = make_engine(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    codes = counties()
    units = n_cases // 2  # two business years per unit
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE county AS SELECT row_number() OVER () - 1 AS n, c AS code FROM unnest(CAST(:codes AS text[])) AS c"), {"codes": codes})
        conn.execute(text("ALTER TABLE county ADD PRIMARY KEY (n)"))
        nc = len(codes)
        insert_select(conn, "unit", {
            "id": "g", "credit_code": "'9121' || lpad(g::text, 14, '0')", "name": "'示范单位' || g",
            "cdpf_region": f"(SELECT code FROM county WHERE n = (g::bigint * 7919) % {nc})",
        }, f"generate_series(1, {units}) AS g")
        insert_select(conn, "certification_case", {
            "id": "g", "unit_id": f"(g - 1) % {units} + 1", "year": f"CASE WHEN g <= {units} THEN 2024 ELSE 2025 END",
            "region_code": f"(SELECT code FROM county WHERE n = ((((g - 1) % {units}) + 1)::bigint * 7919) % {nc})",
        }, f"generate_series(1, {n_cases}) AS g")
        conn.execute(text("INSERT INTO spec_version (id, process_id, province, content_hash, filename, bpmn_xml, name, is_current, created_at, updated_at) VALUES (1, 'placement_review', '', 'x', 'x', '', 'x', true, now(), now())"))
        # open tasks on this year's cases: 80 % 安置登记审核 (a person), 15 % 发送税务部门, 5 % 逾期督办
        insert_select(conn, "process_instance", {
            "id": "g", "spec_version_id": "1", "process_id": "'placement_review'", "case_ref": f"'case:' || ({units} + g)",
            "case_id": f"{units} + g", "subject_ref": "'placement:' || g", "subject_id": "g",
            "region_code": f"(SELECT region_code FROM certification_case WHERE id = {units} + g)", "status": "'running'",
        }, f"generate_series(1, {n_tasks}) AS g")
        insert_select(conn, "placement", {
            "id": "g", "case_id": f"{units} + g", "id_number": "'2103021980' || lpad(g::text, 8, '0')",
            "name": "(ARRAY['张','王','李','赵','刘','陈','杨','黄'])[g % 8 + 1] || (ARRAY['伟','芳','娜','敏','静','磊','洋','勇'])[(g / 8) % 8 + 1] || (g % 97)",
        }, f"generate_series(1, {n_tasks}) AS g")
        insert_select(conn, "inbox_task", {
            "task_id": "md5(g::text)::uuid::text", "instance_id": "g", "process_id": "'placement_review'",
            "task_name": "CASE WHEN g % 20 < 16 THEN 'manual_review' WHEN g % 20 < 19 THEN 'send_to_tax' ELSE 'supervise' END",
            "title": "CASE WHEN g % 20 < 16 THEN '安置登记审核' WHEN g % 20 < 19 THEN '发送税务部门' ELSE '逾期督办' END",
            "form": "CASE WHEN g % 20 < 16 THEN 'placement_review' WHEN g % 20 < 19 THEN 'case_send_tax' ELSE 'supervision' END",
            "role": "CASE WHEN g % 20 < 19 THEN 'reviewer' ELSE 'supervisor' END",
            "region_code": f"(SELECT region_code FROM certification_case WHERE id = {units} + g)",
            "case_ref": f"'case:' || ({units} + g)", "case_id": f"{units} + g",
            "subject_ref": "CASE WHEN g % 20 < 16 THEN 'placement:' || g ELSE 'unit:' || g END", "subject_id": "g",
            "case_label": "(SELECT name || ' ' || credit_code FROM unit WHERE id = g)",
            "subject_label": "CASE WHEN g % 20 < 16 THEN (SELECT name || ' ' || id_number FROM placement WHERE id = g) ELSE '' END",
            "due_at": f"'{NOW.isoformat()}'::timestamptz + ((g % 40) - 10) * interval '1 day'",
            "created_at": f"'{NOW.isoformat()}'::timestamptz - (g % 30) * interval '1 day'",
        }, f"generate_series(1, {n_tasks}) AS g")
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    print(f"filled {n_cases:,} cases, {units:,} units, {n_tasks:,} open tasks over {len(codes):,} counties in {time.perf_counter() - started:.0f} s")
    engine.dispose()


def busiest(conn, length: int) -> str:
    """The region (county: 6, city: 4, province: 2 digits of prefix) with the most tasks."""
    prefix = conn.execute(text(
        f"SELECT substr(region_code, 1, {length}) AS p FROM inbox_task WHERE role = 'reviewer' GROUP BY p ORDER BY count(*) DESC LIMIT 1"
    )).scalar()
    return prefix.ljust(6, "0")


def measure(url: str, runs: int) -> None:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    with engine.connect() as conn:
        scopes = {"county": busiest(conn, 6), "city": busiest(conn, 4), "province": busiest(conn, 2)}
    until = NOW + timedelta(days=2)
    rows = []
    for scope, code in scopes.items():
        user = SimpleNamespace(role="reviewer", region_code=code, login=f"reviewer_{code}")
        with factory() as session:
            total = review.inbox(session, user, now=NOW, soon_until=until).total
        for search in ("", "示范单位1"):
            filters = review.InboxFilter(q=search)
            cases = {
                "first page": lambda s, u=user, f=filters: review.inbox(s, u, now=NOW, filters=f, soon_until=until),
                "page 200": lambda s, u=user, f=filters: review.inbox(s, u, now=NOW, filters=f, soon_until=until, page=200),
                "tab counts": lambda s, u=user, f=filters: review.tab_counts(s, u, now=NOW, filters=f, soon_until=until),
            }
            for name, call in cases.items():
                times = []
                for i in range(runs + 2):
                    with factory() as session:
                        captured: list[str] = []
                        if i == 0:
                            from sqlalchemy import event

                            def keep(conn, cursor, statement, parameters, context, executemany, captured=captured):
                                captured.append((statement, parameters))

                            event.listen(engine, "before_cursor_execute", keep)
                        t0 = time.perf_counter()
                        call(session)
                        elapsed = (time.perf_counter() - t0) * 1000
                        if i == 0:
                            event.remove(engine, "before_cursor_execute", keep)
                            statements_of_case = list(captured)
                    if i >= 2:  # two warm-up runs
                        times.append(elapsed)
                times.sort()
                p50 = statistics.median(times)
                p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
                rows.append((scope, code, total, "with search" if search else "no search", name, p50, p95, statements_of_case))
    print(f"\n{'reviewer':9} {'region':7} {'tasks':>6}  {'search':11} {'query':11} {'p50 ms':>7} {'p95 ms':>7}")
    for scope, code, total, search, name, p50, p95, _stmts in rows:
        mark = "" if p95 <= TARGET_MS else "  > target"
        print(f"{scope:9} {code:7} {total:>6}  {search:11} {name:11} {p50:7.1f} {p95:7.1f}{mark}")
    worst = max(rows, key=lambda r: r[6])
    print(f"\nslowest: {worst[0]} {worst[3]} {worst[4]} (p95 {worst[6]:.1f} ms); its statements, EXPLAIN (ANALYZE, BUFFERS):")
    with engine.connect() as conn:
        for statement, parameters in worst[7]:
            if statement.lstrip().upper().startswith("SELECT"):
                print(f"\n{statement}\n  -- {parameters}")
                for (line,) in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all():
                    print("   ", line)
    failed = [r for r in rows if r[6] > TARGET_MS]
    print(f"\n{len(rows) - len(failed)} of {len(rows)} queries meet p95 ≤ {TARGET_MS:.0f} ms")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url")
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--tasks", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep (and reuse) the filled database")
    args = parser.parse_args()
    url = args.database_url
    created = False
    if url is None:
        import psycopg

        with psycopg.connect(PG_ADMIN.replace("+psycopg", ""), autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DB,)).fetchone()
            if not exists:
                admin.execute(f"CREATE DATABASE {BENCH_DB}")
                created = True
        url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{BENCH_DB}"
    engine = make_engine(url)
    with engine.connect() as conn:
        try:
            have = conn.execute(text("SELECT count(*) FROM inbox_task")).scalar()
            columns = {c["name"] for c in inspect(conn).get_columns("inbox_task")}
            if columns != set(Base.metadata.tables["inbox_task"].columns.keys()):
                have = 0  # filled by an older schema
        except Exception:
            have = 0
    engine.dispose()
    if created or have != args.tasks or not args.keep:
        fill(url, args.cases, args.tasks)
    measure(url, args.runs)
    if args.database_url is None and not args.keep:
        import psycopg

        with psycopg.connect(PG_ADMIN.replace("+psycopg", ""), autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
