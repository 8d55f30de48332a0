"""What the unit's application pages share (缓减免申请, 超比例奖励申请, 安置残疾大学生申请,
单位注销安置登记): the 业务年度 asked for, and the documents of a posted form.

Uploaded files are stored (and committed) before the rest of the form is checked, so a
form refused for a field keeps them: the page lists them again as kept files (ticked),
and the next submit names them by `attachment_ids`."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect, request
from flask_login import current_user

from casework import uploads
from casework.models import Unit
from domain.errors import DomainError, NotFound
from webapp.context import field_errors, ip
from webapp.extensions import db, system

MAX_KEPT = 20  # files a form keeps or uploads at once


def year_of(value) -> int | None:
    """A 业务年度 from a query or form field: four digits, else None."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) != 4:
        return None
    return int(text)


def kept_ids(values: list[str]) -> list[int]:
    """The ids of the files a form keeps (its ticked `attachment_ids`), without repeats;
    anything not an id is dropped."""
    ids: list[int] = []
    for value in values[:MAX_KEPT]:
        value = value.strip()
        if value.isdigit() and len(value) < 10 and int(value) not in ids:
            ids.append(int(value))
    return ids


def _store_uploads(unit: Unit, kind: str) -> list[int]:
    limit = uploads.upload_limit_bytes(unit.cdpf_region, system().today())
    stored = []
    for file in request.files.getlist("attachments")[:MAX_KEPT]:
        if not file or not file.filename:
            continue
        stored.append(uploads.store_upload(
            db(), system().settings, unit_id=unit.id, user_id=current_user.id, filename=file.filename,
            data=file.read(), kind=kind, limit_bytes=limit,
        ).id)  # fmt: skip
    return stored


def posted_attachments(unit: Unit, kind: str) -> tuple[list[int], str | None]:
    """The posted form's documents: the kept files of this unit and the new uploads
    (field `attachments`, stored as `kind` and committed). A refused upload stores none
    of the new files and answers its message (for the `attachments` field)."""
    ids = [a.id for a in uploads.attachments_of(db(), kept_ids(request.form.getlist("attachment_ids")), unit.id)]
    try:
        ids += _store_uploads(unit, kind)
        db().commit()
    except DomainError as exc:
        db().rollback()
        return ids, exc.message
    return ids, None


def filled(data: dict) -> dict:
    """The fields a form filled in: an empty input is a field left out (its declaration's
    default or its "required" message), not an empty value to check."""
    return {k: v for k, v in data.items() if v not in ("", None)}


def submit_posted(
    unit: Unit, data: dict, *, kind: str, parse_body: Callable[[dict], object], send: Callable[[object], None],
    render: Callable[[dict, dict], object], done: str, back: str,
):
    """One submit of an application form (new or 补正): store its documents first (so a
    refused field keeps them), read the fields with the form's declaration
    (`parse_body`), hand them to the casework command (`send`) and commit; a refusal
    rolls back and renders the form again (`render(errors, data)`) with every message by
    field, else `done` is flashed and the page goes `back`."""
    ids, refused = posted_attachments(unit, kind)
    errors: dict[str, str] = {"attachments": refused} if refused else {}
    data["attachment_ids"] = ids
    try:
        parsed = parse_body(data)
        if refused:
            raise DomainError(refused, "attachments")
        send(parsed)
        db().commit()
    except DomainError as exc:
        db().rollback()
        errors.update(field_errors(exc))
        return render(errors, data)
    flash(done, "success")
    return redirect(back)


def one_a_year(commands, unit: Unit, year: int, correcting: bool) -> Callable[[object], None]:
    """`send` for an application a unit files once a year (缓减免, 超比例奖励): `commands`
    is its casework module (apply, application_of, correct); a 补正 finds the year's
    application of this unit or answers 404."""

    def send(parsed) -> None:
        if not correcting:
            commands.apply(db(), system(), current_user, unit, year, parsed, ip=ip())
            return
        application = commands.application_of(db(), unit.id, year)
        if application is None:
            raise NotFound("未找到该申请")
        commands.correct(db(), system(), current_user, application, parsed, ip())

    return send
