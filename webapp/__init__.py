"""The Flask app: only `create_app`; each area registers itself (Flask tutorial style)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from casework.settings import Settings


def _secret_key(settings: Settings) -> str:
    """SECRET_KEY from the environment, else one generated once and kept under var/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(settings.var_dir) / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32))
    return path.read_text().strip()


def create_app(settings: Settings | None = None, test_config: dict | None = None) -> Flask:
    from casework.system import build_system
    from webapp import (
        api,
        auth,
        calculator,
        errors,
        extensions,
        filters,
        graduates,
        home,
        notices,
        placement_end,
        placements,
        process_catalog,
        process_paths,
        processes,
        province_params,
        relief,
        results,
        review,
        reward,
        reward_window,
        security,
        tax,
        units,
        verify,
        window,
    )

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=_secret_key(settings),
        MAX_CONTENT_LENGTH=110 * 1024 * 1024,  # the per-province limit is checked by content
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        JSON_AS_ASCII=False,
    )
    if test_config:
        app.config.update(test_config)
    system = build_system(settings, create_schema=app.config.get("CREATE_SCHEMA", False))
    app.extensions["quotacert"] = system

    extensions.init_app(app)
    errors.init_app(app)
    filters.init_app(app)
    for module in (security, auth, home, placements, results, units, relief, graduates, placement_end, calculator, notices, reward, review, reward_window, tax, processes, process_catalog, process_paths, province_params, verify, window, api):
        module.init_app(app)
    return app
