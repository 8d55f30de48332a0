"""Every operation of /api/v1/openapi.json fuzzed by schemathesis (through WSGI, no
server) as an employer, a reviewer and a window clerk, and the 参数设置 operations as a
process owner: no answer is a server error, and every status is one the document
declares. Slow: run with `-m slow`; `-s` prints the figures."""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from casework.demo import load_demo
from casework.settings import Settings
from tests.api.conftest import CAPTCHA, api_login
from webapp import create_app

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import status_code_conformance  # noqa: E402

pytestmark = pytest.mark.slow
# Examples per operation and role. PostgreSQL gets the most: its strict integer and text
# types are where a 500 hides (an id past int8, a NUL byte); SQLite, whose own refusals
# (an int past 2**63) need no long search to find, fewer, so the run stays a few minutes.
EXAMPLES = {"postgres": 100, "sqlite": 25}
# A process owner's own operations (参数设置); everything else it may call answers as it
# does for the other staff roles, which are fuzzed over every operation already.
ONLY = {"owner_zhejiang": "/api/v1/params"}
CHECKS = (not_a_server_error, status_code_conformance)


@pytest.fixture
def app(tmp_path: Path, database_url, simulator_url):
    settings_ = Settings(
        var_dir=tmp_path, database_url=database_url, simulator_url=simulator_url,
        job_runner="manual", adapter_timeout=5.0,
    )  # fmt: skip
    app = create_app(
        settings_,
        test_config={
            "TESTING": True, "CREATE_SCHEMA": True, "CAPTCHA_TEXT": lambda: CAPTCHA,
            "RATELIMIT_ENABLED": False,
            "PROPAGATE_EXCEPTIONS": False,  # a server error must reach schemathesis as a 500
        },
    )  # fmt: skip
    with app.extensions["quotacert"].transaction() as session:
        load_demo(session)
    yield app
    app.extensions["quotacert"].close()


@pytest.mark.parametrize(
    "login", ["91210302052118596L", "reviewer_anshan", "window_xihu", "owner_zhejiang"],
    ids=["employer", "reviewer", "window_clerk", "process_owner"],
)
def test_every_operation_answers_as_documented(app, login, database_url):
    headers = api_login(app.test_client(), login)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    figures: collections.Counter = collections.Counter()
    failures: dict[str, list[str]] = collections.defaultdict(list)
    statuses: collections.Counter = collections.Counter()
    examples = EXAMPLES["postgres" if database_url.startswith("postgresql") else "sqlite"]

    def fuzz(operation) -> None:
        @settings(
            max_examples=examples, deadline=None, database=None,
            suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate],
        )  # fmt: skip
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(headers=headers)
            figures["requests"] += 1
            statuses[response.status_code] += 1
            for check in CHECKS:
                try:
                    case.validate_response(response, checks=[check], headers=headers)
                except BaseException as exc:  # schemathesis' FailureGroup is a BaseExceptionGroup
                    if isinstance(exc, KeyboardInterrupt):
                        raise
                    failures[check.__name__].append(
                        f"{operation.method.upper()} {operation.path} → {response.status_code}"
                    )

        run()

    operations = [result.ok() for result in schema.get_all_operations()]
    operations = [op for op in operations if op.path.startswith(ONLY.get(login, ""))]
    # the operations that end the run's own token go last, or every later request is a 401
    operations.sort(key=lambda op: (op.path.startswith("/api/v1/auth/tokens/"), op.path == "/api/v1/auth/logout"))
    for operation in operations:
        figures["operations"] += 1
        fuzz(operation)

    summary = {check.__name__: len(failures.get(check.__name__, [])) for check in CHECKS}
    print(f"\nschemathesis as {login}: {figures['operations']} operations, "
          f"{figures['requests']} requests, failures by check: {summary}, "
          f"statuses: {dict(sorted(statuses.items()))}")  # fmt: skip
    assert not any(failures.values()), {name: sorted(set(found))[:20] for name, found in failures.items()}
