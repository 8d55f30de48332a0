"""Small helpers every page view uses: who is asking, which case, how to answer errors."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask import session as session_store
from flask_login import current_user
from sqlalchemy import select

from casework.cases import open_case
from casework.models import CertificationCase, Unit
from casework.schemas import parse
from domain.errors import DomainError, FieldErrors
from webapp.auth import employer_required  # noqa: F401  (re-exported for views)
from webapp.extensions import client_ip, db, system


def employer_unit(user=None) -> Unit:
    user = user or current_user
    unit = db().get(Unit, user.unit_id) if user.unit_id else None
    if unit is None:
        abort(403, description="该账号未关联用人单位")
    return unit


YEAR_KEY = "business_year"


def viewed_year() -> int | None:
    """An earlier 业务年度 the employer chose to look at on the pages (None: the current)."""
    year = session_store.get(YEAR_KEY)
    current = system().settings.business_year
    return year if isinstance(year, int) and year != current else None


def employer_case(user=None) -> CertificationCase:
    """The employer's case of the business year: the current one (opened on first use),
    or on the pages an earlier year the employer chose and has a case for (read only)."""
    user = user or current_user
    session = db()
    unit = employer_unit(user)
    year = viewed_year() if user is current_user else None
    if year is not None:
        earlier = session.scalar(
            select(CertificationCase).where(CertificationCase.unit_id == unit.id, CertificationCase.year == year)
        )
        if earlier is not None:
            return earlier
        session_store.pop(YEAR_KEY, None)
    case = open_case(session, system(), unit, system().settings.business_year, user.login)
    if session.new or session.dirty:
        session.commit()
    return case


def ip() -> str:
    return client_ip()


def field_errors(exc: DomainError) -> dict[str, str]:
    """Errors by field for a form; a field-less error goes under "_" (shown on top)."""
    if isinstance(exc, FieldErrors):
        return exc.errors
    return {exc.field or "_": exc.message}


def parsed_args(model, source) -> tuple[object | None, dict, dict]:
    """A query or form (blanks left out) read by its declaration: (the parsed model or
    None, what was sent, the Chinese message per field when refused)."""
    raw = {k: v for k, v in source.items() if v != ""}
    try:
        return parse(model, raw, strict=False), raw, {}
    except DomainError as exc:
        return None, raw, field_errors(exc)


def fail(exc: DomainError) -> None:
    db().rollback()
    flash(exc.message, "error")


def back(endpoint: str, **values):
    return redirect(url_for(endpoint, **values))


def form_data() -> dict:
    """The posted form as a dict (lists for repeated keys such as months)."""
    data = {k: v for k, v in request.form.items()}
    for key in request.form:
        values = request.form.getlist(key)
        if len(values) > 1 or key.endswith("[]"):
            data[key.removesuffix("[]")] = values
    return data
