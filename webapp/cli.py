"""`quotacert` command line: one command per operator task.

    quotacert demo            install nothing, start everything: database, demo data,
                              simulator, in-process jobs, web server; prints URL and logins
    quotacert web             the web server only (gunicorn/waitress in production)
    quotacert worker          an RQ worker taking outbox jobs (needs REDIS_URL)
    quotacert scheduler       re-dispatches lost jobs and fires due timers (with RQ)
    quotacert db upgrade      apply Alembic migrations to DATABASE_URL
    quotacert demo-data       load the demo units and accounts into DATABASE_URL
    quotacert simulator       the outside-systems simulator alone
    quotacert jobs [--failed] | jobs retry TASK_ID   service-task jobs, and putting a
                              failed one (a refusal or bad answer from outside) back in line
    quotacert holidays show | holidays add-holiday|add-workday DATE.. | holidays year YEAR
                              the holiday table for years chinese-calendar does not know
    quotacert clock show|set|advance|reset   the engine clock (demos: jump ahead to
                              see a time limit escalate; all processes follow within seconds)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings(**overrides):
    from casework.settings import Settings

    return Settings.from_env(**overrides)


def db_upgrade(database_url: str | None = None) -> None:
    """Bring the schema to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url or _settings().database_url)
    command.upgrade(cfg, "head")


SCHEMA_MISSING = (
    "数据库尚未初始化或版本过旧，请先运行 `quotacert db upgrade`（数据库：{url}）。\n"
    "The database has no schema or an old one: run `quotacert db upgrade` first "
    "(database: {url})."
)


def schema_is_current(database_url: str) -> bool:
    """True when the database is at the newest Alembic revision. Checked before a process
    builds the system, so an empty database ends in a clear message, not in a stack trace
    about a missing table from the first query."""
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from engine.db import make_engine

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    heads = set(ScriptDirectory.from_config(cfg).get_heads())
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current == heads


def require_schema(settings) -> None:
    """Exit cleanly (status 2) with the Chinese and English hint when the schema is missing."""
    if not schema_is_current(settings.database_url):
        print(SCHEMA_MISSING.format(url=_redacted(settings.database_url)), file=sys.stderr)
        sys.exit(2)


def _redacted(database_url: str) -> str:
    """The URL without its password, fit for a console message."""
    from sqlalchemy.engine import make_url

    return make_url(database_url).render_as_string(hide_password=True)


def load_demo_data(settings) -> list:
    from casework.demo import load_demo
    from casework.system import build_system

    system = build_system(settings)
    try:
        with system.transaction() as session:
            return load_demo(session)
    finally:
        system.close()


def run_worker(burst: bool = False) -> None:
    """An RQ worker whose jobs run through this process's JobExecutor."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    from casework.system import build_system
    from engine.dispatch import QUEUE_NAME, set_worker_executor

    settings = _settings(job_runner="rq")
    if not settings.redis_url:
        sys.exit("REDIS_URL 未设置：RQ 工作进程需要 Redis")
    require_schema(settings)
    system = build_system(settings)
    set_worker_executor(system.executor)
    conn = Redis.from_url(settings.redis_url)
    worker = SimpleWorker([Queue(QUEUE_NAME, connection=conn)], connection=conn)
    worker.work(burst=burst, with_scheduler=False)


def run_scheduler(every: float = 2.0) -> None:
    from casework.system import build_system
    from engine.dispatch import RQDispatcher, Sweeper

    settings = _settings(job_runner="rq")
    require_schema(settings)
    system = build_system(settings)
    Sweeper(system.executor, RQDispatcher(settings.redis_url)).run_forever(every)


def run_simulator(host: str, port: int) -> None:
    from adapters.simulator.server import main as simulator_main

    simulator_main(["--host", host, "--port", str(port)])


def serve(app, host: str, port: int) -> None:
    from waitress import serve as waitress_serve

    waitress_serve(app, host=host, port=port, threads=8)


def seed_demo_people(app, sim) -> None:
    """A few people already in the flow, so every demo login has something to see."""
    from casework.demo import seed_people, seed_previous_year

    system = app.extensions["quotacert"]
    population = sim.app.extensions["simulator"]["population"]
    with system.transaction() as session:
        seed_previous_year(session, population, system.settings.business_year)
    added = seed_people(system, population, system.settings.business_year)
    if added:
        print(f"已为演示单位登记 {added} 名安置人员（部分已审核确认，部分待残联审核）", flush=True)


def prepare_demo(settings, sim, test_config: dict | None = None):
    """The demo's database: upgraded on start (a new or old one alike), demo units and
    accounts, and people in the flow. Returns (app, logins)."""
    from casework.signing import ensure_demo_identity
    from webapp import create_app

    db_upgrade(settings.database_url)
    logins = load_demo_data(settings)
    if not settings.signing_key_file:  # the 审核认定书's demo signing key and certificate
        ensure_demo_identity(settings.var_dir)
    app = create_app(settings, test_config=test_config)
    seed_demo_people(app, sim)
    return app, logins


def run_demo(host: str, port: int, sim_port: int) -> None:
    """Everything in one process: SQLite, demo data, simulator thread, in-process jobs."""
    import secrets

    import httpx

    from adapters.simulator import serve_in_background
    from casework.demo import DEMO_PASSWORD

    sim = serve_in_background(seed=2025, year=_settings().business_year, port=sim_port)
    os.environ.setdefault("SIMULATOR_URL", sim.url)
    # the simulated tax side sends its checks back here, 30 seconds after each push
    os.environ.setdefault("TAX_CALLBACK_TOKEN", secrets.token_urlsafe(24))
    settings = _settings(simulator_url=sim.url)
    app, logins = prepare_demo(settings, sim)
    url = f"http://{host}:{port}/"
    callback = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/api/v1/tax/confirmations"
    httpx.post(f"{sim.url}/tax/settings", timeout=5, json={
        "delay_seconds": 30, "callback_url": callback, "callback_token": settings.tax_callback_token,
    })
    lines = [
        "",
        "quotacert 按比例就业情况联网认证 — 演示环境已启动",
        f"  网址：{url}",
        f"  外部系统模拟器：{sim.url}（税务部门在收到认证结果30秒后回传核对结果）",
        f"  数据库：{settings.database_url}",
        f"  演示账号（密码均为 {DEMO_PASSWORD}，验证码见登录页图片）：",
    ]
    for login in logins:
        lines.append(f"    {login.role:<10} {login.login:<22} {login.name}")
    lines.append("  按 Ctrl+C 停止。")
    print("\n".join(lines), flush=True)
    serve(app, host, port)


def clock_command(action: str, value: str | None) -> None:
    """Show or move the engine clock stored in the database (shared by every process)."""
    from datetime import datetime, timedelta

    from engine.clock import Clock
    from engine.db import make_engine, make_session_factory, transaction

    engine = make_engine(_settings().database_url)
    clock = Clock()
    with transaction(make_session_factory(engine)) as session:
        clock.load(session)
        if action == "set":
            clock.set_now(session, datetime.fromisoformat(value or ""))
        elif action == "advance":
            text = (value or "").strip().lower()
            unit = {"d": "days", "h": "hours", "m": "minutes"}.get(text[-1:], "days")
            number = float(text[:-1] if text[-1:] in "dhm" else text)
            clock.advance(session, timedelta(**{unit: number}))
        elif action == "reset":
            clock.reset(session)
    engine.dispose()
    print(f"引擎时钟：{clock.local_now():%Y-%m-%d %H:%M:%S}（北京时间，偏移 {clock.offset}）")


def jobs_command(action: str, task_id: str | None, failed_only: bool) -> None:
    from sqlalchemy import select

    from casework.system import build_system
    from engine.models import OutboxJob

    system = build_system(_settings(job_runner="manual"))
    try:
        if action == "retry":
            ok = system.executor.retry(task_id or "")
            print("已重新排队，调度进程将很快执行" if ok else "没有可重试的该任务")
            return
        with system.transaction() as session:
            query = select(OutboxJob).order_by(OutboxJob.created_at.desc()).limit(50)
            query = query.where(OutboxJob.status == "failed") if failed_only else query.where(OutboxJob.status.in_(("pending", "failed")))
            for job in session.scalars(query):
                print(f"{job.task_id}  {job.status:<8} {job.operation:<16} 尝试{job.attempts}次  {job.last_error[:80]}")
    finally:
        system.close()


def holidays_command(action: str, values: list[str]) -> None:
    """Maintain the holiday table (2027 onwards: chinese-calendar knows up to 2026)."""
    from datetime import date

    from engine.db import make_engine, make_session_factory, transaction
    from engine.holidays import load_holidays, store_holidays

    engine = make_engine(_settings().database_url)
    with transaction(make_session_factory(engine)) as session:
        table = load_holidays(session)
        if action == "add-holiday":
            for value in values:
                table.add_holiday(date.fromisoformat(value))
        elif action == "add-workday":
            for value in values:
                table.add_workday(date.fromisoformat(value))
        elif action == "year":
            table.years |= {int(v) for v in values}  # a year whose arrangement is complete
        if action != "show":
            store_holidays(session, table)
    engine.dispose()
    data = table.to_dict()
    print(f"已维护年份：{data['years'] or '无'}")
    print(f"节假日：{', '.join(data['holidays']) or '无'}")
    print(f"调休上班日：{', '.join(data['workdays']) or '无'}")


def lanes_command(action: str, lane: str | None, role: str | None, staff: bool) -> None:
    """The lane → role table: a process owner's new lane name becomes a role here."""
    from engine.db import make_engine, make_session_factory, transaction
    from engine.lanes import add_lane, load_lanes

    engine = make_engine(_settings().database_url)
    with transaction(make_session_factory(engine)) as session:
        if action == "add":
            if not lane or not role:
                raise SystemExit("用法：quotacert lanes add 泳道名称 角色代码 [--not-staff]")
            try:
                add_lane(session, lane, role, staff=staff)
            except ValueError as exc:
                raise SystemExit(str(exc)) from None
        session.flush()
        table = load_lanes(session)
    engine.dispose()
    for name, code in table.roles.items():
        print(f"{name}\t{code}\t{'工作人员待办' if code in table.staff_roles else ''}")


def process_command(action: str, target: str | None, province: str, note: str, dmn: str | None = None) -> None:
    """流程管理 from the shell: list the versions, publish a diagram file for a province
    (or the national default with --province 000000) with its decision tables (--dmn, or
    the .dmn beside the .bpmn as in workflows/), take a province's version out of force.
    The same checks and audit entries as the page."""
    from pathlib import Path
    from types import SimpleNamespace

    from sqlalchemy import select

    from casework import process_versions
    from casework.system import build_system
    from domain.errors import DomainError
    from engine.models import SpecVersion

    system = build_system(_settings(job_runner="manual"))
    national = province == "000000"
    owner = SimpleNamespace(role="process_owner", region_code="" if national else province, login="cli", display_name="命令行")
    try:
        with system.transaction() as session:
            if action == "publish":
                if not target:
                    raise SystemExit("用法：quotacert process publish 文件.bpmn --province 150000")
                data = Path(target).read_bytes()
                tables = Path(dmn) if dmn else Path(target).with_suffix(".dmn")
                decisions = tables.read_bytes() if dmn or tables.is_file() else b""
                if national:
                    version = system.registry.add_version(
                        session, data.decode("utf-8", "replace"), Path(target).name, "", source="upload", actor="cli",
                        note=note, dmn=decisions.decode("utf-8", "replace"),
                    )
                    system.registry.publish(session, version, "cli", system.runtime.clock.now())
                else:
                    version = process_versions.save_draft(
                        session, system.registry, owner, data, process_id=None,
                        source="upload", note=note, filename=Path(target).name, dmn=decisions,
                    )
                    process_versions.publish(session, system.registry, owner, version.id, system.runtime.clock.now())
                print(f"已发布：{version.process_id}（{version.province or '全国'}）V{version.number}")
            elif action == "unpublish":
                version = process_versions.unpublish(session, system.registry, owner, target or "")
                print(f"已撤销发布：{version.process_id}（{version.province}）V{version.number}，新业务按全国默认流程办理")
            rows = session.scalars(select(SpecVersion).order_by(SpecVersion.process_id, SpecVersion.province, SpecVersion.number))
            for v in rows:
                print(f"{v.process_id}\t{v.province or '全国'}\tV{v.number}\t{process_versions.status_of(v)}\t{v.published_by}\t{v.filename}")
    except DomainError as exc:
        problems = getattr(exc, "problems", [])
        lines = [f"  {p.element or '文件'}：{p.message}" for p in problems] or [f"  {exc.message}"]
        raise SystemExit("未发布：\n" + "\n".join(lines)) from None
    finally:
        system.close()


def main(argv: list[str] | None = None) -> None:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # SpiffWorkflow logs every task it runs at INFO (most of a demo's console); an operator
    # needs our own lines and the engine's warnings. LOG_LEVEL=DEBUG still shows them all.
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("spiff").setLevel(logging.WARNING)  # spiff.task, spiff.workflow …
        logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per outside-system call
    parser = argparse.ArgumentParser(prog="quotacert", description="按比例就业情况联网认证")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="start everything with demo data")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    demo.add_argument("--simulator-port", type=int, default=8765)
    web = sub.add_parser("web", help="web server")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=int(os.environ.get("PORT", 5000)))
    worker = sub.add_parser("worker", help="RQ worker")
    worker.add_argument("--burst", action="store_true")
    scheduler = sub.add_parser("scheduler", help="sweeper and timers for RQ deployments")
    scheduler.add_argument("--every", type=float, default=2.0)
    db = sub.add_parser("db", help="database")
    db.add_argument("action", choices=["upgrade"])
    sub.add_parser("demo-data", help="load demo units and accounts")
    sim = sub.add_parser("simulator", help="outside-systems simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8765)
    clock = sub.add_parser("clock", help="show or move the engine clock")
    clock.add_argument("action", choices=["show", "set", "advance", "reset"])
    clock.add_argument("value", nargs="?", help="set: 2026-12-20T10:00; advance: 10d, 4h")
    jobs = sub.add_parser("jobs", help="list service-task jobs, or retry a failed one")
    jobs.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    jobs.add_argument("task_id", nargs="?")
    jobs.add_argument("--failed", action="store_true")
    holidays = sub.add_parser("holidays", help="maintain the holiday table")
    holidays.add_argument("action", choices=["show", "add-holiday", "add-workday", "year"])
    holidays.add_argument("values", nargs="*", help="dates YYYY-MM-DD, or years")
    lanes = sub.add_parser("lanes", help="list the lane → role table, or add a lane (a new role)")
    lanes.add_argument("action", choices=["list", "add"], nargs="?", default="list")
    lanes.add_argument("lane", nargs="?", help="泳道名称, e.g. 复核人员")
    lanes.add_argument("role", nargs="?", help="role code, e.g. rechecker")
    lanes.add_argument("--not-staff", action="store_true", help="the role has no staff inbox")
    process = sub.add_parser("process", help="流程管理: list versions, publish a diagram, unpublish a province's version")
    process.add_argument("action", choices=["list", "publish", "unpublish"], nargs="?", default="list")
    process.add_argument("target", nargs="?", help="publish: a .bpmn file; unpublish: the process id")
    process.add_argument("--province", default="", help="province code, e.g. 150000; 000000 for the national default")
    process.add_argument("--note", default="", help="what changed (shown in the version list)")
    process.add_argument("--dmn", default=None, help="publish: the decision tables (.dmn); default: the .dmn beside the .bpmn")
    args = parser.parse_args(argv)

    if args.command in ("jobs", "holidays", "clock", "demo-data", "lanes", "process"):
        require_schema(_settings())  # each reads or writes tables on its first query
    if args.command == "demo":
        run_demo(args.host, args.port, args.simulator_port)
    elif args.command == "web":
        from webapp import create_app

        settings = _settings()
        require_schema(settings)
        serve(create_app(settings), args.host, args.port)
    elif args.command == "worker":
        run_worker(args.burst)
    elif args.command == "scheduler":
        run_scheduler(args.every)
    elif args.command == "db":
        db_upgrade()
    elif args.command == "demo-data":
        for login in load_demo_data(_settings()):
            print(login.role, login.login, login.name)
    elif args.command == "jobs":
        jobs_command(args.action, args.task_id, args.failed)
    elif args.command == "holidays":
        holidays_command(args.action, args.values)
    elif args.command == "clock":
        clock_command(args.action, args.value)
    elif args.command == "lanes":
        lanes_command(args.action, args.lane, args.role, not args.not_staff)
    elif args.command == "process":
        if args.action != "list" and not args.province:
            raise SystemExit("请用 --province 指定省份代码（全国默认流程为 000000）")
        process_command(args.action, args.target, args.province, args.note, args.dmn)
    elif args.command == "simulator":
        run_simulator(args.host, args.port)


if __name__ == "__main__":  # pragma: no cover
    main()
