"""流程管理, after a new version is in force (issue 14): 迁移在办业务 and 与…比较.

A published version only reaches new cases; the province's running cases stay on the
version they started on until the owner moves them. The 迁移在办业务 page of an older
version (the province's own, or a national default) checks every running case of the
province on it against the version now in force (a dry run: which can move, and why the
others cannot), then moves the movable ones in one batch (`casework.process_migration`,
one transaction per case, audited) and shows what happened. Rolling back is the same
page the other way round: re-publish the earlier version, then migrate from the newer one.

The comparison page lists what changed between two versions of a process, element by
element (`casework.process_diff`), and marks it on both diagrams (bpmn-js viewers, our
own static/process_diff.js reading the list's data-* attributes: the CSP forbids inline
script). Both pages are scoped to the owner's province like every 流程管理 page: another
province's version is not found (404).

The routes hang on `webapp.processes.bp` (imported by its init_app): the same blueprint,
split by concept to keep each module small.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from casework import process_diff, process_migration, process_versions
from casework.paging import Page
from casework.process_versions import STATUS_HELP
from casework.schemas import parse
from casework.schemas.migration import MigrationRunInput
from casework.scope import NotFound
from domain.errors import DomainError, FieldErrors
from engine.models import SpecVersion
from webapp.extensions import client_ip, db, system
from webapp.processes import _facts, _province_name, _version, bp, bpmn_js_version, owner_required

# The migration page checks at most this many cases when it opens (about 5 ms each: a
# check loads the case and compares the two versions); the batch itself checks them all.
CHECK_LIMIT = 1000
PER_PAGE = 50
REPORT_SHOWN = 200  # lines of each list of the batch's report
SHOW = {"all": "全部", "movable": "可迁移", "refused": "不可迁移"}


@dataclass(frozen=True)
class Plan:
    """What the migration page knows about one version: where its cases would go and
    whether the move makes sense at all (a Chinese reason when not)."""

    source: SpecVersion
    target: SpecVersion | None
    running: int  # the province's running cases on the source
    blocked: str  # why nothing can be migrated now ("" when it can)


def _plan(version: SpecVersion) -> Plan:
    session = db()
    running = process_migration.running_counts(session, current_user, version.process_id).get(version.id, 0)
    target = process_migration.target_of(session, system().registry, current_user, version)
    province = _province_name(process_versions.province_of(current_user))
    if target is None:
        blocked = f"{province}尚无生效中的版本，无法迁移"
    elif target.id == version.id:
        blocked = f"此版本就是{province}当前生效的版本，在办业务无需迁移"
    elif version.state == "draft":
        blocked = "草稿尚未发布，没有在办业务"
    else:
        blocked = ""
    return Plan(version, target, running, blocked)


def _label(version: SpecVersion) -> str:
    scope = "全国默认流程" if version.province == "" else _province_name(version.province)
    return f"{scope} V{version.number}"


@bp.get("/processes/versions/<int:version_id>/migrate")
@owner_required
def migrate(version_id: int):
    """The dry run: each running case of the province on this version, and whether it can
    move to the version in force (its current step unchanged there) or why not."""
    plan = _plan(_version(version_id))
    checks: list[process_migration.CaseCheck] = []
    if not plan.blocked and plan.running:
        try:
            checks = process_migration.dry_run(db(), system().runtime, current_user, version_id, plan.target.id,
                                               limit=CHECK_LIMIT)
        except DomainError as exc:  # the pair was refused (kept in case the rules grow)
            plan = Plan(plan.source, plan.target, plan.running, exc.message)
    movable = [c for c in checks if c.movable]
    show = request.args.get("show", "all")
    show = show if show in SHOW else "all"
    shown = movable if show == "movable" else [c for c in checks if not c.movable] if show == "refused" else checks
    page = _page(shown)
    return render_template(
        "processes/migrate.html", plan=plan, facts=_facts(plan.source), label=_label, checks=checks,
        movable=len(movable), refused=len(checks) - len(movable), page=page, show=show, shows=SHOW,
        max_batch=process_migration.MAX_BATCH, report=None,
    )


def _page(items: list) -> Page:
    """One page of the checks; a page number out of range shows the nearest page."""
    pages = max(1, -(-len(items) // PER_PAGE))
    number = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)
    start = (number - 1) * PER_PAGE
    return Page(items[start:start + PER_PAGE], len(items), number, PER_PAGE)


@bp.post("/processes/versions/<int:version_id>/migrate")
@owner_required
def migrate_run(version_id: int):
    """批量迁移: every movable case, each in its own transaction; the page then shows what
    moved, what stayed (with the reason) and what failed (rolled back, still on the old
    version). `to` is the target the owner saw: if another version was published since,
    nothing moves and the page is shown again."""
    plan = _plan(_version(version_id))
    if plan.blocked:
        flash(f"未迁移：{plan.blocked}", "error")
        return redirect(url_for("processes.migrate", version_id=version_id))
    try:
        seen = parse(MigrationRunInput, request.form.to_dict(), strict=False).to
    except FieldErrors:
        seen = None  # no or a garbled target: as stale as another one, nothing moves
    if seen != plan.target.id:
        flash(f"未迁移：迁移目标与{_province_name(process_versions.province_of(current_user))}当前生效的版本"
              f"（{_label(plan.target)}）不一致，可能刚发布了新版本；请核对检查结果后再迁移", "error")
        return redirect(url_for("processes.migrate", version_id=version_id))
    # The batch runs in its own transactions: end the request's (on SQLite it holds the
    # write lock from its first read). Loaded objects stay readable (no expiry on commit).
    db().commit()
    try:
        report = process_migration.migrate_batch(system(), current_user, version_id, plan.target.id, client_ip())
    except DomainError as exc:
        flash(f"未迁移：{exc.message}", "error")
        return redirect(url_for("processes.migrate", version_id=version_id))
    after = _plan(plan.source)  # the counts after the batch
    return render_template(
        "processes/migrate.html", plan=after, facts=_facts(plan.source), label=_label, report=report,
        target=plan.target, shown=REPORT_SHOWN, max_batch=process_migration.MAX_BATCH,
    )


def _same_process_versions(version: SpecVersion) -> list[SpecVersion]:
    """The versions an owner may compare this one with: the process's national ones and
    the province's own, newest first."""
    province = process_versions.province_of(current_user)
    return list(db().scalars(
        select(SpecVersion)
        .where(SpecVersion.process_id == version.process_id, SpecVersion.province.in_(["", province]),
               SpecVersion.id != version.id)
        .order_by(SpecVersion.id.desc())
    ))


def version_extras(version: SpecVersion) -> dict:
    """What a version's page adds for these features: the province's running cases on it,
    whether they can be migrated (and where to), and the versions to compare it with."""
    plan = _plan(version)
    return {"plan": plan, "compare_with": _same_process_versions(version), "label": _label,
            "status_of": process_versions.status_of}


def index_extras(rows: list[process_versions.ProcessSummary]) -> dict:
    """The list's running-case counts by version, and per process the versions that still
    carry running cases of the province but are not on the list (an older national
    default): otherwise those cases could not be found to migrate."""
    counts = process_migration.running_counts(db(), current_user)
    listed = {v.id for row in rows for v in (*row.versions, row.national) if v is not None}
    hidden_ids = [version_id for version_id in counts if version_id not in listed]
    hidden = db().scalars(select(SpecVersion).where(SpecVersion.id.in_(hidden_ids)).order_by(SpecVersion.id)).all() if hidden_ids else []
    others: dict[str, list[SpecVersion]] = {}
    for version in hidden:
        others.setdefault(version.process_id, []).append(version)
    return {"counts": counts, "others": others, "label": _label}


@bp.get("/processes/versions/<int:version_id>/diff")
@owner_required
def diff_pick(version_id: int):
    """The 与…比较 picker's target (?with=<id>): the older of the two on the left."""
    version = _version(version_id)
    other_id = request.args.get("with", type=int)
    if other_id is None or not 0 < other_id < 2**31 or other_id == version_id:
        flash("请选择要比较的另一个版本", "error")
        return redirect(url_for("processes.view", version_id=version_id))
    other = _version(other_id)
    old, new = sorted((version, other), key=lambda v: v.id)
    return redirect(url_for("processes.diff", old_id=old.id, new_id=new.id))


@bp.get("/processes/versions/<int:old_id>/diff/<int:new_id>")
@owner_required
def diff(old_id: int, new_id: int):
    """What changed from one version to another, listed and drawn on both diagrams."""
    old, new = _version(old_id), _version(new_id)
    if old.process_id != new.process_id or old.id == new.id:
        raise NotFound("只能比较同一流程的两个不同版本")
    result = process_diff.compare(old.bpmn_xml, new.bpmn_xml, old.dmn_xml or "", new.dmn_xml or "")
    return render_template(
        "processes/diff.html", old=old, new=new, diff=result, label=_label, old_facts=_facts(old),
        new_facts=_facts(new), status_help=STATUS_HELP, vendor_version=bpmn_js_version(),
    )
