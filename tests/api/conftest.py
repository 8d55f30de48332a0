"""An app over a real database, the simulator over HTTP, demo accounts, and API logins.

`jobs` runs the outbox the way the deployment does: on SQLite with the JobExecutor
in this process (the in-process runner's code), on PostgreSQL through Redis and a
real RQ worker (burst mode) calling engine.dispatch.run_outbox_job.
"""

from __future__ import annotations

import pytest

from casework.demo import DEMO_PASSWORD, load_demo
from casework.settings import Settings
from webapp import create_app

CAPTCHA = "AB12"


@pytest.fixture
def app(tmp_path, database_url, simulator_url, request):
    runner = "rq" if database_url.startswith("postgresql") else "manual"
    redis_url = request.getfixturevalue("redis_url") if runner == "rq" else ""
    settings = Settings(
        var_dir=tmp_path, database_url=database_url, simulator_url=simulator_url,
        job_runner=runner, redis_url=redis_url, adapter_timeout=5.0,
    )
    app = create_app(
        settings,
        test_config={"TESTING": True, "CREATE_SCHEMA": True, "CAPTCHA_TEXT": lambda: CAPTCHA, "RATELIMIT_ENABLED": False},
    )
    system = app.extensions["quotacert"]
    with system.transaction() as session:
        load_demo(session)
    yield app
    system.close()


@pytest.fixture
def jobs(app):
    """Run every due outbox job and timer until nothing is due."""
    system = app.extensions["quotacert"]

    def run():
        if system.settings.job_runner != "rq":
            return system.drain()
        from redis import Redis
        from rq import Queue, SimpleWorker

        from engine.dispatch import QUEUE_NAME, set_worker_executor

        set_worker_executor(system.executor)
        conn = Redis.from_url(system.settings.redis_url)
        for _ in range(10):
            worker = SimpleWorker([Queue(QUEUE_NAME, connection=conn)], connection=conn)
            worker.work(burst=True)
            fired = system.executor.fire_timers()
            if not Queue(QUEUE_NAME, connection=conn).count and not fired and not system.executor.due_jobs():
                break
        return []

    return run


def api_login(client, login: str, password: str = DEMO_PASSWORD) -> dict:
    captcha = client.get("/api/v1/auth/captcha").get_json()
    response = client.post(
        "/api/v1/auth/login",
        json={"login": login, "password": password, "captcha_id": captcha["captcha_id"], "captcha": CAPTCHA},
    )
    assert response.status_code == 200, response.get_json()
    return {"Authorization": f"Bearer {response.get_json()['token']}"}
