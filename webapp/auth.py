"""法人登录 / 工作人员登录, the captcha image, logout; role guards for pages.

The captcha answer stays on the server: the session (signed, but readable by the client)
holds only a nonce, the issue time and HMAC(secret, nonce + answer), and each challenge
is removed at its first check. POST /login is rate-limited per address; accounts lock
after repeated failures (casework.accounts).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from casework import accounts, audit
from casework import captcha as captcha_service
from casework.units import unit_name
from webapp.extensions import client_ip, db, limiter
from webapp.forms import EmployerLoginForm, StaffLoginForm

bp = Blueprint("auth", __name__)
SESSION_KEY = "captcha"
LOGIN_LIMIT = "10 per minute"


# --- role guards -------------------------------------------------------------------------


def role_required(*roles: str) -> Callable:
    """Login required, and (if given) one of `roles`; otherwise the 403 page."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @login_required
        def wrapper(*args, **kwargs):
            if roles and current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def employer_required(view: Callable) -> Callable:
    @wraps(view)
    @role_required("employer")
    def wrapper(*args, **kwargs):
        if current_user.unit_id is None:
            abort(403, description="该账号未关联用人单位")
        return view(*args, **kwargs)

    return wrapper


STAFF_ROLES = ("reviewer", "supervisor", "process_owner", "oversight", "admin")
staff_required = role_required(*STAFF_ROLES)


def landing_url(user) -> str:
    return url_for("home.index") if user.role == "employer" else url_for("review.inbox")


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths (no scheme, no host, no //) are followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


# --- captcha ---------------------------------------------------------------------------


def captcha_text() -> str:
    """`CAPTCHA_TEXT` may be a callable (tests fix the answer); default random."""
    maker = current_app.config.get("CAPTCHA_TEXT")
    return maker() if callable(maker) else captcha_service.random_text()


def issue_session_captcha() -> tuple[captcha_service.Challenge, bytes]:
    text = captcha_text()
    challenge = captcha_service.new_challenge(current_app.secret_key, text)
    session[SESSION_KEY] = challenge.to_dict()
    return challenge, captcha_service.render_png(text)


def check_session_captcha(answer: str) -> None:
    """Raise CaptchaError unless the session's challenge is solved; it is used up either way."""
    challenge = captcha_service.Challenge.from_dict(session.pop(SESSION_KEY, None))
    ttl = current_app.config.get("CAPTCHA_TTL", captcha_service.TTL_SECONDS)
    captcha_service.verify(current_app.secret_key, challenge, answer, ttl=ttl)


@bp.get("/captcha.png")
def captcha_image():
    _challenge, png = issue_session_captcha()
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    response.headers["Cache-Control"] = "no-store, max-age=0"
    return response


# --- login / logout ----------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    staff = request.args.get("tab") == "staff"
    if current_user.is_authenticated and request.method == "GET":
        return redirect(landing_url(current_user))
    form = StaffLoginForm() if staff else EmployerLoginForm()
    failure = ""
    if request.method == "POST":
        form.validate()  # CSRF is enforced before the view; the rules are the service's
        try:
            check_session_captcha(form.captcha.data or "")
        except captcha_service.CaptchaError as exc:
            form.captcha.errors = [exc.message]
        else:
            try:
                user = accounts.authenticate(
                    db(),
                    form.login.data or "",
                    form.password.data or "",
                    datetime.now(UTC),
                    staff=staff,
                    ip=client_ip(),
                )
            except accounts.LoginFailed as exc:
                db().commit()  # the failure counter and its audit entry
                failure = exc.message
            else:
                db().commit()
                next_url = _safe_next(request.args.get("next"))
                session.clear()  # a fresh session: no fixation across the login
                login_user(user)
                return redirect(next_url or landing_url(user))
        form.password.data = ""
        form.captcha.data = ""  # a new image is shown; the old answer is of no use
    status = 200 if request.method == "GET" or not (failure or form.errors) else 400
    return render_template("auth/login.html", form=form, staff=staff, failure=failure), status


@bp.post("/logout")
@login_required
def logout():
    audit.record(db(), current_user, "logout", target=f"user:{current_user.id}", ip=client_ip())
    db().commit()
    logout_user()
    session.clear()
    flash("您已安全退出", "success")
    return redirect(url_for("auth.login"))


# --- template helpers --------------------------------------------------------------------


def _identity() -> dict:
    """Who is signed in, for the header; never fails (error pages render it too)."""
    anonymous = {"identity_name": "", "identity_role": "", "is_staff": False}
    try:
        if not current_user.is_authenticated:
            return anonymous
        if current_user.role == "employer":
            name = (
                unit_name(db(), current_user.unit_id)
                or current_user.display_name
                or current_user.login
            )
            return {
                "identity_name": name,
                "identity_role": current_user.role_name,
                "is_staff": False,
            }
        name = current_user.display_name or current_user.login
        return {"identity_name": name, "identity_role": current_user.role_name, "is_staff": True}
    except Exception:  # noqa: BLE001 - e.g. the database is down while showing a 500 page
        return anonymous


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.context_processor(_identity)
