"""HTTP security headers on every response: pages, API, static files, errors, downloads.

flask-talisman sets them (Content-Security-Policy, X-Frame-Options, X-Content-Type-Options,
Referrer-Policy, and Strict-Transport-Security only on requests that arrived over HTTPS)
rather than a hand-written after_request: it is the maintained Flask extension for exactly
this, with per-view overrides and HTTPS redirection we would otherwise copy.

The policy is one the pages pass: scripts and styles only from our own static files (every
inline script, event handler and style attribute lives in static/app.js and app.css), images
also as data: URLs (the API's captcha), and no framing at all.

A view that set its own, stricter policy keeps it: attachments are served with a sandbox
policy (`default-src 'none'`) so that an uploaded file can run nothing; Talisman would
otherwise replace it with the page policy.
"""

from __future__ import annotations

import os

from flask import Flask, Response, g
from flask_talisman import Talisman

CSP_HEADER = "Content-Security-Policy"

# Every directive spelled out, so no fetch falls back to a default we did not choose.
CONTENT_SECURITY_POLICY: dict[str, str | list[str]] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# No page links to another site that needs to know where the visitor came from.
REFERRER_POLICY = "same-origin"


def _env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _remember_view_policy(response: Response) -> Response:
    """Runs before Talisman (registered after it): keep the policy a view set itself."""
    g.view_csp = response.headers.get(CSP_HEADER)
    return response


def _restore_view_policy(response: Response) -> Response:
    """Runs after Talisman (registered before it): put a view's own policy back."""
    policy = g.get("view_csp")
    if policy:
        response.headers[CSP_HEADER] = policy
    return response


def init_app(app: Flask) -> None:
    """Register the headers. `FORCE_HTTPS` (config or environment, off by default) redirects
    plain HTTP to HTTPS and marks the session cookie Secure, for deployments behind TLS;
    HSTS is sent whenever a request came over HTTPS (directly or X-Forwarded-Proto)."""
    force_https = bool(app.config.get("FORCE_HTTPS", _env_flag("FORCE_HTTPS")))
    app.after_request(_restore_view_policy)  # after_request hooks run in reverse order
    Talisman(
        app,
        force_https=force_https,
        strict_transport_security=True,
        strict_transport_security_max_age=31536000,
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy=REFERRER_POLICY,
        x_content_type_options=True,
        # The session cookie's flags are the session settings' business; Talisman would
        # otherwise force Secure (breaking plain-HTTP demos) and reset SameSite.
        session_cookie_secure=force_https,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        session_cookie_http_only=True,
    )
    app.after_request(_remember_view_policy)
