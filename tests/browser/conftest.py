"""A live server (waitress in a thread) with demo data and Debian's Chromium driven by
Playwright (executablePath /usr/bin/chromium; no browser is ever downloaded).

Set SCREENSHOTS=<dir> to keep a PNG of every page the tests visit (for reviewing the
screens by eye); docs/screenshot.png in the README comes from this.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest

from casework.demo import load_demo, seed_people, seed_previous_year
from casework.settings import Settings
from webapp import create_app
from webapp.cli import db_upgrade

CHROMIUM = "/usr/bin/chromium"
CAPTCHA = "AB12"


@pytest.fixture(scope="module")
def live_server(tmp_path_factory, simulator_url, population):
    from waitress.server import create_server

    var = tmp_path_factory.mktemp("live")
    settings = Settings(var_dir=var, database_url=f"sqlite:///{var / 'live.db'}", simulator_url=simulator_url, job_runner="inprocess")
    db_upgrade(settings.database_url)
    app = create_app(settings, test_config={"CAPTCHA_TEXT": lambda: CAPTCHA, "RATELIMIT_ENABLED": False})
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        load_demo(session)
    with system.transaction() as session:
        seed_previous_year(session, population, settings.business_year)  # last year's lists
    seed_people(system, population, settings.business_year)  # people waiting for review
    server = create_server(app, host="127.0.0.1", port=0, threads=8)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}", app
    server.close()
    system.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        from tests.conftest import unavailable

        unavailable("Chromium", f"{CHROMIUM} is not installed (scripts/system-packages installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


class Shots:
    """Saves full-page screenshots when SCREENSHOTS is set."""

    def __init__(self) -> None:
        self.dir = Path(os.environ["SCREENSHOTS"]) if os.environ.get("SCREENSHOTS") else None
        if self.dir:
            self.dir.mkdir(parents=True, exist_ok=True)

    def __call__(self, page, name: str) -> None:
        if self.dir:
            page.screenshot(path=str(self.dir / f"{name}.png"), full_page=True)

    def keep(self, name: str, target: Path) -> None:
        if self.dir and (self.dir / f"{name}.png").exists():
            shutil.copy(self.dir / f"{name}.png", target)


@pytest.fixture(scope="session")
def shots():
    return Shots()


def login(page, base: str, login_name: str, staff: bool = False, password: str = "Demo@2025") -> None:
    page.goto(f"{base}/login" + ("?tab=staff" if staff else ""))
    page.fill('input[name="login"]', login_name)
    page.fill('input[name="password"]', password)
    page.fill('input[name="captcha"]', CAPTCHA)
    page.click('button[type="submit"]')
    page.wait_for_load_state("networkidle")
