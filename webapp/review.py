"""The reviewers' and supervisors' workbench: 待办任务 with a tab per form in use, filters,
claiming and assigning, and one page per task found by the task's form key.

Nothing here knows a diagram's task ids: a task's page is its form's template, its input
the form's declaration, its command the form's command (`casework.task_forms`). Every
query is scoped by the user's role and jurisdiction in casework.review; another region's
task answers 404, a task someone else holds 409.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from io import BytesIO

from flask import Blueprint, Flask, abort, flash, render_template, request, send_file
from flask_login import current_user, login_required

from casework import review, task_forms, uploads
from casework.audit import record
from casework.dossier import case_in_jurisdiction, dossier_pdf
from casework.exports import inbox_workbook
from casework.schemas import parse
from casework.schemas.review import AssignInput, Decision, TaskQuery
from domain.errors import Conflict, DomainError, FieldErrors, NotFound
from domain.workdays import add_working_days
from webapp import downloads
from webapp.context import back, field_errors, ip
from webapp.errors import respond
from webapp.extensions import db, system
from webapp.forms.fields import max_length
from webapp.verify import verify_url

bp = Blueprint("review", __name__, url_prefix="/review")


def staff_required(view: Callable) -> Callable:
    """Logged in with a role that works a staff inbox (the lane table says which)."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        if current_user.role not in system().runtime.lanes.staff_roles:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def soon_until(now):
    """Due "soon" means within 2 working days (holidays and make-up days counted)."""
    return add_working_days(now, 2, system().runtime.script_engine.holidays).due


def _filters() -> tuple[TaskQuery, review.InboxFilter]:
    args = parse(TaskQuery, request.args.to_dict(), strict=False)
    return args, review.InboxFilter.of(args)


def _tabs(counts: dict[str, int]) -> list[dict]:
    """One tab per form that has tasks for this user (a diagram's new form shows up by
    itself), titled by the form's registration."""
    tabs = [{"form": key, "title": task_forms.title_of(key), "count": n} for key, n in counts.items()]
    return sorted(tabs, key=lambda tab: tab["title"])


@bp.get("/")
@staff_required
def inbox():
    try:
        args, filters = _filters()
    except FieldErrors as exc:
        flash("；".join(exc.errors.values()), "error")
        args, filters = TaskQuery(), review.InboxFilter()
    now = system().runtime.clock.now()
    until = soon_until(now)
    counts = review.tab_counts(db(), current_user, now=now, filters=filters, soon_until=until)
    page = review.inbox(
        db(), current_user, now=now, filters=filters, soon_until=until, page=args.page, per_page=args.per_page
    )
    query = {k: v for k, v in args.model_dump().items() if k not in ("page", "per_page") and v not in ("", None, False)}
    return render_template(
        "review/inbox.html", page=page, args=args, query=query, tabs=_tabs(counts), total=sum(counts.values()),
        due_filters=review.DUE_FILTERS,
    )


@bp.get("/export.xlsx")
@staff_required
def export():
    """导出Excel: the inbox as filtered (all pages, up to 5000 tasks)."""
    _args, filters = _filters()
    now = system().runtime.clock.now()
    page = review.inbox(db(), current_user, now=now, filters=filters, soon_until=soon_until(now), page=1, per_page=5000)
    data = inbox_workbook(page.items, f"{current_user.display_name or current_user.login} 待办任务")
    return downloads.xlsx(data, "待办任务.xlsx")


@bp.get("/tasks/<task_id>")
@staff_required
def task(task_id: str):
    return _render_task(task_id)


def _render_task(task_id: str, errors: dict | None = None, data: dict | None = None, status: int = 200):
    session = db()
    row = review.task_for(session, current_user, task_id, system().runtime.clock.now())
    form = task_forms.form_of(row.task.form)
    if form.command is None:
        abort(404)  # an employer's form: not worked from the workbench
    extra = form.context(session, row) if form.context else {}
    people = review.assignable(session, row.task) if current_user.role == review.SUPERVISOR else []
    return render_template(
        form.page, row=row, form=form, errors=errors or {}, data=data or {}, people=people,
        reason_max=max_length(Decision, "reason"), **extra,
    ), status


@bp.post("/tasks/<task_id>")
@bp.post("/tasks/<task_id>/decide")
@bp.post("/tasks/<task_id>/send")
@staff_required
def complete(task_id: str):
    """Complete the task with its form's input: the declaration validates the page's
    fields as it validates the API's JSON; errors come back beside the fields."""
    session = db()
    row = review.task_for(session, current_user, task_id)
    form = task_forms.form_of(row.task.form)
    if form.command is None:
        abort(404)
    raw = form.page_input(request.form)
    try:
        if "attachment_ids" in (form.input.model_fields if form.input else {}):
            raw["attachment_ids"] = [a.id for a in _uploaded(row)]
        data = parse(form.input, raw, strict=False)
        message = form.command(session, system(), current_user, task_id, data, ip())
        session.commit()
    except Conflict as exc:  # someone else holds it or was first: say who, keep nothing
        session.rollback()
        return respond(409, exc.message)
    except DomainError as exc:
        session.rollback()
        return _render_task(task_id, field_errors(exc), request.form.to_dict(), 400)
    flash(message or "已办理", "success")
    return back("review.inbox")


def _uploaded(row) -> list:
    """Files a reviewer attaches to a decision (checked by content), kept for the unit."""
    limit = uploads.upload_limit_bytes(row.case.region_code, system().today())
    stored = []
    for file in request.files.getlist("attachments"):
        if file and file.filename:
            stored.append(uploads.store_upload(
                db(), system().settings, unit_id=row.case.unit_id, user_id=current_user.id,
                filename=file.filename, data=file.read(), kind="decision", limit_bytes=limit,
            ))
    return stored


def _holding(action: Callable[[], None], success: str):
    """Run a claim/release/改派 and say how it went; another region's or role's task stays
    the same 404 as guessing an id, anything else (someone holds it) a message."""
    try:
        action()
        db().commit()
        flash(success, "success")
    except NotFound:
        db().rollback()
        raise
    except DomainError as exc:
        db().rollback()
        flash(exc.message, "error")


@bp.post("/tasks/<task_id>/claim")
@staff_required
def claim(task_id: str):
    _holding(lambda: review.claim(db(), current_user, task_id, system().runtime.clock.now(), ip()), "已认领，该任务由您办理")
    return back("review.task", task_id=task_id)


@bp.post("/tasks/<task_id>/release")
@staff_required
def release(task_id: str):
    _holding(lambda: review.release(db(), current_user, task_id, ip()), "已释放，同角色的工作人员均可办理")
    return back("review.inbox")


@bp.post("/tasks/<task_id>/assign")
@staff_required
def assign(task_id: str):
    def reassign() -> None:
        data = parse(AssignInput, request.form.to_dict(), strict=False)
        review.reassign(db(), current_user, task_id, data.assignee, system().runtime.clock.now(), ip())

    _holding(reassign, "已改派")
    return back("review.inbox")


@bp.get("/cases/<int:case_id>/dossier.pdf")
@staff_required
def dossier(case_id: int):
    """下载电子案卷: the case's certificate and every uploaded file of its people in one PDF,
    for staff of the case's jurisdiction (another region's case answers 404); audited,
    as it carries the people's documents."""
    case = case_in_jurisdiction(db(), current_user, case_id)
    data = dossier_pdf(db(), system().settings, case, verify_url)
    record(db(), current_user, "下载电子案卷", case_id=case.id, target=case.ref, ip=ip())
    db().commit()
    response = send_file(
        BytesIO(data), mimetype="application/pdf", as_attachment=True,
        download_name=f"电子案卷_{case.year}_{case.id}.pdf", max_age=0,
    )  # fmt: skip
    response.headers["Cache-Control"] = "private, no-store"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
