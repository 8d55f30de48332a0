"""法人登录 / 工作人员登录, the captcha, logout, 修改密码; role guards for pages.

Sessions are server-side (webapp.sessions): logging out deletes the session record, a
login gets a new session id, a password change ends every other session of the user.
The captcha challenge (nonce, time, HMAC of the answer) sits in the session and is
claimed in a store shared by all processes at its first check, so one solved captcha
buys one password attempt whatever the client sends back. POST /login is rate-limited
per address; failures are throttled per (login, address) (casework.login_guard).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from casework import accounts, audit, login_guard
from casework import captcha as captcha_service
from casework.units import unit_name
from domain.errors import DomainError
from engine.clock import china_time
from webapp import sessions
from webapp.extensions import client_ip, db, limiter, system
from webapp.forms import EmployerLoginForm, StaffLoginForm
from webapp.forms.auth import ChangePasswordForm

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
    if user.role == "process_owner":  # no lane of its own: its work is 流程管理
        return url_for("processes.index")
    if user.role == "window_clerk":  # a window's work starts with a unit at the counter
        return url_for("window.index")
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


def captcha_operands() -> tuple[int, int]:
    """`CAPTCHA_ARITHMETIC` may be a callable giving the two numbers (tests); default random."""
    maker = current_app.config.get("CAPTCHA_ARITHMETIC")
    return maker() if callable(maker) else captcha_service.random_operands()


def clock_seconds() -> float:
    """Captcha times are measured on the engine clock, like every other security duration."""
    return system().runtime.clock.now().timestamp()


def captcha_ttl() -> float:
    return float(current_app.config.get("CAPTCHA_TTL", captcha_service.TTL_SECONDS))


def new_captcha(kind: str) -> tuple[captcha_service.Challenge, str | bytes]:
    """A challenge and what the user sees: PNG bytes (image) or the question (arithmetic)."""
    if kind == "arithmetic":
        question, answer = captcha_service.arithmetic_question(*captcha_operands())
        challenge = captcha_service.new_challenge(current_app.secret_key, answer, clock_seconds())
        return challenge, question
    text = captcha_text()
    challenge = captcha_service.new_challenge(current_app.secret_key, text, clock_seconds())
    return challenge, captcha_service.render_png(text)


def nonce_store() -> captcha_service.NonceStore:
    """Used captchas are remembered where every process sees them: Redis or the database."""
    url = system().settings.redis_url
    if not url:
        return captcha_service.DatabaseNonces(db())
    client = current_app.extensions.get("quotacert.redis")
    if client is None:
        from redis import Redis

        client = current_app.extensions["quotacert.redis"] = Redis.from_url(url)
    return captcha_service.RedisNonces(client)


def check_captcha(challenge: captcha_service.Challenge | None, answer: str) -> None:
    """Raise CaptchaError unless `challenge` is solved by `answer` and was never checked
    before (by any process); it is used up either way."""
    if challenge is not None:
        claimed = nonce_store().claim(challenge.nonce, system().runtime.clock.now())
        db().commit()  # the claim stands even if the login fails afterwards
        if not claimed:
            challenge = None
    captcha_service.verify(
        current_app.secret_key, challenge, answer, at=clock_seconds(), ttl=captcha_ttl()
    )


def issue_session_captcha(kind: str = "image") -> tuple[captcha_service.Challenge, str | bytes]:
    challenge, shown = new_captcha(kind)
    session[SESSION_KEY] = challenge.to_dict()
    return challenge, shown


def check_session_captcha(answer: str) -> None:
    """Raise CaptchaError unless the session's challenge is solved; it is used up either way."""
    check_captcha(captcha_service.Challenge.from_dict(session.pop(SESSION_KEY, None)), answer)


def _no_store(response):
    response.headers["Cache-Control"] = "no-store, max-age=0"
    return response


@bp.get("/captcha.png")
def captcha_image():
    _challenge, png = issue_session_captcha("image")
    response = make_response(png)
    response.headers["Content-Type"] = "image/png"
    return _no_store(response)


@bp.get("/captcha/question")
def captcha_question():
    """A new arithmetic question as text (the accessible kind; login.js's 换一张)."""
    _challenge, question = issue_session_captcha("arithmetic")
    return _no_store(jsonify({"question": question}))


# --- login / logout ----------------------------------------------------------------------


def _notice_text(notice: login_guard.Notice) -> str:
    when = china_time(notice.last_at).strftime("%Y-%m-%d %H:%M")
    source = notice.last_ip or "未知地址"
    return f"最近有{notice.count}次失败的登录尝试，最近一次来自 IP {source} 于 {when}（北京时间）"


def start_session(user) -> None:
    """Sign `user` in on a fresh session id (nothing of the anonymous session is kept)."""
    session.clear()
    sessions.interface(current_app).renew(session)
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT, methods=["POST"])
def login():
    staff = request.args.get("tab") == "staff"
    kind = "arithmetic" if request.args.get("captcha") == "arithmetic" else "image"
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
                    system().runtime.clock.now(),
                    staff=staff,
                    ip=client_ip(),
                )
            except accounts.LoginFailed as exc:
                db().commit()  # the failure counters and the audit entry
                failure = exc.message
            else:
                notice = login_guard.take_notice(db(), user.login)
                db().commit()
                next_url = _safe_next(request.args.get("next"))
                start_session(user)
                if notice is not None:
                    flash(_notice_text(notice), "warning")
                return redirect(next_url or landing_url(user))
        form.password.data = ""
        form.captcha.data = ""  # a new challenge is shown; the old answer is of no use
    question = issue_session_captcha("arithmetic")[1] if kind == "arithmetic" else ""
    status = 200 if request.method == "GET" or not (failure or form.errors) else 400
    return render_template(
        "auth/login.html",
        form=form,
        staff=staff,
        failure=failure,
        captcha_kind=kind,
        question=question,
    ), status


@bp.post("/logout")
@login_required
def logout():
    audit.record(db(), current_user, "logout", target=f"user:{current_user.id}", ip=client_ip())
    db().commit()
    logout_user()
    session.clear()
    sessions.interface(current_app).renew(session)  # the old record is gone: cookie is dead
    flash("您已安全退出", "success")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def change_password():
    """修改密码: the current password is required; other sessions and all tokens end."""
    form = ChangePasswordForm()
    if request.method == "POST":
        form.validate()  # CSRF; the password rules are the service's
        user = current_user._get_current_object()  # loaded by load_user in db()
        new = form.new_password.data or ""
        if new != (form.confirm_password.data or ""):
            form.confirm_password.errors = ["两次输入的新密码不一致"]
        else:
            try:
                accounts.change_password(
                    db(),
                    user,
                    form.current_password.data or "",
                    new,
                    system().runtime.clock.now(),
                    ip=client_ip(),
                )
            except DomainError as exc:
                db().rollback()
                target = getattr(form, exc.field or "", None) or form.new_password
                target.errors = [exc.message]
            else:
                db().commit()
                store = sessions.interface(current_app)
                store.end_user_sessions(user.id, keep_sid=session.sid)
                store.renew(session)
                flash("密码已修改。其他设备上的登录和全部API令牌已失效。", "success")
                return redirect(landing_url(user))
    status = 400 if form.errors else 200
    return render_template("auth/password.html", form=form), status


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
