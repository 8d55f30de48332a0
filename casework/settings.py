"""Deployment settings, read from the environment with zero-setup defaults.

Defaults run everything on one machine with no services: SQLite under var/, jobs in
threads of the web process, outside systems answered by the bundled simulator.
`DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and RQ workers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _default_var() -> Path:
    return Path(os.environ.get("QUOTACERT_VAR", ROOT / "var"))


@dataclass
class Settings:
    var_dir: Path = field(default_factory=_default_var)
    database_url: str = ""
    redis_url: str = ""
    simulator_url: str = "http://127.0.0.1:8765"
    adapter_timeout: float = 10.0
    job_runner: str = "inprocess"  # inprocess / rq / manual (tests drive jobs themselves)
    business_year: int = 2025
    job_lease_seconds: float = 120.0
    # ISO instant the engine clock starts at in a new database (tests: a fixed weekday, so
    # that no test depends on the date it runs on); empty = real time.
    clock_start: str = field(default_factory=lambda: os.environ.get("QUOTACERT_CLOCK_START", ""))
    # Sessions and API tokens (measured on the engine clock): a web session ends after
    # `session_idle_minutes` without a request and `session_lifetime_hours` after login;
    # the cookie is Secure when `session_cookie_secure` (set it when served over HTTPS).
    session_idle_minutes: float = 30.0
    session_lifetime_hours: float = 12.0
    session_cookie_secure: bool = False
    api_token_hours: float = 12.0
    # 审核认定书: the office's signing key and certificate (PEM files; empty = a demo pair
    # generated under var/), and the site's public address for the QR code's /verify/
    # link (empty = the address the request came in on).
    signing_key_file: str = ""
    signing_cert_file: str = ""
    public_base_url: str = ""
    # 税务交换: the shared token the tax side presents when it sends its check results
    # (POST /api/v1/tax/confirmations); empty = that endpoint accepts nothing
    tax_callback_token: str = ""

    @classmethod
    def from_env(cls, **overrides) -> Settings:
        s = cls()
        s.database_url = os.environ.get("DATABASE_URL", "")
        s.redis_url = os.environ.get("REDIS_URL", "")
        s.simulator_url = os.environ.get("SIMULATOR_URL", s.simulator_url)
        if os.environ.get("BUSINESS_YEAR"):
            s.business_year = int(os.environ["BUSINESS_YEAR"])
        s.job_runner = os.environ.get("JOB_RUNNER", "rq" if s.redis_url else "inprocess")
        s.job_lease_seconds = float(os.environ.get("JOB_LEASE_SECONDS", s.job_lease_seconds))
        s.session_idle_minutes = float(
            os.environ.get("SESSION_IDLE_MINUTES", s.session_idle_minutes)
        )
        s.session_lifetime_hours = float(
            os.environ.get("SESSION_LIFETIME_HOURS", s.session_lifetime_hours)
        )
        s.session_cookie_secure = os.environ.get("SESSION_COOKIE_SECURE", "").strip().lower() in (
            "1",
            "true",
            "yes",
            "on",
        )
        s.api_token_hours = float(os.environ.get("API_TOKEN_HOURS", s.api_token_hours))
        s.signing_key_file = os.environ.get("SIGNING_KEY_FILE", "")
        s.signing_cert_file = os.environ.get("SIGNING_CERT_FILE", "")
        s.public_base_url = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
        s.tax_callback_token = os.environ.get("TAX_CALLBACK_TOKEN", "")
        for key, value in overrides.items():
            setattr(s, key, value)
        if not s.database_url:
            s.var_dir.mkdir(parents=True, exist_ok=True)
            s.database_url = f"sqlite:///{s.var_dir / 'quotacert.db'}"
        return s

    @property
    def upload_dir(self) -> Path:
        return self.var_dir / "uploads"
