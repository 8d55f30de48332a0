"""What the unit's application pages share (缓减免申请, 超比例奖励申请, 安置残疾大学生申请,
单位注销安置登记): the 业务年度 asked for, and the documents of a posted form.

Uploaded files are stored (and committed) before the rest of the form is checked, so a
form refused for a field keeps them: the page lists them again as kept files (ticked),
and the next submit names them by `attachment_ids`."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from casework import uploads
from casework.models import Unit
from domain.errors import DomainError
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
