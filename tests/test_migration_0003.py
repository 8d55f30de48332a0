"""Revision 0003 drops the unused per-account lockout columns and keeps every user; its
downgrade puts them back (0 failures, no lock) on both databases."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from webapp.cli import ROOT


def alembic(database_url: str) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url)
    return cfg


def columns(engine: sa.Engine) -> set[str]:
    return {c["name"] for c in sa.inspect(engine).get_columns("app_user")}


def test_0003_drops_the_lockout_columns_and_keeps_users(database_url):
    cfg = alembic(database_url)
    command.upgrade(cfg, "0002")
    engine = sa.create_engine(database_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO app_user (login, password_hash, role, region_code, display_name,"
                    " active, failed_logins, created_at, updated_at) VALUES ('as_reviewer', 'x',"
                    " 'reviewer', '210300', '', true, 3, '2026-12-01', '2026-12-01')"
                )
            )
        command.upgrade(cfg, "0003")
        assert {"failed_logins", "locked_until"}.isdisjoint(columns(engine))
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT login FROM app_user")).scalars().all() == [
                "as_reviewer"
            ]
        command.downgrade(cfg, "0002")
        assert {"failed_logins", "locked_until"} <= columns(engine)
        with engine.connect() as conn:
            row = conn.execute(sa.text("SELECT failed_logins, locked_until FROM app_user")).one()
        assert tuple(row) == (0, None)
        command.upgrade(cfg, "head")
    finally:
        engine.dispose()
