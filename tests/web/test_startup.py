"""Start-up against a database without schema: the web (and every other) process ends with
a clear Chinese and English hint to run `quotacert db upgrade`, not a stack trace; the demo
upgrades the database itself and loads its data for any business year."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from adapters.simulator import BackgroundSimulator, serve_in_background
from webapp import cli


@pytest.fixture
def empty_var(tmp_path, monkeypatch):
    """A var/ directory whose SQLite database has no tables yet."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("QUOTACERT_VAR", str(tmp_path))
    return tmp_path


@pytest.mark.parametrize("command", [["web", "--port", "1"], ["clock", "show"], ["jobs"]])
def test_empty_database_ends_with_a_hint_not_a_stack_trace(empty_var, capsys, monkeypatch, command):
    served = []
    monkeypatch.setattr(cli, "serve", lambda *args: served.append(args))
    with pytest.raises(SystemExit) as ended:
        cli.main(command)
    assert ended.value.code == 2
    err = capsys.readouterr().err
    assert "请先运行 `quotacert db upgrade`" in err
    assert "run `quotacert db upgrade` first" in err
    assert "Traceback" not in err and not served


def test_after_upgrade_the_web_process_starts(empty_var, monkeypatch):
    served = []
    monkeypatch.setattr(cli, "serve", lambda app, host, port: served.append(app))
    cli.main(["db", "upgrade"])
    assert cli.schema_is_current(cli._settings().database_url)
    try:
        cli.main(["web", "--port", "1"])
        assert served and served[0].test_client().get("/login").status_code == 200
    finally:
        for app in served:
            app.extensions["quotacert"].close()


@pytest.fixture(scope="module", params=[2025, 2026, 2027], ids=lambda y: f"year{y}")
def year_simulator(request) -> Iterator[BackgroundSimulator]:
    """A simulator serving the year the demo loads, as `quotacert demo` starts it (one per
    year for this module): against the 2025 one, nobody of 2026 could be verified."""
    if request.param == 2025:
        yield request.getfixturevalue("simulator")  # the session's, already serving 2025
        return
    running = serve_in_background(seed=2025, year=request.param)
    try:
        yield running
    finally:
        running.stop()


def test_demo_upgrades_an_empty_database_and_every_page_works_for_the_year(
    empty_var, year_simulator
):
    """The business year rolls over: the demo loads, its people are verified against the
    year's data (some end 已审核确认), and every GET page of a seeded employer and of a
    reviewer answers without a server error, whatever the year."""
    from casework.demo import DEMO_PASSWORD, SEED_UNITS
    from casework.models import CertificationCase, Placement, User
    from casework.models.placement import CONFIRMED
    from tests.web.conftest import CAPTCHA, login
    from tests.web.test_security_headers import get_urls

    simulator = year_simulator
    year = simulator.app.extensions["simulator"]["population"].year
    settings = cli._settings(simulator_url=simulator.url, job_runner="manual", business_year=year)
    assert not cli.schema_is_current(settings.database_url)
    app, logins = cli.prepare_demo(
        settings, simulator, test_config={"CAPTCHA_TEXT": lambda: CAPTCHA, "RATELIMIT_ENABLED": False}
    )
    try:
        assert cli.schema_is_current(settings.database_url)
        system = app.extensions["quotacert"]
        with system.transaction() as s:
            assert s.scalar(select(func.count()).select_from(User)) == len(logins)
            cases = select(func.count()).select_from(Placement).join(CertificationCase)
            assert s.scalar(cases.where(CertificationCase.year == year)) > 0
            first = s.scalar(select(Placement.id).join(CertificationCase).where(CertificationCase.year == year))
            confirmed = s.scalar(
                cases.where(CertificationCase.year == year, Placement.status == CONFIRMED)
            )
            assert confirmed >= len(SEED_UNITS) * 2, (year, confirmed)
        for who, staff in ((SEED_UNITS[0], False), ("reviewer_anshan", True)):
            client = app.test_client()
            assert login(client, who, DEMO_PASSWORD, staff=staff).status_code == 302
            pages = [url for _, url in get_urls(app, attachment_id=1)]
            pages += [f"/placements/{first}", "/placements/?status=已审核确认"]
            if staff:
                inbox = client.get("/review/").get_data(as_text=True)
                pages += sorted(set(re.findall(r'href="(/review/tasks/[^"]+)"', inbox)))[:2]
            for url in pages:
                status = client.get(url).status_code
                assert status < 500, f"{who} GET {url} -> {status} in {year}"
                if url in ("/", "/placements/", "/review/", "/unit", "/calculator"):
                    assert status in (200, 302, 403), (url, status)
    finally:
        app.extensions["quotacert"].close()


def test_lanes_command_lists_and_adds_a_lane(empty_var, capsys):
    """`quotacert lanes add 复核人员 rechecker`: the lane table an administrator extends
    (migration 0004 seeds the four default lanes)."""
    cli.main(["db", "upgrade"])
    cli.main(["lanes"])
    listed = capsys.readouterr().out
    assert "残联业务人员\treviewer\t工作人员待办" in listed and "用人单位\temployer" in listed
    cli.main(["lanes", "add", "复核人员", "rechecker"])
    assert "复核人员\trechecker\t工作人员待办" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="角色代码"):
        cli.main(["lanes", "add", "复核人员", "复核"])
